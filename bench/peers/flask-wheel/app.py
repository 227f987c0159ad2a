# The guide's Flask service rebuilt on the synerise-auth wheel: the same route and reply as
# shared/anchors/seed-flask/app_preloaded.py (the key parsed once), with the token signed by the
# Rust core through the package's Flask extension. Like the anchor it trusts the body's email, so
# both do the same work per request; a shop's `current_customer` reads its own session instead.
import os

from flask import Flask, request

from synerise_auth import Issuer
from synerise_auth.flask import SyneriseAuth

app = Flask(__name__)

SyneriseAuth(
    app,
    issuer=Issuer(os.environ["PEER_KEY"], salt=os.environ["PEER_UUID_SALT"]),
    current_customer=lambda: (request.get_json(silent=True) or {}).get("email"),
    # No limit: the benchmark asks for one customer's token thousands of times a second.
    tokens_per_minute=0,
)
