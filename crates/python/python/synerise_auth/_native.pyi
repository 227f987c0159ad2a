"""Type stubs of the native module (the Rust binding)."""

from os import PathLike
from typing import Any, Dict, Optional, Union

class IssuedToken:
    """A signed token. Its ``repr`` never shows the token."""

    @property
    def token(self) -> str:
        """The compact JWT, for ``SR.client.setAccessToken``."""
    @property
    def uuid(self) -> str:
        """The customer's uuid, as in the token's ``uuid`` claim."""
    @property
    def exp(self) -> int:
        """The token's ``exp``: seconds since the epoch."""
    @property
    def expires_at(self) -> str:
        """The token's ``exp`` as RFC 3339, UTC."""
    def as_reply(self) -> Dict[str, str]:
        """The token endpoint's reply body: ``{"jwt", "uuid", "expiresAt"}``."""

class Issuer:
    """Signs Synerise tokens with a key file (a set of one) or a key directory's active key,
    made once at start-up. Raises ``ConfigurationError`` (``key_set_invalid``, ``invalid_salt``,
    ``invalid_ttl``) when it cannot be made. Every ``issue`` signs a new token."""

    def __init__(
        self,
        key: Union[str, PathLike[str]],
        *,
        salt: str,
        ttl: Union[int, str] = 604800,
        kid: Optional[str] = None,
    ) -> None: ...
    def issue(self, email: str, uuid: Optional[str] = None) -> IssuedToken:
        """Signs a token for ``email``; ``uuid`` defaults to the one derived from the salt and
        the email. Raises ``InvalidInput`` (``invalid_email``, ``invalid_uuid``). Releases the
        GIL while it signs."""
    def reload(self) -> None:
        """Reads the key file or directory again; on failure the old keys keep signing and
        ``ConfigurationError`` (``key_set_invalid``) is raised."""
    def verify(self, token: str, *, now: Optional[int] = None) -> Dict[str, Any]:
        """Verifies against the published keys; returns the claims. Raises ``TokenRefused``."""
    def customer_uuid(self, email: str) -> str: ...
    def public_key(self, format: str = "single-line") -> str:
        """``single-line`` (Synerise's certificate field), ``pem``, ``base64`` or ``jwk``."""
    def jwks_json(self, *, now: Optional[int] = None) -> str:
        """The JWK Set to publish, as JSON text."""
    @property
    def kid(self) -> Optional[str]: ...
    @property
    def ttl(self) -> int: ...

class RateLimit:
    """At most ``per_minute`` calls of ``check`` per key a minute; ``0`` is unlimited. Memory
    stays bounded by the keys of about the last minute: ``check`` forgets the others every 4,096
    calls, so nobody needs to call ``prune``."""

    def __init__(self, per_minute: int) -> None: ...
    def check(self, key: str) -> None:
        """Raises ``RateLimited`` (with ``retry_after``) past the limit."""
    def prune(self) -> None:
        """Forgets the keys whose allowance is full again now, rather than at the next
        4,096th ``check``."""

def customer_uuid(salt: str, email: str) -> str:
    """Synerise's customer uuid: UUIDv5 (URL namespace) of ``salt + email``, the email taken as
    given (``Issuer.customer_uuid`` normalises it first, as tokens do)."""

def identity_hash(email: str) -> int:
    """Synerise's identity hash of the email as the service normalises it (trimmed, domain in
    lower case): Java's ``String.hashCode`` over the UTF-8 bytes. Raises ``InvalidInput``
    (``invalid_email``)."""

def verify(token: str, public_key: str, *, now: Optional[int] = None, leeway: int = 30) -> Dict[str, Any]:
    """Verifies an RS256 token against a public key (PEM, one-line or base64); returns the
    claims. Raises ``TokenRefused`` with the failed check's code, or ``ConfigurationError``
    (``key_set_invalid``) when the public key cannot be read."""
