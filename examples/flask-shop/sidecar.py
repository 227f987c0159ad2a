"""Tokens from `synerise-auth serve` running beside the shop (the sidecar mode): the shop's own
route asks `POST /generate-jwt` with an API key for the customer it has signed in. Any back end,
in any language, can do the same with its HTTP client."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Dict

from synerise_auth import RateLimited, SyneriseAuthError

#: How long the shop waits for the service before answering 503.
TIMEOUT_SECONDS = 5


class Reply:
    def __init__(self, body: Dict[str, str]) -> None:
        self.body = body

    def as_reply(self) -> Dict[str, str]:
        return self.body


class SidecarTokens:
    """`issue(email)` as `synerise_auth.Issuer` has it, answered by the service. Its refusals
    come back as the package's exceptions with the service's own code and status."""

    def __init__(self, url: str, api_key: str) -> None:
        self.endpoint = url.rstrip("/") + "/generate-jwt"
        self.api_key = api_key

    def issue(self, email: str) -> Reply:
        request = urllib.request.Request(
            self.endpoint, method="POST", data=json.dumps({"email": email}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                body = json.load(response)
                return Reply({k: body[k] for k in ("jwt", "uuid", "expiresAt")})
        except urllib.error.HTTPError as e:
            raise refusal_of(e) from None
        except (OSError, ValueError, KeyError):
            raise SyneriseAuthError("the token service cannot be reached; try again shortly",
                                    "token_service_unavailable", 503, 2) from None


def refusal_of(e: urllib.error.HTTPError) -> SyneriseAuthError:
    try:
        body = json.load(e)
        code, message = str(body["code"]), str(body["error"])
    except (ValueError, KeyError, TypeError):
        code, message = "token_service_unavailable", "the token service answered unexpectedly"
    retry_after = int(e.headers.get("Retry-After") or 0) or None
    if e.code == 429:
        return RateLimited(message, code, 429, retry_after)
    if e.code in (401, 403):
        # The service refused the shop's API key: the shop's configuration, not the customer.
        return SyneriseAuthError("the token service refused this shop's API key",
                                 "internal_error", 500)
    if e.code >= 500:
        # The service's fault is the shop's 503: the customer may try again.
        return SyneriseAuthError(message, code, 503, retry_after or 2)
    return SyneriseAuthError(message, code, e.code)
