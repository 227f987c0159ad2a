"""`bench/run --scale`: how the cost of a request grows with the work the service holds.

Three sweeps on the release `synerise-auth serve --production`, each at a small and a large size:

- accounts in the store (1,000 and 1,000,000): token issue (cache off, and on for a returning
  customer) and sign-in (`POST /api/session`, the right password, a few clients);
- customers in the token cache (1,000 and 100,000 distinct emails): memory per cached token and
  the cached path's cost when every request is another customer;
- rows in the event gate's decision log (empty, and 1,000,000 put in directly): the cost of one
  decision (`POST /gate/v1/events`).

The large stores are filled straight into the SQLite file (python's sqlite3, one transaction),
after the server has made the file and applied its migrations, so the schema is the checkout's
own. Every account row shares one argon2id hash, made once through the API.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from . import parse
from .common import (BENCH, BODY, CUSTOMER_UUID, LUA, RESULTS, SIGN_IN_BODY, WORK, BenchError,
                     run)
from .common import log as bench_log
from .load import hey_sign_ins
from .measure import openssl_speed
from .process import OURS_READY, http_call
from .proctree import TICK, status_kib, tree_cpu_seconds, wait_quiet
from .servers import Server
from .services import Bench, Command, Service, ours
from .scale_report import CHART, growth, render, update_readme
from .tools import build_ours, ensure_chart_env, ensure_tools, machine_info, make_key, tool_versions

SCALE_LUA = BENCH / "scale.lua"

ACCOUNTS = (1_000, 1_000_000)
CACHED = (1_000, 100_000)  # the larger one is --scale-cached
DECISIONS = (0, 1_000_000)
# The token cache's capacity for the run: above the most customers it holds.
CACHE_CAPACITY = 2 * CACHED[-1]  # set again from --scale-cached
SIGN_IN_CLIENTS = 4
# Load per measured point: wrk, this many seconds of warm-up, then the measured window.
WARMUP_S, MEASURE_S = 3, 8
THREADS, CONNECTIONS = 2, 16
EVENT_LABEL = "bench"

def log(msg: str) -> None:
    bench_log(f"scale: {msg}")


class ScaleServer:
    """Our server on a data directory of its own that outlives restarts, with extra settings."""

    def __init__(self, name: str, bench: Bench, cache: str, env: dict[str, str] | None = None):
        extra, base = env or {}, ours(cache)

        def command(b: Bench, port: int, workdir: Path) -> Command:
            made = base(b, port, workdir)
            return Command(made.argv, {**made.env, **extra})

        self.svc = Service(f"scale_{name}", f"synerise-auth ({name})", command,
                           ready_line=OURS_READY, start_timeout=120, ours_cache=cache)
        self.bench = bench
        self.server: Server | None = None

    @property
    def db(self) -> Path:
        return self.bench.workdir / self.svc.id / "data" / "synerise-auth.db"

    def start(self) -> Server:
        self.server = Server(self.svc, self.bench)
        # A fresh log each start (the ready line is looked for in it); the earlier ones kept.
        for f in (self.server.dir / "stdout.log", self.server.dir / "stderr.log"):
            if f.exists():
                f.rename(f.with_suffix(f".{time.time_ns()}.log"))
        return self.server.start()

    def stop(self) -> None:
        if self.server:
            self.server.stop()


def wrk_point(server, url_path: str, env: dict[str, str], script: Path, warmup: int | None = None,
              measure: int | None = None) -> dict:
    """wrk warm-up then measured window; CPU per 2xx response from the server's /proc times."""
    warmup = WARMUP_S if warmup is None else warmup
    measure = MEASURE_S if measure is None else measure
    pid = server.pid
    base = dict(os.environ, **env)
    cmd = lambda s: ["wrk", "-t", THREADS, "-c", CONNECTIONS, "-d", f"{s}s", "--timeout", "10s",
                     "-s", script, f"http://127.0.0.1:{server.port}{url_path}"]
    if warmup:
        run(cmd(warmup), env=base, what="wrk (warm-up)", timeout=warmup + 60)
        wait_quiet(pid)
    c0, _ = tree_cpu_seconds(pid)
    p = run(cmd(measure), env=base, what="wrk", timeout=measure + 60)
    c1, _ = tree_cpu_seconds(pid)
    result = parse.wrk_result(p.stdout)
    ok = parse.ok_count(result["statuses"])
    return {"requests": result["requests"], "ok": ok, "errors": result["errors"],
            "statuses": result["statuses"], "rps": result["requests"] / (result["duration_us"] / 1e6),
            "p50_ms": result["latency_us"]["p50"] / 1000, "p99_ms": result["latency_us"]["p99"] / 1000,
            "cpu_us_per_request": (c1 - c0) * 1e6 / ok if ok else None}


def returning_customer(server) -> dict:
    env = {"BENCH_BODY": BODY, "BENCH_API_KEY": server.api_key}
    return wrk_point(server, "/generate-jwt", env, LUA)


def distinct_customers(server, emails: int, once: bool) -> dict:
    env = {"BENCH_API_KEY": server.api_key, "BENCH_LOAD_LUA": str(LUA), "BENCH_BODY": "{}",
           "BENCH_EMAILS": str(emails), "BENCH_THREADS": str(THREADS), "BENCH_ONCE": "1" if once else "0"}
    if not once:
        return wrk_point(server, "/generate-jwt", env, SCALE_LUA)
    # wrk's main thread sleeps for the whole -d even once every thread has stopped: it is
    # interrupted (SIGINT, after which it prints its summary) once the server has gone idle.
    pid = server.pid
    wrk = subprocess.Popen([str(c) for c in ["wrk", "-t", THREADS, "-c", CONNECTIONS, "-d", "900s",
                            "--timeout", "10s", "-s", SCALE_LUA, f"http://127.0.0.1:{server.port}/generate-jwt"]],
                           env=dict(os.environ, **env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(2)
        before, _ = tree_cpu_seconds(pid)
        while wrk.poll() is None:
            time.sleep(1)
            now, _ = tree_cpu_seconds(pid)
            if now - before <= 2.0 / TICK + 1e-9:
                wrk.send_signal(signal.SIGINT)
                break
            before = now
        out, _ = wrk.communicate(timeout=60)
    finally:
        if wrk.poll() is None:
            wrk.kill()
            wrk.wait()
    return parse.wrk_result(out)


def rss_kib(pid: int) -> int:
    kib = status_kib(pid, "VmRSS")
    if kib is None:
        raise BenchError(f"no VmRSS for {pid}")
    return kib


# ---------------------------------------------------------------------------------------------
# 1. Accounts in the store


def fill_accounts(db: Path, upto: int) -> float:
    """Rows customer<i>@example.com up to `upto` accounts in all, every one with the hash of the
    account made through the API; one transaction. Seconds taken."""
    t0 = time.monotonic()
    con = sqlite3.connect(db)
    try:
        (have,) = con.execute("SELECT count(*) FROM accounts").fetchone()
        (phc,) = con.execute("SELECT password_hash FROM accounts ORDER BY id LIMIT 1").fetchone()
        now = int(time.time())
        # customer<i> for i from have-1 on (the API's account is the first one).
        rows = ((f"customer{i}@example.com", phc, now) for i in range(have - 1, upto - 1))
        with con:
            con.executemany("INSERT INTO accounts (email, password_hash, created_at) VALUES (?, ?, ?)", rows)
        (n,) = con.execute("SELECT count(*) FROM accounts").fetchone()
    finally:
        con.close()
    if n != upto:
        raise BenchError(f"the store holds {n} accounts, not {upto}")
    return time.monotonic() - t0


def sign_ins(server) -> dict:
    pid = server.pid
    wait_quiet(pid)
    c0, _ = tree_cpu_seconds(pid)
    h = hey_sign_ins(server.port, ["-z", f"{MEASURE_S}s", "-c", str(SIGN_IN_CLIENTS)], MEASURE_S + 120)
    c1, _ = tree_cpu_seconds(pid)
    return {"ok": h["ok"], "errors": h["errors"], "statuses": h["statuses"],
            "rps": h["ok"] / h["duration_s"] if h["duration_s"] else 0.0,
            "p50_ms": h["latency_ms"]["p50"], "p99_ms": h["latency_ms"]["p99"],
            "cpu_us_per_request": (c1 - c0) * 1e6 / h["ok"] if h["ok"] else None}


def accounts_sweep(bench: Bench) -> list[dict]:
    points = []
    for cache in ("off", "on"):
        s = ScaleServer(f"accounts_cache_{cache}", bench, cache,
                        {"SYNERISE_AUTH_SIGNUP": "true", "SYNERISE_AUTH_LIMITS__SIGN_IN_PER_IP_PER_MINUTE": "0"})
        try:
            server = s.start()
            status, body = http_call(server.port, "POST", "/api/accounts", SIGN_IN_BODY,
                                       {"Content-Type": "application/json"})
            if status not in (200, 201):
                raise server.fail(f"POST /api/accounts answered {status}: {body[:300]!r}")
            s.stop()
            for n in ACCOUNTS:
                took = fill_accounts(s.db, n)
                log(f"store holds {n:,} accounts (filled in {took:.1f} s); token cache {cache}")
                server = s.start()
                server.issue()
                point = {"sweep": "accounts", "size": n, "fill_s": took}
                points.append({**point, "what": f"token issue, cache {cache}", **returning_customer(server)})
                if cache == "off":
                    points.append({**point, "what": "sign-in (argon2id)", **sign_ins(server)})
                s.stop()
        finally:
            s.stop()
    return points


# ---------------------------------------------------------------------------------------------
# 2. Customers in the token cache


def cache_sweep(bench: Bench) -> list[dict]:
    points = []
    s = ScaleServer("cached_customers", bench, "on",
                    {"SYNERISE_AUTH_TOKEN_CACHE__CAPACITY": str(CACHE_CAPACITY)})
    try:
        server = s.start()
        pid = server.pid
        server.issue()
        wait_quiet(pid)
        rss0 = rss_kib(pid)
        for n in CACHED:
            t0 = time.monotonic()
            fill = distinct_customers(server, n, once=True)
            took = time.monotonic() - t0
            if took > 540:
                raise server.fail(f"filling the token cache took {took:.0f} s: its first entries are "
                                  "near the end of their 10-minute reuse window; ask for fewer")
            if fill["errors"]:
                raise server.fail(f"filling the token cache: {fill['errors']} errors ({fill['statuses']})")
            wait_quiet(pid)
            rss = rss_kib(pid)
            point = distinct_customers(server, n, once=False)
            log(f"{n:,} cached customers (filled in {took:.0f} s), RSS {rss / 1024:.1f} MiB")
            points.append({"sweep": "cached", "size": n, "what": "token issue, cache on, every request another customer",
                           "fill_s": took, "fill_requests": fill["requests"], "rss_kib": rss,
                           "rss_kib_before_fill": rss0, **point})
    finally:
        s.stop()
    return points


# ---------------------------------------------------------------------------------------------
# 3. Rows in the gate's decision log


def fill_decisions(db: Path, n: int) -> float:
    t0 = time.monotonic()
    con = sqlite3.connect(db)
    try:
        now = int(time.time())
        rows = ((now, "form.submit", EVENT_LABEL, CUSTOMER_UUID, 1, 202, None, "accepted",
                 "require_token", 1, "tag", None) for _ in range(n))
        with con:
            con.executemany(
                "INSERT INTO gate_decisions (at, action, label, uuid, accepted, status, reason, detail, "
                "rule, token_sent, token_email_tag, warning) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows)
    finally:
        con.close()
    return time.monotonic() - t0


def decision_rows(db: Path) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM gate_decisions").fetchone()[0]
    finally:
        con.close()


def gate_sweep(bench: Bench) -> list[dict]:
    points = []
    event = json.dumps({"action": "form.submit", "label": EVENT_LABEL,
                        "client": {"uuid": CUSTOMER_UUID}, "params": {}})
    for n in DECISIONS:
        s = ScaleServer(f"gate_log_{n}", bench, "on", {"SYNERISE_AUTH_GATE__ENABLED": "true"})
        try:
            server = s.start()
            s.stop()
            took = fill_decisions(s.db, n) if n else 0.0
            server = s.start()
            jwt = server.issue()["jwt"]
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {jwt}"}
            t0 = time.monotonic()
            status, body = http_call(server.port, "POST", "/gate/v1/events", event, headers, timeout=120)
            first_ms = (time.monotonic() - t0) * 1000
            if status != 202:
                raise server.fail(f"POST /gate/v1/events answered {status}: {body[:300]!r}")
            after_first = decision_rows(s.db)
            # An empty log fills up to its cap (10,000) within seconds: both logs are measured for
            # 1 s with no warm-up (the empty one stays under the cap, nothing pruned), then the
            # full one again as the other rows are, at its cap, as a busy gate's always is.
            env = {"BENCH_BODY": event, "BENCH_API_KEY": jwt}
            point = wrk_point(server, "/gate/v1/events", env, LUA, warmup=0, measure=1)
            rows = decision_rows(s.db)
            log(f"gate log of {n:,} rows: first decision {first_ms:.1f} ms, then {rows:,} rows")
            base = {"sweep": "decisions", "size": n, "fill_s": took, "first_request_ms": first_ms,
                    "rows_after_first": after_first}
            points.append({**base, "what": "gate decision, first second (form.submit with a token)",
                           "rows_after": rows, "window_s": 1, **point})
            if n:
                point = wrk_point(server, "/gate/v1/events", env, LUA)
                points.append({**base, "what": "gate decision, log at its cap (form.submit with a token)",
                               "rows_after": decision_rows(s.db), "window_s": MEASURE_S, **point})
        finally:
            s.stop()
    return points


# ---------------------------------------------------------------------------------------------
# Report


def main(args) -> int:
    """`bench/run --scale`: the three sweeps, written to results/scale.* and bench/README.md."""
    global CACHED, CACHE_CAPACITY
    CACHED = (CACHED[0], getattr(args, "scale_cached", CACHED[-1]))
    CACHE_CAPACITY = 2 * CACHED[-1]
    ensure_tools(fixed_rate=True)
    chart_py = ensure_chart_env()
    started = time.monotonic()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    workdir = WORK / f"scale-{stamp}"
    workdir.mkdir(parents=True, exist_ok=True)
    log(f"logs and data for this run: {workdir}")
    machine = machine_info()
    binary, problem = build_ours(workdir, args.bin)
    if problem:
        raise BenchError(f"synerise-auth is not available: {problem}")
    key, _ = make_key(workdir / "key", binary)
    bench = Bench(binary, key, secrets.token_urlsafe(32), workdir)

    signature = openssl_speed()
    points, failures = [], []
    for sweep in (accounts_sweep, cache_sweep, gate_sweep):
        try:
            points += sweep(bench)
        except BenchError as e:
            failures.append(str(e))
            log(f"{sweep.__name__} failed: {e}")
    for p in points:
        if p["errors"]:
            failures.append(f"{p['what']} at {p['size']:,}: {p['errors']} errors ({p['statuses']})")

    cached = sorted((p for p in points if p["sweep"] == "cached"), key=lambda p: p["size"])
    memory = None
    if len(cached) == 2:
        a, b = cached
        memory = {"small": a["size"], "large": b["size"], "rss_small_mib": a["rss_kib"] / 1024,
                  "rss_large_mib": b["rss_kib"] / 1024, "fill_s": b["fill_s"],
                  "bytes_per_entry": (b["rss_kib"] - a["rss_kib"]) * 1024 / (b["size"] - a["size"])}
    results = {"when": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "machine": machine, "signature_openssl_ms": signature["ms_per_sign"], "tools": tool_versions(binary), "points": points,
               "growth": growth(points), "memory": memory, "failures": failures,
               "seconds": time.monotonic() - started,
               "load": {"threads": THREADS, "connections": CONNECTIONS, "warmup_s": WARMUP_S,
                        "measure_s": MEASURE_S, "sign_in_clients": SIGN_IN_CLIENTS},
               "cache_capacity": CACHE_CAPACITY}
    md = render(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "scale.md").write_text(md)
    subprocess.run([str(chart_py), "-c", CHART, str(RESULTS / "scale.json"), str(RESULTS / "scale.png")],
                   check=False)
    update_readme(BENCH / "README.md", md)
    print(md)
    return 1 if failures else 0
