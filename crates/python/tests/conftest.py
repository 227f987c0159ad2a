"""Shared fixtures: the synerise-auth binary (for `keygen`, `keys`, `verify`), keys made by it,
and issuers over them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import List

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from synerise_auth import Issuer

SALT = "someString"


def cli_path() -> str:
    path = os.environ.get("SYNERISE_AUTH_BIN")
    if not path or not Path(path).is_file():
        pytest.fail("SYNERISE_AUTH_BIN must name the synerise-auth binary (scripts/test-python sets it)")
    return path


def run_cli(*args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([cli_path(), *args], input=input, capture_output=True, text=True,
                          timeout=60)
    if check and done.returncode != 0:
        raise AssertionError(f"synerise-auth {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done


def cli_verify(token: str, *key_args: str) -> dict:
    """`synerise-auth verify`: our verifier, run as a separate program."""
    done = run_cli("verify", *key_args, token)
    return json.loads(done.stdout)


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding private.pem (PKCS#8) and public.pem, made by `cryptography`: a key
    from outside the project, as a shop may already have one."""
    out = tmp_path_factory.mktemp("keys")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (out / "private.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (out / "public.pem").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return out


@pytest.fixture(scope="session")
def key_file(key_dir: Path) -> Path:
    return key_dir / "private.pem"


@pytest.fixture()
def issuer(key_file: Path) -> Issuer:
    return Issuer(key_file, salt=SALT)


