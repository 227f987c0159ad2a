"""Serves the shop on 127.0.0.1 (SHOP_PORT, 0 for any free port) and prints where.
A production shop runs create_app() under gunicorn or another WSGI server instead."""

import os

from werkzeug.serving import make_server

from app import create_app

server = make_server("127.0.0.1", int(os.environ.get("SHOP_PORT", "5000")), create_app(),
                     threaded=True)
print(f"flask-shop listening on http://127.0.0.1:{server.server_port}", flush=True)
server.serve_forever()
