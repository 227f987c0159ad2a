"""The Flask extension through Flask's own test client: the contract's reply and every refusal
with its status and code. (The same app, served for real, is checked by the contract checker and
in Chromium: tests/test_contract.py and examples/flask-shop.)"""

from __future__ import annotations

import io
from email.utils import parsedate_to_datetime
from pathlib import Path

import jwt
import pytest
from flask import Flask, session

from synerise_auth import Issuer
from synerise_auth.flask import SyneriseAuth
from conftest import SALT

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def make_app(issuer: Issuer, **options) -> Flask:
    app = Flask(__name__)
    app.secret_key = "test secret key, not a real one"

    @app.post("/login/<email>")
    def login(email: str):
        session["email"] = email
        return "", 204

    SyneriseAuth(app, issuer=issuer, current_customer=lambda: session.get("email"),
                 jwks_path="/.well-known/jwks.json", public_key_path="/public-key", **options)
    return app


@pytest.fixture()
def client(issuer: Issuer):
    return make_app(issuer).test_client()


def signed_in(client, email: str = "ann@example.com"):
    assert client.post(f"/login/{email}").status_code == 204
    return client


def assert_refusal(response, status: int, code: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == code and isinstance(body["error"], str) and body["error"]
    assert set(body) == {"error", "code"}


def test_a_signed_in_customer_gets_a_token(client, issuer: Issuer, key_dir: Path) -> None:
    response = signed_in(client).post("/generate-jwt", headers=SAME_ORIGIN)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"jwt", "uuid", "expiresAt"}
    claims = jwt.decode(body["jwt"], (key_dir / "public.pem").read_text(), algorithms=["RS256"])
    assert claims["email"] == "ann@example.com" and claims["uuid"] == body["uuid"]
    assert response.headers["Cache-Control"] == "no-store"
    assert parsedate_to_datetime(response.headers["Date"]).tzinfo is not None
    # An empty JSON object and the customer's own email are accepted as well.
    assert client.post("/generate-jwt", json={}, headers=SAME_ORIGIN).status_code == 200
    assert client.post("/generate-jwt", json={"email": "ANN@example.com"}, headers=SAME_ORIGIN).status_code == 200


def test_keys_routes(client, issuer: Issuer) -> None:
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.status_code == 200 and len(jwks.get_json()["keys"]) == 1
    assert jwks.headers["Cache-Control"] == "public, max-age=300"
    pem = client.get("/public-key")
    assert pem.status_code == 200 and pem.get_data(as_text=True) == issuer.public_key("pem")


def test_not_signed_in(client) -> None:
    response = client.post("/generate-jwt", headers=SAME_ORIGIN)
    assert_refusal(response, 401, "not_signed_in")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site", "Origin": "https://evil.example"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
])
def test_cross_site_requests_are_refused(client, headers) -> None:
    assert_refusal(signed_in(client).post("/generate-jwt", headers=headers), 403, "cross_site_request")


def test_same_origin_by_origin_and_allowed_origins(issuer: Issuer) -> None:
    app = make_app(issuer, allowed_origins=["https://shop.example"])
    client = signed_in(app.test_client())
    assert client.post("/generate-jwt", headers={"Origin": "http://localhost"}).status_code == 200
    assert client.post("/generate-jwt", headers={"Sec-Fetch-Site": "cross-site",
                                                 "Origin": "https://shop.example"}).status_code == 200
    assert client.post("/generate-jwt").status_code == 200, "no browser headers: not a page's request"


def test_email_mismatch(client) -> None:
    response = signed_in(client).post("/generate-jwt", json={"email": "bob@example.com"}, headers=SAME_ORIGIN)
    assert_refusal(response, 403, "email_mismatch")
    response = client.post("/generate-jwt", json={"email": 5}, headers=SAME_ORIGIN)
    assert_refusal(response, 403, "email_mismatch")


def test_bad_bodies(client) -> None:
    signed_in(client)
    assert_refusal(client.post("/generate-jwt", data="{", content_type="application/json",
                               headers=SAME_ORIGIN), 400, "malformed_json")
    assert_refusal(client.post("/generate-jwt", json=[1], headers=SAME_ORIGIN), 400, "invalid_body")
    assert_refusal(client.post("/generate-jwt", data="email=a", content_type="text/plain",
                               headers=SAME_ORIGIN), 415, "unsupported_media_type")
    big = '{"email": "' + "a" * 20_000 + '"}'
    assert_refusal(client.post("/generate-jwt", data=big, content_type="application/json",
                               headers=SAME_ORIGIN), 413, "payload_too_large")
    # Without Content-Length (chunked), the body is cut at the limit all the same.
    chunked = client.post("/generate-jwt", input_stream=io.BytesIO(big.encode()),
                          content_type="application/json",
                          headers={**SAME_ORIGIN, "Transfer-Encoding": "chunked"},
                          # What a server that reads chunked bodies (Werkzeug's, gunicorn) sets.
                          environ_base={"wsgi.input_terminated": True})
    assert_refusal(chunked, 413, "payload_too_large")


def test_one_date_header_whatever_the_server(issuer: Issuer) -> None:
    # Werkzeug's and gunicorn's servers write their own Date: a second one would reach the
    # browser as two dates joined by a comma.
    client = signed_in(make_app(issuer).test_client())
    for software, dates in [("Werkzeug/3.1.9 Python/3.11.7", 0), ("gunicorn/27.0.1", 0), ("uWSGI", 1), (None, 1)]:
        base = {} if software is None else {"SERVER_SOFTWARE": software}
        response = client.post("/generate-jwt", headers=SAME_ORIGIN, environ_base=base)
        assert response.status_code == 200
        assert len(response.headers.getlist("Date")) == dates, software


def test_other_methods_get_a_json_405(client) -> None:
    response = client.get("/generate-jwt")
    assert_refusal(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == "POST"


def test_rate_limited_per_customer(issuer: Issuer) -> None:
    client = signed_in(make_app(issuer, tokens_per_minute=2).test_client())
    for _ in range(2):
        assert client.post("/generate-jwt", headers=SAME_ORIGIN).status_code == 200
    response = client.post("/generate-jwt", headers=SAME_ORIGIN)
    assert_refusal(response, 429, "rate_limited")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    # Another customer has an allowance of their own.
    assert signed_in(client, "bob@example.com").post("/generate-jwt", headers=SAME_ORIGIN).status_code == 200


def test_an_invalid_email_from_the_shop_is_a_400_not_a_500(issuer: Issuer) -> None:
    client = signed_in(make_app(issuer).test_client(), "not-an-email")
    assert_refusal(client.post("/generate-jwt", headers=SAME_ORIGIN), 400, "invalid_email")
