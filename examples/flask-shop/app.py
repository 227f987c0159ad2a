"""A small shop with its own customer accounts and sign-in (Flask-Login), a React page, and
Synerise's tracker, whose signed-in customers' events carry a synerise-auth token.

One setting chooses how tokens are made (SHOP_TOKENS):
- `wheel`: in this process, by the synerise-auth Python package (SYNERISE_AUTH_KEY: a key file or
  key directory; SYNERISE_AUTH_UUID_SALT);
- `sidecar`: by `synerise-auth serve` beside the shop, asked with an API key
  (SYNERISE_AUTH_URL, SYNERISE_AUTH_API_KEY): the pattern for a back end in any language.
Either way the browser asks the shop's own route, POST /shop/token.
"""

from __future__ import annotations

import os
from typing import Optional

from flask import Flask, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from accounts import Accounts
from synerise_auth import Issuer
from synerise_auth.flask import SyneriseAuth, TokenSource, refusal, same_site

TOKEN_ROUTE = "/shop/token"


def setting(name: str, default: Optional[str] = None) -> str:
    value = os.environ.get(name, default)
    if not value:
        raise SystemExit(f"flask-shop: set {name}")
    return value


def token_source(mode: str) -> TokenSource:
    if mode == "wheel":
        return Issuer(setting("SYNERISE_AUTH_KEY"), salt=setting("SYNERISE_AUTH_UUID_SALT"))
    if mode == "sidecar":
        from sidecar import SidecarTokens

        return SidecarTokens(setting("SYNERISE_AUTH_URL"), setting("SYNERISE_AUTH_API_KEY"))
    raise SystemExit(f"flask-shop: SHOP_TOKENS is `{mode}`; choose wheel or sidecar")


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=setting("SHOP_SECRET_KEY"),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        # Synerise's tracker: its script, and (for our local stand-in) where it sends events.
        TRACKER_SCRIPT=setting("SHOP_TRACKER_SCRIPT"),
        TRACKER_EVENTS=os.environ.get("SHOP_TRACKER_EVENTS", ""),
        TOKENS=os.environ.get("SHOP_TOKENS", "wheel"),
    )
    accounts = Accounts(setting("SHOP_DATABASE"))
    app.extensions["shop_accounts"] = accounts

    login = LoginManager(app)
    login.login_view = "sign_in"
    login.user_loader(accounts.get)

    SyneriseAuth(
        app,
        issuer=token_source(app.config["TOKENS"]),
        current_customer=lambda: current_user.email if current_user.is_authenticated else None,
        token_path=TOKEN_ROUTE,
    )

    @app.get("/")
    @login_required
    def shop():
        return render_template("shop.html", customer=current_user.email, token_route=TOKEN_ROUTE)

    @app.route("/login", methods=["GET", "POST"])
    def sign_in():
        error = None
        if request.method == "POST":
            customer = accounts.check(request.form.get("email", ""), request.form.get("password", ""))
            if customer is not None:
                login_user(customer)
                return redirect(url_for("shop"))
            error = "Wrong email or password."
        return render_template("login.html", error=error), 401 if error else 200

    @app.delete("/api/session")
    def sign_out():
        # Called by the page's `logout()`, which then clears the tracker's token in every tab.
        if not same_site():
            return refusal(403, "cross_site_request", "this request came from another site")
        logout_user()
        return "", 204

    @app.cli.command("add-customer")
    def add_customer() -> None:
        """Adds a customer: SHOP_CUSTOMER_EMAIL and SHOP_CUSTOMER_PASSWORD."""
        accounts.add(setting("SHOP_CUSTOMER_EMAIL"), setting("SHOP_CUSTOMER_PASSWORD"))

    return app
