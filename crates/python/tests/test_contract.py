"""The token endpoint contract, checked by `synerise-auth check-endpoint` (the project's one
conformance checker) against the Flask extension served for real on a free port, and against
`synerise-auth serve` with an API key: both answer the same contract."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import subprocess
import threading
import urllib.request
from pathlib import Path
from typing import Iterator, Tuple

import pytest
from flask import Flask, session
from werkzeug.serving import make_server

from synerise_auth import Issuer
from synerise_auth.flask import SyneriseAuth
from conftest import SALT, cli_path, run_cli

EMAIL = "ann@example.com"


@pytest.fixture()
def salt_file(tmp_path: Path) -> Path:
    path = tmp_path / "salt"
    path.write_text(SALT)
    return path


@pytest.fixture()
def flask_url(key_file: Path) -> Iterator[Tuple[str, str]]:
    """The extension on a real port: (token URL, the signed-in customer's Cookie header)."""
    app = Flask(__name__)
    app.secret_key = secrets.token_hex(16)

    @app.post("/login")
    def login():
        session["email"] = EMAIL
        return "", 204

    SyneriseAuth(app, issuer=Issuer(key_file, salt=SALT), current_customer=lambda: session.get("email"),
                 token_path="/shop/token")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(urllib.request.Request(f"{base}/login", method="POST"), timeout=10)
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        assert cookie, "the login set no session cookie"
        yield f"{base}/shop/token", cookie
    finally:
        server.shutdown()
        thread.join(10)


def check(url: str, key_dir: Path, salt_file: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli("check-endpoint", url, "--public-key", str(key_dir / "public.pem"),
                   "--expect-email", EMAIL, "--salt-file", str(salt_file), *args, check=False)


def test_the_flask_extension_meets_the_contract(flask_url, key_dir: Path, salt_file: Path) -> None:
    url, cookie = flask_url
    done = check(url, key_dir, salt_file, "--header", f"Cookie: {cookie}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    for held in ["signed-in: the token's uuid is UUIDv5 of the salt and the email",
                 "anonymous: the code is not_signed_in", "cross-site: the code is cross_site_request"]:
        assert re.search(rf"^ok +{re.escape(held)}", done.stdout, re.M), done.stdout


def test_the_checker_fails_an_endpoint_that_breaks_it(flask_url, key_dir: Path, salt_file: Path,
                                                       tmp_path: Path) -> None:
    # Another key's certificate: the tokens must not pass.
    other = tmp_path / "other"
    run_cli("keygen", "--out", str(other))
    url, cookie = flask_url
    done = run_cli("check-endpoint", url, "--public-key", str(other / "public.pem"),
                   "--expect-email", EMAIL, "--header", f"Cookie: {cookie}", check=False)
    assert done.returncode != 0, done.stdout


def test_the_checker_names_a_uuid_of_another_salt(flask_url, key_dir: Path, tmp_path: Path) -> None:
    # The extension signs with SALT; a site whose salt is another one must not pass, and the
    # checker must say it is the uuid (and nothing else) that is wrong.
    other_salt = tmp_path / "other-salt"
    other_salt.write_text("another-salt")
    url, cookie = flask_url
    done = check(url, key_dir, other_salt, "--header", f"Cookie: {cookie}")
    assert done.returncode == 1, done.stdout
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    uuid_check = "signed-in: the token's uuid is UUIDv5 of the salt and the email"
    assert len(failed) == 1 and re.match(rf"^FAIL +{re.escape(uuid_check)}: it is ", failed[0]), done.stdout


def test_serve_meets_the_contract_with_an_api_key(key_file: Path, key_dir: Path, salt_file: Path,
                                                  tmp_path: Path) -> None:
    api_key = secrets.token_hex(24)
    proc = subprocess.Popen(
        [cli_path(), "serve", "--listen", "127.0.0.1:0", "--data-dir", str(tmp_path / "data"),
         "--key", str(key_file), "--uuid-salt", SALT],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "SYNERISE_AUTH_API_KEYS": api_key})
    try:
        assert proc.stdout is not None
        url = None
        for line in proc.stdout:
            match = re.match(r"^synerise-auth listening on (http://\S+)$", line.strip())
            if match:
                url = match.group(1)
                break
        assert url, "serve did not print its ready line"
        done = check(f"{url}/generate-jwt", key_dir, salt_file,
                     "--header", f"Authorization: Bearer {api_key}", "--no-cross-site")
        assert done.returncode == 0, done.stdout + done.stderr
    finally:
        proc.terminate()
        proc.wait(10)
