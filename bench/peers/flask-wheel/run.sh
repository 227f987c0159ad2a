#!/usr/bin/env bash
# usage: run.sh PORT KEY_PEM [UUID_SALT, else $UUID_SALT] -- execs gunicorn (2 workers, as the Flask anchors) on
# 127.0.0.1:PORT serving app.py, with the synerise-auth wheel built in release mode from this
# checkout (maturin, pinned) and installed into the peer's own virtual environment.
set -euo pipefail
port=${1:?port}; key=${2:?private key PEM}; salt=${3:-${UUID_SALT:?uuid salt as the third argument or UUID_SALT}}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}
venv=$cache/synerise-auth-bench/flask-wheel
maturin_venv=$cache/synerise-auth-python/maturin-1.16.0
if [ ! -x "$maturin_venv/bin/maturin" ]; then
  python3 -m venv "$maturin_venv" >&2
  "$maturin_venv/bin/pip" install -q --disable-pip-version-check maturin==1.16.0 >&2
fi
if [ ! -x "$venv/bin/gunicorn" ]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt" >&2
fi
wheels=$(mktemp -d)
"$maturin_venv/bin/maturin" build --release --locked --quiet \
  --manifest-path "$root/crates/python/Cargo.toml" --out "$wheels" >&2
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$wheels"/*.whl >&2
rm -rf "$wheels"
export PEER_KEY=$(cd "$(dirname "$key")" && pwd)/$(basename "$key")
export PEER_UUID_SALT=$salt
cd "$here"
exec "$venv/bin/gunicorn" -w 2 -b "127.0.0.1:$port" --log-level warning "app:app"
