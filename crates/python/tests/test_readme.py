"""The package README's Flask section, followed as written: its app (taken from the Markdown
itself, so the page cannot drift from what runs) in a fresh directory with `synerise-auth keygen
--out keys` and the salt in the environment, served on a real port; a signed-in customer's token
request is then checked by `synerise-auth check-endpoint`. The wheel is installed into a fresh
virtual environment by scripts/test-python, as `pip install "synerise-auth[flask]" flask-login`
would install it.

The README leaves the shop's accounts and sign-in to the shop (its `# ... your own accounts and
sign-in ...` line); the test puts a stand-in sign-in there."""

from __future__ import annotations

import re
import threading
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from conftest import run_cli

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## A token route in a Flask app, from an empty virtual environment"
PLACEHOLDER = "# ... your own accounts and sign-in (Flask-Login here) ..."
EMAIL = "ann@example.com"
SALT = "a-readme-salt"

#: What the README leaves to the shop: Flask-Login's setup and a sign-in route.
STAND_IN_SIGN_IN = '''
from flask import request
from flask_login import UserMixin, login_user

app.secret_key = "a secret key for the test"

class Customer(UserMixin):
    def __init__(self, email):
        self.id = self.email = email

LoginManager(app).user_loader(Customer)

@app.post("/test/sign-in")
def test_sign_in():
    login_user(Customer(request.get_json()["email"]))
    return "", 204
'''


def readme_app() -> str:
    text = README.read_text()
    section = text[text.index(SECTION):]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "the Flask section has no python block"
    code = block.group(1)
    assert PLACEHOLDER in code, "the README's app no longer leaves the sign-in to the shop there"
    return code.replace(PLACEHOLDER, STAND_IN_SIGN_IN)


def test_the_readme_flask_app_answers_the_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SYNERISE_AUTH_UUID_SALT", SALT)
    run_cli("keygen", "--out", "keys")
    (tmp_path / "salt").write_text(SALT)
    namespace: dict = {"__name__": "readme_app"}
    exec(compile(readme_app(), str(README), "exec"), namespace)

    server = make_server("127.0.0.1", 0, namespace["app"], threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        sign_in = urllib.request.urlopen(urllib.request.Request(
            f"{base}/test/sign-in", data=f'{{"email": "{EMAIL}"}}'.encode(), method="POST",
            headers={"Content-Type": "application/json"}), timeout=10)
        cookie = "; ".join(c.split(";")[0] for c in sign_in.headers.get_all("Set-Cookie") or [])
        assert cookie, "the sign-in set no session cookie"

        done = run_cli("check-endpoint", f"{base}/generate-jwt", "--public-key", "keys/public.pem",
                       "--expect-email", EMAIL, "--salt-file", "salt", "--header", f"Cookie: {cookie}",
                       check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        # The optional routes the README mounts.
        for path in ["/.well-known/jwks.json", "/public-key"]:
            assert urllib.request.urlopen(f"{base}{path}", timeout=10).status == 200, path
    finally:
        server.shutdown()
        thread.join(10)
