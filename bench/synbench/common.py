"""What every part of the benchmark shares: paths, the request it sends, errors, logging and
running a command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
ROOT = BENCH.parent
SHARED = ROOT.parent / "shared"
ANCHOR = SHARED / "anchors" / "seed-flask"
PEERS = BENCH / "peers"
NODE_PEER = PEERS / "node"
HYPER_FLOOR = PEERS / "hyper-floor"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
# The release binary bench/run builds, unless --bin names another.
RELEASE_BIN = TARGET / "release" / "synerise-auth"
CRITERION = TARGET / "criterion"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
CHART_VENV = CACHE / "synerise-auth-bench" / "venv"
ANCHOR_VENV = CACHE / "seed-flask-anchor"
RESULTS = BENCH / "results"
WORK = BENCH / "work"
LUA = BENCH / "load.lua"

# The pages whose latest-results block a full run rewrites.
READMES = (BENCH / "README.md", ROOT / "docs" / "performance.md")
README_BEGIN = "<!-- latest-results:begin -->"
README_END = "<!-- latest-results:end -->"

EMAIL = "returning.customer@example.com"
SALT = "bench-salt"
# The uuid ours derives for EMAIL (UUIDv5 of salt + email): every service gets the same body.
CUSTOMER_UUID = str(uuid.uuid5(uuid.NAMESPACE_URL, SALT + EMAIL))
BODY = json.dumps({"email": EMAIL, "uuid": CUSTOMER_UUID})

# The sign-in pass: one account, this many sign-ins sent at once, then two clients per CPU signing
# in back to back for the measured duration (fewer than the hashes the server runs and queues by
# default, five per CPU, so none is refused: the most sign-ins a second it does).
SIGN_IN_CROWD = 200
SIGN_IN_CLIENTS = 2 * (os.cpu_count() or 1)
SIGN_IN_BODY = json.dumps({"email": "bench.customer@example.com", "password": "a bench password, long enough"})


class BenchError(Exception):
    """A failure that ends the run with a message and exit status 1."""


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def run(cmd, *, check=True, capture=True, env=None, cwd=None, timeout=None, what=None):
    """Runs a command; on failure raises BenchError naming it and showing its last output lines."""
    try:
        p = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, timeout=timeout, text=True,
                           stdout=subprocess.PIPE if capture else None,
                           stderr=subprocess.STDOUT if capture else None)
    except FileNotFoundError as e:
        raise BenchError(f"{what or cmd[0]}: not found ({e})") from e
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"{what or cmd[0]}: still running after {timeout} s") from e
    if check and p.returncode != 0:
        tail = "\n".join((p.stdout or "").splitlines()[-25:])
        raise BenchError(f"{what or ' '.join(map(str, cmd))} failed (exit {p.returncode})\n{tail}")
    return p


def first_line(cmd: list[str]) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"
    out = (p.stdout or p.stderr or "").strip().splitlines()
    return out[0].strip() if out else "unavailable"
