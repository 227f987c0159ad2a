"""Issuing: the token verifies with PyJWT (another implementation) and with `synerise-auth
verify`; claims, uuid and expiry are what the service would give; Synerise's vectors hold."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

import jwt
import pytest

from synerise_auth import IssuedToken, Issuer, customer_uuid, identity_hash, verify
from conftest import SALT, cli_verify, run_cli


def test_token_verifies_with_pyjwt_and_with_our_verifier(issuer: Issuer, key_dir: Path) -> None:
    before = int(time.time())
    issued = issuer.issue("Ann@Example.COM")
    public_pem = (key_dir / "public.pem").read_text()

    claims = jwt.decode(issued.token, public_pem, algorithms=["RS256"])
    assert claims["email"] == "Ann@example.com", "the domain is lower-cased, as the service does"
    assert claims["uuid"] == issued.uuid == customer_uuid(SALT, "Ann@example.com")
    assert before + 7 * 24 * 3600 <= claims["exp"] <= int(time.time()) + 7 * 24 * 3600
    assert claims["exp"] == issued.exp
    assert jwt.get_unverified_header(issued.token) == {"alg": "RS256", "typ": "JWT"}

    ours = cli_verify(issued.token, "--public-key", str(key_dir / "public.pem"))
    assert ours["claims"]["uuid"] == issued.uuid
    assert ours["claims"]["email"] == "Ann@example.com"


def test_expires_at_is_rfc3339_of_exp_and_the_reply_has_the_contracts_fields(issuer: Issuer) -> None:
    issued = issuer.issue("ann@example.com")
    at = datetime.strptime(issued.expires_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert int(at.timestamp()) == issued.exp
    assert issued.as_reply() == {"jwt": issued.token, "uuid": issued.uuid,
                                 "expiresAt": issued.expires_at}


def test_a_given_uuid_is_used_and_ttl_is_applied(key_file: Path) -> None:
    issuer = Issuer(key_file, salt=SALT, ttl="1h")
    assert issuer.ttl == 3600
    issued = issuer.issue("ann@example.com", uuid="7023E164-2318-542C-9992-0B70CF4C5625")
    claims = issuer.verify(issued.token)
    assert claims["uuid"] == "7023e164-2318-542c-9992-0b70cf4c5625"
    assert claims["exp"] - claims["iat"] == 3600
    assert Issuer(key_file, salt=SALT, ttl=120).issue("a@example.com").exp - int(time.time()) <= 121


def test_synerise_published_uuid_vectors() -> None:
    # The vectors on Synerise's "Customer UUIDs" page, as crates/token checks them.
    assert customer_uuid("someString", "customer@synerise.com") == "345d4c8f-5aff-591d-a19c-1ca48923d9ee"
    assert customer_uuid("yourdomain.com", "customer@synerise.com") == "7023e164-2318-542c-9992-0b70cf4c5625"


def test_uuid_agrees_with_the_cli_and_the_issuer(issuer: Issuer) -> None:
    for email in ["ann@example.com", "zażółć@gęślą.pl", "-dash@example.com"]:
        printed = run_cli("uuid", "--salt", SALT, email).stdout.strip()
        assert customer_uuid(SALT, email) == printed
    assert issuer.customer_uuid("Ann@EXAMPLE.com") == customer_uuid(SALT, "Ann@example.com")


def test_identity_hash_matches_the_integrations_arithmetic_and_the_cli() -> None:
    assert identity_hash("customer@synerise.com") == -374943845
    def java_bytes_hash(text: str) -> int:
        h = 0
        for byte in text.encode():
            h = (31 * h + byte) & 0xFFFFFFFF
        return h - (1 << 32) if h >= 1 << 31 else h
    for email in ["ann@example.com", "zażółć@gęślą.pl",
                  "a-very-long-local-part-that-wraps-many-times@subdomain.example.co.uk"]:
        assert identity_hash(email) == java_bytes_hash(email)
        assert identity_hash(email) == int(run_cli("identity-hash", email).stdout)
    assert identity_hash("  Ann@EXAMPLE.com ") == java_bytes_hash("Ann@example.com")


def test_module_verify_takes_every_public_key_form(issuer: Issuer) -> None:
    issued = issuer.issue("ann@example.com")
    for form in ["single-line", "pem", "base64"]:
        claims = verify(issued.token, issuer.public_key(form))
        assert claims["uuid"] == issued.uuid


def test_public_key_forms_agree_with_the_cli(issuer: Issuer, key_file: Path) -> None:
    for form in ["single-line", "pem", "base64", "jwk"]:
        printed = run_cli("public-key", "--key", str(key_file), "--format", form).stdout
        assert issuer.public_key(form).strip() == printed.strip(), form
    one_line = issuer.public_key()
    assert one_line.startswith("-----BEGIN PUBLIC KEY-----") and "\n" not in one_line


def test_jwks_publishes_the_active_key_with_its_thumbprint(issuer: Issuer) -> None:
    import json

    keys = json.loads(issuer.jwks_json())["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["use"] == "sig"
    token = issuer.issue("ann@example.com").token
    key = jwt.PyJWK(keys[0])
    assert jwt.decode(token, key.key, algorithms=["RS256"])["email"] == "ann@example.com"


def test_no_secret_or_email_in_any_repr(key_file: Path) -> None:
    salt = "a-secret-salt-value"
    issuer = Issuer(key_file, salt=salt)
    issued = issuer.issue("private.person@example.com")
    for shown in [repr(issuer), str(issuer), repr(issued), str(issued)]:
        assert salt not in shown
        assert "private.person" not in shown
        assert issued.token not in shown
        assert issued.token.split(".")[2] not in shown
        assert "PRIVATE KEY" not in shown and str(key_file) not in shown
    assert "<redacted>" in repr(issued)
    assert isinstance(issued, IssuedToken)
