"""A key directory as `synerise-auth keys` manages it: the issuer signs with the active key, puts
its kid in the header, publishes the next key, and `reload` follows a rotation."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest

from synerise_auth import ConfigurationError, Issuer, TokenRefused
from conftest import SALT, cli_verify, run_cli


def kid_of(token: str) -> str | None:
    return jwt.get_unverified_header(token).get("kid")


def test_rotation_new_activate_reload(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    run_cli("keys", "--dir", str(keys), "init")
    issuer = Issuer(keys, salt=SALT)
    first = issuer.issue("ann@example.com")
    first_kid = issuer.kid
    assert issuer.kid is None, "a set of one key puts no kid, as `serve` does"
    assert json.loads(issuer.jwks_json())["keys"].__len__() == 1

    run_cli("keys", "--dir", str(keys), "new")
    issuer.reload()
    published = [k["kid"] for k in json.loads(issuer.jwks_json())["keys"]]
    assert len(published) == 2, "the next key is published before it signs"
    second = issuer.issue("ann@example.com")
    assert kid_of(second.token) == published[0], "with two keys the header names the signing key"

    run_cli("keys", "--dir", str(keys), "activate")
    issuer.reload()
    third = issuer.issue("ann@example.com")
    assert kid_of(third.token) == published[1], "the next key signs after activate + reload"
    assert issuer.kid == published[1]
    # Tokens naming their key still verify: the retired key stays published while they live.
    for token in (second.token, third.token):
        assert issuer.verify(token)["email"] == "ann@example.com"
        assert cli_verify(token, "--key", str(keys))["claims"]["uuid"] == third.uuid
    # A token without `kid` is checked against the key that signs now, by the same rule as
    # `synerise-auth verify`: the one signed before the set had two keys no longer passes.
    with pytest.raises(TokenRefused) as e:
        issuer.verify(first.token)
    assert e.value.code == "bad_signature"
    assert run_cli("verify", "--key", str(keys), first.token, check=False).returncode == 1
    assert first_kid is None


def test_a_failed_reload_keeps_the_old_keys(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    run_cli("keys", "--dir", str(keys), "init")
    issuer = Issuer(keys, salt=SALT)
    before = issuer.public_key()
    (keys / "keys.json").write_text("not json")
    with pytest.raises(ConfigurationError) as e:
        issuer.reload()
    assert e.value.code == "key_set_invalid"
    assert issuer.public_key() == before
    assert issuer.verify(issuer.issue("ann@example.com").token)["email"] == "ann@example.com"


def test_unknown_kid_is_refused_by_the_set(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    run_cli("keys", "--dir", str(keys), "init")
    run_cli("keys", "--dir", str(keys), "new")
    issuer = Issuer(keys, salt=SALT)
    other = tmp_path / "other"
    run_cli("keys", "--dir", str(other), "init")
    run_cli("keys", "--dir", str(other), "new")
    stranger = Issuer(other, salt=SALT).issue("ann@example.com").token
    with pytest.raises(TokenRefused) as e:
        issuer.verify(stranger)
    assert (e.value.code, e.value.status) == ("unknown_key", 401)


def test_fixed_and_thumbprint_kid(key_file: Path) -> None:
    fixed = Issuer(key_file, salt=SALT, kid="shop-key-1")
    assert kid_of(fixed.issue("a@example.com").token) == "shop-key-1"
    thumb = Issuer(key_file, salt=SALT, kid="thumbprint")
    jwk = json.loads(thumb.public_key("jwk"))
    assert kid_of(thumb.issue("a@example.com").token) == jwk["kid"]
