"""The package's exceptions. Each carries the stable ``code`` the synerise-auth service answers
with for the same refusal, and the HTTP ``status`` it uses, so a token route can answer
``{"error": str(e), "code": e.code}`` with ``e.status``."""

from __future__ import annotations

from typing import Optional


class SyneriseAuthError(Exception):
    """Base class: ``code`` is stable snake_case, ``status`` the HTTP status for it."""

    code: str
    status: int
    #: Seconds after which a retry may succeed, for a refusal that says so (429, 503).
    retry_after: Optional[int]

    def __init__(self, message: str, code: str = "internal_error", status: int = 500,
                 retry_after: Optional[int] = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.retry_after = retry_after


class ConfigurationError(SyneriseAuthError):
    """The issuer cannot be made as configured: ``key_set_invalid`` (the key file or directory
    did not load; the message names the file and the reason), ``invalid_salt``, ``invalid_ttl``.
    Raised at start-up (or by ``reload``, when the old keys keep signing)."""


class InvalidInput(SyneriseAuthError):
    """A value given to the package is refused: ``invalid_email``, ``invalid_uuid``,
    ``invalid_format`` (status 400)."""


class TokenRefused(SyneriseAuthError):
    """A token did not verify (status 401). ``code`` names the first check that failed:
    ``malformed_token``, ``wrong_algorithm``, ``unknown_key``, ``bad_signature``, ``expired``,
    ``not_yet_valid``, ``missing_claim``, ``invalid_claim``."""


class RateLimited(SyneriseAuthError):
    """Over a rate limit: ``rate_limited`` (status 429); retry after ``retry_after`` seconds."""

    def __init__(self, message: str, code: str = "rate_limited", status: int = 429,
                 retry_after: Optional[int] = None) -> None:
        super().__init__(message, code, status, max(1, retry_after or 1))
