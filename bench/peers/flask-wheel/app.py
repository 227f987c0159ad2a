# The guide's Flask service rebuilt on the synerise-auth wheel: the same route and reply as
# shared/anchors/seed-flask/app_preloaded.py (the key parsed once), with the token signed by the
# Rust core through the package's Flask extension. Like the anchor it trusts the body's email, so
# both do the same work per request; a shop's `current_customer` reads its own session instead.
import json
import os

from flask import Flask, request

from synerise_auth import Issuer
from synerise_auth.flask import SyneriseAuth

app = Flask(__name__)


class Replay:
    """An issuer that signs nothing: every token is the reply in the file `PEER_REPLY` names.
    bench/run's Flask floor, so that the wheel's row above it is what signing costs in Flask."""

    def __init__(self, path: str) -> None:
        with open(path, encoding="utf-8") as f:
            self.reply = json.load(f)

    def issue(self, _email: str) -> "Replay":
        return self

    def as_reply(self) -> dict:
        return self.reply


SyneriseAuth(
    app,
    issuer=(Replay(os.environ["PEER_REPLY"]) if os.environ.get("PEER_REPLY")
            else Issuer(os.environ["PEER_KEY"], salt=os.environ["PEER_UUID_SALT"])),
    current_customer=lambda: (request.get_json(silent=True) or {}).get("email"),
    # No limit: the benchmark asks for one customer's token thousands of times a second.
    tokens_per_minute=0,
)
