"""A Flask extension that mounts the token endpoint for a shop's own signed-in customers.

    from flask_login import current_user
    from synerise_auth import Issuer
    from synerise_auth.flask import SyneriseAuth

    SyneriseAuth(
        app,
        issuer=Issuer("keys/", salt=os.environ["SYNERISE_AUTH_UUID_SALT"]),
        current_customer=lambda: current_user.email if current_user.is_authenticated else None,
    )

``POST /generate-jwt`` then answers as synerise-auth's own ``/generate-jwt`` does (the token
endpoint contract): ``{"jwt", "uuid", "expiresAt"}`` with ``Date`` and ``Cache-Control:
no-store``, or ``{"error", "code"}``: 401 ``not_signed_in``, 403 ``cross_site_request`` or
``email_mismatch``, 429 ``rate_limited`` with ``Retry-After``, 400/413/415 for a bad body.
"""

from __future__ import annotations

import json
from email.utils import formatdate
from typing import Any, Callable, Dict, Iterable, Optional, Protocol, Tuple

from flask import Blueprint, Flask, Response, request

from ._errors import SyneriseAuthError
from ._native import Issuer, RateLimit

__all__ = ["SyneriseAuth", "TokenSource", "refusal", "same_site"]

#: The largest body the token route reads: `{"email", "uuid"}` fits many times over.
MAX_BODY_BYTES = 16 * 1024
#: Tokens per signed-in customer per minute, as synerise-auth's `tokens_per_session_per_minute`.
DEFAULT_TOKENS_PER_MINUTE = 30
#: How long browsers and proxies may keep the public key and the JWK Set.
KEYS_CACHE = "public, max-age=300"

CurrentCustomer = Callable[[], Optional[str]]


class TokenReply(Protocol):
    def as_reply(self) -> Dict[str, str]: ...


class TokenSource(Protocol):
    """What signs: an ``Issuer`` (in-process), or anything with the same ``issue`` that raises
    the package's exceptions, such as a client of ``synerise-auth serve`` (examples/flask-shop)."""

    def issue(self, email: str) -> TokenReply: ...


class SyneriseAuth:
    """Mounts the token endpoint (and, when given paths, the JWK Set and the public key).

    ``current_customer`` returns the signed-in customer's email, or ``None`` when nobody is
    signed in; the shop's own sign-in decides who that is. ``allowed_origins`` lists the other
    origins (``https://shop.example``) whose pages may ask for tokens with the shop's cookie;
    a same-origin page always may.
    """

    def __init__(
        self,
        app: Optional[Flask] = None,
        *,
        issuer: TokenSource,
        current_customer: CurrentCustomer,
        token_path: str = "/generate-jwt",
        jwks_path: Optional[str] = None,
        public_key_path: Optional[str] = None,
        tokens_per_minute: int = DEFAULT_TOKENS_PER_MINUTE,
        allowed_origins: Iterable[str] = (),
    ) -> None:
        self.issuer = issuer
        self.current_customer = current_customer
        self.token_path = token_path
        self.jwks_path = jwks_path
        self.public_key_path = public_key_path
        self.rate_limit = RateLimit(tokens_per_minute)
        self.allowed_origins = frozenset(o.rstrip("/").lower() for o in allowed_origins)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        bp = Blueprint("synerise_auth", __name__)
        bp.add_url_rule(self.token_path, "token", self._token, methods=["POST"])
        # Flask answers other methods with an HTML page; the contract wants JSON refusals.
        bp.add_url_rule(self.token_path, "token_methods", method_not_allowed,
                        methods=["GET", "PUT", "PATCH", "DELETE"])
        if self.jwks_path:
            bp.add_url_rule(self.jwks_path, "jwks", self._jwks, methods=["GET"])
        if self.public_key_path:
            bp.add_url_rule(self.public_key_path, "public_key", self._public_key, methods=["GET"])
        app.register_blueprint(bp)
        app.extensions["synerise_auth"] = self

    # -- routes --------------------------------------------------------------------------------

    def _token(self) -> Response:
        try:
            return self._issue()
        except SyneriseAuthError as e:
            return refusal(e.status, e.code, str(e), e.retry_after)

    def _issue(self) -> Response:
        if not self._same_site():
            return refusal(403, "cross_site_request",
                           "this request came from another site; only this site and the "
                           "configured allowed_origins may ask for tokens")
        email = self.current_customer()
        if not email:
            return refusal(401, "not_signed_in", "no customer is signed in")
        body, problem = read_body()
        if problem is not None:
            return problem
        claimed = body.get("email")
        if claimed is not None and (not isinstance(claimed, str)
                                    or claimed.strip().lower() != email.strip().lower()):
            return refusal(403, "email_mismatch",
                           "the email differs from the signed-in customer's; a token is only "
                           "issued for your own account")
        self.rate_limit.check(email.strip().lower())
        token = self.issuer.issue(email)
        response = json_response(200, token.as_reply())
        response.headers["Cache-Control"] = "no-store"
        return response

    def _jwks(self) -> Response:
        response = Response(self.issuer.jwks_json(), 200, mimetype="application/json")
        response.headers["Cache-Control"] = KEYS_CACHE
        return response

    def _public_key(self) -> Response:
        response = Response(self.issuer.public_key("pem"), 200, mimetype="application/x-pem-file")
        response.headers["Cache-Control"] = KEYS_CACHE
        return response

    # -- checks --------------------------------------------------------------------------------

    def _same_site(self) -> bool:
        return same_site(self.allowed_origins)


def same_site(allowed_origins: Iterable[str] = ()) -> bool:
    """Whether the current request may use the customer's cookie: synerise-auth's CSRF rule.
    `Sec-Fetch-Site` first (`same-origin`, or any value with an allowed `Origin`), then `Origin`
    against `Host`. A request with neither was not made by a browser page, so no customer's
    cookie rode along with it unasked."""
    origin = request.headers.get("Origin")
    allowed = origin is not None and origin.rstrip("/").lower() in allowed_origins
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none") or allowed
    if origin is None or allowed:
        return True
    for scheme in ("https://", "http://"):
        if origin.lower().startswith(scheme):
            return origin[len(scheme):].lower() == request.host.lower()
    return False


def method_not_allowed() -> Response:
    response = refusal(405, "method_not_allowed", "method not allowed")
    response.headers["Allow"] = "POST"
    return response


def read_body() -> Tuple[dict, Optional[Response]]:
    """The body as a JSON object: none at all reads as ``{}``."""
    # Bounded whether or not the client sent Content-Length: a chunked body is read only up to
    # one byte past the limit.
    if request.content_length is not None:
        if request.content_length > MAX_BODY_BYTES:
            return {}, refusal(413, "payload_too_large", "request body too large")
        raw = request.get_data()
    else:
        raw = request.stream.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            return {}, refusal(413, "payload_too_large", "request body too large")
    if not raw.strip():
        return {}, None
    if request.mimetype != "application/json":
        return {}, refusal(415, "unsupported_media_type", "expected Content-Type: application/json")
    try:
        body: Any = json.loads(raw)
    except ValueError as e:
        return {}, refusal(400, "malformed_json", f"the body is not JSON: {e}")
    if not isinstance(body, dict):
        return {}, refusal(400, "invalid_body", "the body must be a JSON object")
    return body, None


#: WSGI servers that write a `Date` header on every reply themselves (and would send a second one,
#: which a browser reads as two dates joined by a comma, if the app set it too).
SERVERS_THAT_DATE = ("werkzeug", "gunicorn", "waitress", "uvicorn", "hypercorn", "apache")


def json_response(status: int, body: dict) -> Response:
    response = Response(json.dumps(body), status, mimetype="application/json")
    # The browser core renews by the server's clock, read from `Date`: set here for servers that
    # do not write it (and for test clients), left to those that do.
    software = request.environ.get("SERVER_SOFTWARE", "").lower()
    if not software.startswith(SERVERS_THAT_DATE):
        response.headers["Date"] = formatdate(usegmt=True)
    return response


def refusal(status: int, code: str, message: str, retry_after: Optional[int] = None) -> Response:
    response = json_response(status, {"error": message, "code": code})
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(1, int(retry_after)))
    return response
