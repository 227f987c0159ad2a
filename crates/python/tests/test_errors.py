"""Every refusal raises the package's exception with the service's stable code and status."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from synerise_auth import (
    ConfigurationError,
    InvalidInput,
    Issuer,
    RateLimit,
    RateLimited,
    SyneriseAuthError,
    TokenRefused,
    identity_hash,
    verify,
)
from conftest import SALT


def refusal(call, kind=SyneriseAuthError):
    with pytest.raises(kind) as caught:
        call()
    assert isinstance(caught.value, SyneriseAuthError)
    return caught.value.code, caught.value.status


def test_issuer_configuration_refusals(key_file: Path, tmp_path: Path) -> None:
    assert refusal(lambda: Issuer(tmp_path / "absent.pem", salt=SALT), ConfigurationError) == ("key_set_invalid", 500)
    (tmp_path / "public.pem").write_text((key_file.parent / "public.pem").read_text())
    assert refusal(lambda: Issuer(tmp_path / "public.pem", salt=SALT), ConfigurationError) == ("key_set_invalid", 500)
    assert refusal(lambda: Issuer(key_file, salt=""), ConfigurationError) == ("invalid_salt", 500)
    assert refusal(lambda: Issuer(key_file, salt=SALT, ttl="59s"), ConfigurationError) == ("invalid_ttl", 500)
    assert refusal(lambda: Issuer(key_file, salt=SALT, ttl="soon"), ConfigurationError) == ("invalid_ttl", 500)
    assert refusal(lambda: Issuer(key_file, salt=SALT, ttl=31 * 86400), ConfigurationError) == ("invalid_ttl", 500)


def test_input_refusals(issuer: Issuer) -> None:
    assert refusal(lambda: issuer.issue("not an email"), InvalidInput) == ("invalid_email", 400)
    assert refusal(lambda: issuer.issue(""), InvalidInput) == ("invalid_email", 400)
    assert refusal(lambda: issuer.issue("a@example.com", uuid="nope"), InvalidInput) == ("invalid_uuid", 400)
    assert refusal(lambda: issuer.issue("a@example.com", uuid="00000000-0000-0000-0000-000000000000"),
                   InvalidInput) == ("invalid_uuid", 400)
    assert refusal(lambda: issuer.public_key("der"), InvalidInput) == ("invalid_format", 400)
    assert refusal(lambda: identity_hash("nobody"), InvalidInput) == ("invalid_email", 400)


def test_rate_limit_refuses_past_the_quota_per_key() -> None:
    limit = RateLimit(2)
    limit.check("a@example.com")
    limit.check("a@example.com")
    with pytest.raises(RateLimited) as e:
        limit.check("a@example.com")
    assert (e.value.code, e.value.status) == ("rate_limited", 429)
    assert 1 <= e.value.retry_after <= 60
    limit.check("b@example.com")
    unlimited = RateLimit(0)
    for _ in range(200):
        unlimited.check("a@example.com")
    limit.prune()


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_every_verification_code(issuer: Issuer, key_file: Path, tmp_path: Path) -> None:
    private = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    public = issuer.public_key()
    now = int(time.time())
    good = {"exp": now + 600, "uuid": "345d4c8f-5aff-591d-a19c-1ca48923d9ee", "email": "a@example.com"}

    def code_of(token: str) -> str:
        with pytest.raises(TokenRefused) as e:
            verify(token, public)
        assert e.value.status == 401
        return e.value.code

    def signed(claims: dict, **headers) -> str:
        return jwt.encode(claims, private, algorithm="RS256", headers=headers or None)

    assert verify(signed(good), public)["email"] == "a@example.com"
    assert code_of("not.a.jwt") == "malformed_token"
    assert code_of("onlyonepart") == "malformed_token"
    # HS256 "signed" with the public key as the secret: refused before any signature check.
    forged = b64({"alg": "HS256", "typ": "JWT"}) + "." + b64(good) + ".c2ln"
    assert code_of(forged) == "wrong_algorithm"
    assert code_of(b64({"alg": "none"}) + "." + b64(good) + ".c2ln") == "wrong_algorithm"
    head, body, sig = signed(good).split(".")
    assert code_of(f"{head}.{b64({**good, 'email': 'b@example.com'})}.{sig}") == "bad_signature"
    assert code_of(signed({**good, "exp": now - 3600})) == "expired"
    assert code_of(signed({**good, "nbf": now + 3600})) == "not_yet_valid"
    assert code_of(signed({k: v for k, v in good.items() if k != "uuid"})) == "missing_claim"
    assert code_of(signed({**good, "uuid": "not-a-uuid"})) == "invalid_claim"
    # unknown_key needs a key set: tests/test_keys.py.


def test_a_bad_public_key_text_is_refused(issuer: Issuer) -> None:
    token = issuer.issue("a@example.com").token
    with pytest.raises(SyneriseAuthError) as e:
        verify(token, "not a key")
    assert e.value.code == "key_set_invalid"
