"""The services a run compares, one declaration each.

A service is its `id` (for `--services`), its `label` (for the tables), a function making its
command from the run and its port, and how it says it is ready. Adding a peer is one
`Service(...)` in `SERVICES` and its code under `bench/peers/`, e.g.:

    Service("flask_wheel", "Flask + synerise-auth wheel", peer_script("flask-wheel/run.sh"),
            ready_line="flask wheel peer listening on http://", prepare=install_the_wheel)

where `peer_script` runs `bench/peers/flask-wheel/run.sh PORT KEY` with the run's API key and
salt in its environment (`API_KEYS`, `UUID_SALT`, `JWT_PRIVATE_KEY_FILE`, as the Node peer reads
them), and the peer answers `/generate-jwt` with the contract ours has (`jwt`, `uuid`,
`expiresAt`) and `GET /healthz` with 200 once ready.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .common import ANCHOR, NODE_PEER, PEERS, SALT, TARGET, BenchError
from .process import OURS_READY
from .tools import build_hyper_floor, ensure_node_addon_peer, ensure_node_peer

# A reply of ours as the load gets it: its headers and body. The HTTP floors replay it.
Reply = tuple[list[tuple[str, str]], str]

# The headers nginx makes itself, not copied from our reply.
FLOOR_OWN_HEADERS = {"date", "content-length", "content-type", "connection", "keep-alive",
                     "transfer-encoding", "server"}


@dataclass
class Bench:
    """What one run shares with every service it starts."""

    binary: Path          # our release binary
    key: Path             # the run's RSA-2048 private key (PEM), every service's
    api_key: str          # the run's API key, every service's
    workdir: Path         # logs and data, one folder per service
    floor_reply: Reply | None = None  # the last reply of ours, for the floors to replay


@dataclass(frozen=True)
class Command:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)  # added to this process's environment


@dataclass(frozen=True)
class Service:
    id: str
    label: str
    # The command, from the run, the service's port and its own working directory.
    command: Callable[[Bench, int, Path], Command]
    # Ready when it printed `<ready_line>ADDR` (when set), then when GET `ready_path` answers 200
    # (or answers at all, with `ready_any_status`).
    ready_line: str | None = None
    ready_path: str = "/healthz"
    ready_any_status: bool = False
    start_timeout: float = 60
    # Its reply carries `jwt`, `uuid` (the one ours derives) and `expiresAt`; else only `jwt`.
    full_reply: bool = True
    # Our own binary with the token cache `on` or `off`: the token-reuse check runs, and its
    # reply is the one the floors replay.
    ours_cache: str | None = None
    # An HTTP floor: replays a reply of ours, so runs only after one of ours has answered.
    replays_ours: bool = False
    # Before the first start: installs or builds what it needs; raises BenchError, or returns
    # why it cannot run (with the run's log folder).
    prepare: Callable[[Path], str | None] | None = None

    @property
    def ours(self) -> bool:
        return self.ours_cache is not None


def anchor_present(_logdir: Path) -> str | None:
    """The Flask anchors live in shared/, beside the repository."""
    if not (ANCHOR / "run.sh").exists():
        return f"{ANCHOR / 'run.sh'} not found: shared/ must sit beside the repository"
    return None


def flask_anchor(module: str) -> Callable[[Bench, int, Path], Command]:
    """The guide's Flask app (`module` of the anchor), gunicorn with 2 workers."""
    return lambda bench, port, _dir: Command([str(ANCHOR / "run.sh"), str(port), str(bench.key), module])


def node_peer(bench: Bench, port: int, _dir: Path, peer: Path = NODE_PEER, script: str = "server.js",
              extra: dict[str, str] | None = None) -> Command:
    return Command(["node", str(peer / script)], {**(extra or {}),
        "PORT": str(port), "HOST": "127.0.0.1", "JWT_PRIVATE_KEY_FILE": str(bench.key),
        "API_KEYS": bench.api_key, "UUID_SALT": SALT, "WEB_CONCURRENCY": "2",
        "NODE_ENV": "production"})


def ours(cache: str, sign_in: bool = False) -> Callable[[Bench, int, Path], Command]:
    """`synerise-auth serve --production` with the token cache `cache`; with `sign_in`, sign-up
    open for the one account and no per-IP limit (every request comes from 127.0.0.1, as many
    customers' would from many addresses)."""

    def command(bench: Bench, port: int, workdir: Path) -> Command:
        data = workdir / "data"
        data.mkdir(exist_ok=True)
        # No drain period on stop: nothing routes to a benchmarked instance but the load itself.
        env = {"SYNERISE_AUTH_API_KEYS": bench.api_key, "SYNERISE_AUTH_TOKEN_CACHE__ENABLED": cache,
               "SYNERISE_AUTH_SHUTDOWN__DRAIN": "0s"}
        if sign_in:
            env.update(SYNERISE_AUTH_SIGNUP="true", SYNERISE_AUTH_LIMITS__SIGN_IN_PER_IP_PER_MINUTE="0")
        return Command([str(bench.binary), "serve", "--production", "--listen", f"127.0.0.1:{port}",
                        "--key", str(bench.key), "--data-dir", str(data), "--uuid-salt", SALT], env)

    return command


def floor_reply(bench: Bench) -> Reply:
    if bench.floor_reply is None:
        raise BenchError("the HTTP floor replays a reply of ours: run it with `ours_cached`")
    return bench.floor_reply


def hyper_floor(bench: Bench, port: int, workdir: Path) -> Command:
    headers, body = floor_reply(bench)
    reply = workdir / "reply.json"
    reply.write_text(json.dumps({"body": body, "headers": [
        [n, v] for n, v in headers if n.lower() not in FLOOR_OWN_HEADERS - {"content-type"}]}))
    return Command([str(TARGET / "release" / "synerise-auth-bench-hyper-floor"), str(port), str(reply)])


def reply_body_file(bench: Bench, workdir: Path) -> Path:
    """Our last reply's body, written for a framework floor to answer with."""
    _headers, body = floor_reply(bench)
    path = workdir / "reply.json"
    path.write_text(body)
    return path


def flask_floor(bench: Bench, port: int, workdir: Path) -> Command:
    """The Flask + wheel peer's route with an issuer that signs nothing (`PEER_REPLY`)."""
    command = peer_script("flask-wheel/run.sh")(bench, port, workdir)
    return Command(command.argv, {**command.env, "PEER_REPLY": str(reply_body_file(bench, workdir))})


def node_floor(bench: Bench, port: int, workdir: Path) -> Command:
    """The Node peer's service with a signer that signs nothing (bench/peers/node/floor.js)."""
    return node_peer(bench, port, workdir, script="floor.js",
                     extra={"FLOOR_REPLY": str(reply_body_file(bench, workdir))})


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_floor(bench: Bench, port: int, workdir: Path) -> Command:
    conf = workdir / "nginx.conf"
    conf.write_text(floor_config(floor_reply(bench), port, workdir))
    return Command([nginx_binary(), "-e", str(workdir / "error.log"), "-p", str(workdir), "-c", str(conf)])


def floor_config(reply: Reply, port: int, workdir: Path) -> str:
    """nginx answering every POST with `reply`, one worker per CPU, no log per request."""
    headers, body = reply
    if "'" in body or "\\" in body:
        raise BenchError("our reply has a quote or backslash nginx's config cannot carry as is")
    extra = "\n".join(f"      add_header {name} '{value}';" for name, value in headers
                      if name.lower() not in FLOOR_OWN_HEADERS and "'" not in value)
    content_type = next((v for n, v in headers if n.lower() == "content-type"), "application/json")
    temp = "\n".join(f"  {what}_temp_path {workdir / what};"
                     for what in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""worker_processes {os.cpu_count() or 1};
daemon off;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
{temp}
  server {{
    listen 127.0.0.1:{port};
    keepalive_requests 100000000;
    location = /healthz {{ return 200 'ok'; }}
    location / {{
      default_type {content_type};
{extra}
      return 200 '{body}';
    }}
  }}
}}
"""


def peer_script(relative: str) -> Callable[[Bench, int, Path], Command]:
    """A peer under bench/peers/ started as `SCRIPT PORT KEY`, with the run's API key, salt and
    key in the environment the Node peer reads too."""
    return lambda bench, port, _dir: Command([str(PEERS / relative), str(port), str(bench.key)], {
        "PORT": str(port), "HOST": "127.0.0.1", "JWT_PRIVATE_KEY_FILE": str(bench.key),
        "API_KEYS": bench.api_key, "UUID_SALT": SALT})


SERVICES = [
    Service("flask", "guide's Flask app, as written", flask_anchor("app"),
            ready_path="/", ready_any_status=True, start_timeout=600, full_reply=False,
            prepare=anchor_present),
    Service("flask_preloaded", "Flask app, key parsed once", flask_anchor("app_preloaded"),
            ready_path="/", ready_any_status=True, start_timeout=600, full_reply=False,
            prepare=anchor_present),
    # The same Flask route, same gunicorn workers, signing with our core through the Python
    # package (bench/peers/flask-wheel; its run.sh builds the release wheel, hence the timeout).
    Service("flask_wheel", "Flask + synerise-auth wheel", peer_script("flask-wheel/run.sh"),
            ready_path="/", ready_any_status=True, start_timeout=600),
    Service("node", "Node peer (node:http + jose, 2 workers)", node_peer,
            ready_line="node peer listening on http://", prepare=lambda _logdir: ensure_node_peer()),
    # The same Node service with our addon signing (bench/peers/node-addon): what a Node shop
    # gets from @synerise-auth/server.
    Service("node_addon", "Node + @synerise-auth/server (node:http, 2 workers)",
            lambda bench, port, d: node_peer(bench, port, d, PEERS / "node-addon"),
            ready_line="node peer listening on http://", start_timeout=600,
            prepare=lambda _logdir: ensure_node_addon_peer()),
    Service("ours", "synerise-auth (token cache off)", ours("off"), ready_line=OURS_READY,
            ours_cache="off"),
    Service("ours_cached", "synerise-auth, returning customer (cache on)", ours("on"),
            ready_line=OURS_READY, ours_cache="on"),
    # Not a peer: what an HTTP reply alone costs on this machine, with the same load. nginx answers
    # every request with our last reply (same body, same headers) from memory: no key, no JSON, no
    # signature. Whatever ours costs above this row is work of ours; this row is the kernel's
    # loopback TCP and the least an HTTP server does.
    Service("floor", "HTTP floor (nginx replaying our reply)", nginx_floor, full_reply=False,
            replays_ours=True),
    # The same floor on our own stack: hyper and tokio as ours uses them, replaying the same reply
    # (bench/peers/hyper-floor). Ours above it is our own work and axum's.
    Service("floor_hyper", "HTTP floor (hyper + tokio replaying our reply)", hyper_floor,
            ready_line="hyper floor listening on http://", full_reply=False, replays_ours=True,
            prepare=build_hyper_floor),
    # The frameworks' floors: the Flask + wheel peer and the Node peer exactly as above (server,
    # workers, body parsing, checks, reply), answering with our last reply instead of signing. A
    # signer's row above its floor is what signing costs in that framework; the floor itself is
    # what the framework costs a token, whatever signs it.
    Service("floor_flask", "Flask floor (the wheel's Flask route, replaying our reply)", flask_floor,
            ready_path="/", ready_any_status=True, start_timeout=600, replays_ours=True),
    Service("floor_node", "Node floor (the Node peer, replaying our reply)", node_floor,
            ready_line="node peer listening on http://", replays_ours=True,
            prepare=lambda _logdir: ensure_node_peer()),
]

# The sign-in pass's server: ours, sign-up open, no per-IP limit.
SIGN_IN = Service("ours_sign_in", "synerise-auth sign-in (argon2id)", ours("off", sign_in=True),
                  ready_line=OURS_READY, ours_cache="off")
