"""Synerise JS SDK tokens for a shop's own signed-in customers, signed in-process by the
synerise-auth Rust core.

    from synerise_auth import Issuer

    issuer = Issuer("keys/", salt=os.environ["SYNERISE_AUTH_UUID_SALT"])
    token = issuer.issue("ann@example.com")
    token.as_reply()   # {"jwt": ..., "uuid": ..., "expiresAt": ...}

``synerise_auth.flask`` mounts the token endpoint in a Flask app.
"""

from ._errors import (
    ConfigurationError,
    InvalidInput,
    RateLimited,
    SyneriseAuthError,
    TokenRefused,
)
from ._native import IssuedToken, Issuer, RateLimit, customer_uuid, identity_hash, verify

__all__ = [
    "ConfigurationError",
    "InvalidInput",
    "IssuedToken",
    "Issuer",
    "RateLimit",
    "RateLimited",
    "SyneriseAuthError",
    "TokenRefused",
    "customer_uuid",
    "identity_hash",
    "verify",
]
