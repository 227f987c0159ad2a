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
own. Every account row shares one argon2id hash, made once through the API. Imported by
bench/run, which passes itself in (`main(run_module, args)`) for its helpers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from types import ModuleType, SimpleNamespace

BENCH = Path(__file__).resolve().parent
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

R: ModuleType  # bench/run, set by main()


def log(msg: str) -> None:
    R.log(f"scale: {msg}")


class ScaleServer:
    """Our server on a data directory of its own that outlives restarts, with extra settings."""

    def __init__(self, name: str, key: Path, workdir: Path, api_key: str, cache: str,
                 env: dict[str, str] | None = None):
        self.svc = {"id": f"scale_{name}", "kind": "ours", "cache": cache,
                    "label": f"synerise-auth ({name})"}
        self.key, self.workdir, self.api_key, self.extra = key, workdir, api_key, env or {}
        self.server = None

    @property
    def db(self) -> Path:
        return self.workdir / self.svc["id"] / "data" / "synerise-auth.db"

    def start(self):
        outer = self

        class Configured(R.Server):
            def command(self):
                cmd, env = super().command()
                env.update(outer.extra)
                return cmd, env

        self.server = Configured(self.svc, self.key, self.workdir, self.api_key)
        # A fresh log each start: the ready line is looked for in it.
        for f in (self.server.out, self.server.err):
            if f.exists():
                f.rename(f.with_suffix(f".{time.time_ns()}.log"))
        self.server.start(timeout=120)
        return self.server

    def stop(self) -> None:
        if self.server:
            self.server.stop()


def load_args() -> SimpleNamespace:
    return SimpleNamespace(threads=THREADS, connections=CONNECTIONS)


def wrk_point(server, url_path: str, env: dict[str, str], script: Path, warmup: int | None = None,
              measure: int | None = None) -> dict:
    """wrk warm-up then measured window; CPU per 2xx response from the server's /proc times."""
    warmup = WARMUP_S if warmup is None else warmup
    measure = MEASURE_S if measure is None else measure
    pid = server.proc.pid
    base = dict(os.environ, **env)
    cmd = lambda s: ["wrk", "-t", THREADS, "-c", CONNECTIONS, "-d", f"{s}s", "--timeout", "10s",
                     "-s", script, f"http://127.0.0.1:{server.port}{url_path}"]
    if warmup:
        R.run(cmd(warmup), env=base, what="wrk (warm-up)", timeout=warmup + 60)
        R.wait_quiet(pid)
    c0, _ = R.tree_cpu_seconds(pid)
    p = R.run(cmd(measure), env=base, what="wrk", timeout=measure + 60)
    c1, _ = R.tree_cpu_seconds(pid)
    result = parse_wrk(p.stdout)
    ok = sum(n for code, n in result["statuses"].items() if 200 <= int(code) <= 299)
    return {"requests": result["requests"], "ok": ok, "errors": result["errors"],
            "statuses": result["statuses"], "rps": result["requests"] / (result["duration_us"] / 1e6),
            "p50_ms": result["latency_us"]["p50"] / 1000, "p99_ms": result["latency_us"]["p99"] / 1000,
            "cpu_us_per_request": (c1 - c0) * 1e6 / ok if ok else None}


def parse_wrk(out: str) -> dict:
    for line in out.splitlines():
        if line.startswith("BENCH_RESULT "):
            r = json.loads(line[len("BENCH_RESULT "):])
            e = r["socket_errors"]
            r["errors"] = r["non2xx"] + e["connect"] + e["read"] + e["write"] + e["timeout"]
            return r
    raise R.BenchError(f"wrk printed no BENCH_RESULT line:\n{out[-2000:]}")


def returning_customer(server) -> dict:
    env = {"BENCH_BODY": R.BODY, "BENCH_API_KEY": server.api_key}
    return wrk_point(server, "/generate-jwt", env, R.LUA)


def distinct_customers(server, emails: int, once: bool) -> dict:
    env = {"BENCH_API_KEY": server.api_key, "BENCH_LOAD_LUA": str(R.LUA), "BENCH_BODY": "{}",
           "BENCH_EMAILS": str(emails), "BENCH_THREADS": str(THREADS), "BENCH_ONCE": "1" if once else "0"}
    if not once:
        return wrk_point(server, "/generate-jwt", env, SCALE_LUA)
    # wrk's main thread sleeps for the whole -d even once every thread has stopped: it is
    # interrupted (SIGINT, after which it prints its summary) once the server has gone idle.
    pid = server.proc.pid
    wrk = subprocess.Popen([str(c) for c in ["wrk", "-t", THREADS, "-c", CONNECTIONS, "-d", "900s",
                            "--timeout", "10s", "-s", SCALE_LUA, f"http://127.0.0.1:{server.port}/generate-jwt"]],
                           env=dict(os.environ, **env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(2)
        before, _ = R.tree_cpu_seconds(pid)
        while wrk.poll() is None:
            time.sleep(1)
            now, _ = R.tree_cpu_seconds(pid)
            if now - before <= 2.0 / R.TICK + 1e-9:
                wrk.send_signal(signal.SIGINT)
                break
            before = now
        out, _ = wrk.communicate(timeout=60)
    finally:
        if wrk.poll() is None:
            wrk.kill()
            wrk.wait()
    return parse_wrk(out)


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise R.BenchError(f"no VmRSS for {pid}")


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
        raise R.BenchError(f"the store holds {n} accounts, not {upto}")
    return time.monotonic() - t0


def sign_ins(server) -> dict:
    pid = server.proc.pid
    R.wait_quiet(pid)
    c0, _ = R.tree_cpu_seconds(pid)
    h = R.hey_sign_ins(server.port, ["-z", f"{MEASURE_S}s", "-c", str(SIGN_IN_CLIENTS)], MEASURE_S + 120)
    c1, _ = R.tree_cpu_seconds(pid)
    return {"ok": h["ok"], "errors": h["errors"], "statuses": h["statuses"],
            "rps": h["ok"] / h["duration_s"] if h["duration_s"] else 0.0,
            "p50_ms": h["latency_ms"]["p50"], "p99_ms": h["latency_ms"]["p99"],
            "cpu_us_per_request": (c1 - c0) * 1e6 / h["ok"] if h["ok"] else None}


def accounts_sweep(key: Path, workdir: Path, api_key: str) -> list[dict]:
    points = []
    for cache in ("off", "on"):
        s = ScaleServer(f"accounts_cache_{cache}", key, workdir, api_key, cache,
                        {"SYNERISE_AUTH_SIGNUP": "true", "SYNERISE_AUTH_SIGN_IN_PER_IP_PER_MINUTE": "0"})
        try:
            server = s.start()
            status, body = R.http_call(server.port, "POST", "/api/accounts", R.SIGN_IN_BODY,
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


def cache_sweep(key: Path, workdir: Path, api_key: str) -> list[dict]:
    points = []
    s = ScaleServer("cached_customers", key, workdir, api_key, "on",
                    {"SYNERISE_AUTH_TOKEN_CACHE_CAPACITY": str(CACHE_CAPACITY)})
    try:
        server = s.start()
        pid = server.proc.pid
        server.issue()
        R.wait_quiet(pid)
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
            R.wait_quiet(pid)
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
        rows = ((now, "form.submit", EVENT_LABEL, R.CUSTOMER_UUID, 1, 202, None, "accepted",
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


def gate_sweep(key: Path, workdir: Path, api_key: str) -> list[dict]:
    points = []
    event = json.dumps({"action": "form.submit", "label": EVENT_LABEL,
                        "client": {"uuid": R.CUSTOMER_UUID}, "params": {}})
    for n in DECISIONS:
        s = ScaleServer(f"gate_log_{n}", key, workdir, api_key, "on", {"SYNERISE_AUTH_GATE_ENABLED": "true"})
        try:
            server = s.start()
            s.stop()
            took = fill_decisions(s.db, n) if n else 0.0
            server = s.start()
            jwt = server.issue()["jwt"]
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {jwt}"}
            t0 = time.monotonic()
            status, body = R.http_call(server.port, "POST", "/gate/v1/events", event, headers, timeout=120)
            first_ms = (time.monotonic() - t0) * 1000
            if status != 202:
                raise server.fail(f"POST /gate/v1/events answered {status}: {body[:300]!r}")
            after_first = decision_rows(s.db)
            # An empty log fills up to its cap (10,000) within seconds: both logs are measured for
            # 1 s with no warm-up (the empty one stays under the cap, nothing pruned), then the
            # full one again as the other rows are, at its cap, as a busy gate's always is.
            env = {"BENCH_BODY": event, "BENCH_API_KEY": jwt}
            point = wrk_point(server, "/gate/v1/events", env, R.LUA, warmup=0, measure=1)
            rows = decision_rows(s.db)
            log(f"gate log of {n:,} rows: first decision {first_ms:.1f} ms, then {rows:,} rows")
            base = {"sweep": "decisions", "size": n, "fill_s": took, "first_request_ms": first_ms,
                    "rows_after_first": after_first}
            points.append({**base, "what": "gate decision, first second (form.submit with a token)",
                           "rows_after": rows, "window_s": 1, **point})
            if n:
                point = wrk_point(server, "/gate/v1/events", env, R.LUA)
                points.append({**base, "what": "gate decision, log at its cap (form.submit with a token)",
                               "rows_after": decision_rows(s.db), "window_s": MEASURE_S, **point})
        finally:
            s.stop()
    return points


# ---------------------------------------------------------------------------------------------
# Report


def growth(points: list[dict]) -> list[dict]:
    """Per sweep and measurement: small and large size, CPU per request at each, and the ratio."""
    out = []
    keys = []
    for p in points:
        k = (p["sweep"], p["what"])
        if k not in keys:
            keys.append(k)
    for k in keys:
        ps = sorted((p for p in points if (p["sweep"], p["what"]) == k), key=lambda p: p["size"])
        if len(ps) >= 2 and ps[0]["cpu_us_per_request"] and ps[-1]["cpu_us_per_request"]:
            out.append({"sweep": k[0], "what": k[1], "small": ps[0]["size"], "large": ps[-1]["size"],
                        "cpu_ratio": ps[-1]["cpu_us_per_request"] / ps[0]["cpu_us_per_request"],
                        "p50_ratio": ps[-1]["p50_ms"] / ps[0]["p50_ms"] if ps[0]["p50_ms"] else None})
    return out


SWEEP_NAME = {"accounts": "accounts in the store", "cached": "customers in the token cache",
              "decisions": "rows in the gate's decision log"}


def render(r: dict) -> str:
    m = r["machine"]
    lines = [
        "## How cost grows with the work: latest results", "",
        f"Measured {r['when']} by `bench/run --scale` on {m.get('nproc')} CPUs ({m.get('cpu_model', '?')}), "
        f"Linux {m.get('kernel', '')}; load average at start {' '.join(m.get('loadavg_at_start', []))}. "
        f"Load: wrk, {THREADS} threads, {CONNECTIONS} connections, {WARMUP_S} s warm-up then {MEASURE_S} s "
        f"measured per row (sign-in: hey, {SIGN_IN_CLIENTS} clients, {MEASURE_S} s). Whole run: {r['seconds']:.0f} s. "
        f"One RSA-2048 signature on this machine (`openssl speed`): {r['signature_openssl_ms'] * 1000:.0f} µs.", "",
        "| work held | size | request | requests/s | p50 | p99 | CPU per request | errors |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in r["points"]:
        cpu = p["cpu_us_per_request"]
        lines.append(f"| {SWEEP_NAME[p['sweep']]} | {p['size']:,} | {p['what']} | {p['rps']:.0f} | "
                     f"{p['p50_ms']:.2f} ms | {p['p99_ms']:.2f} ms | "
                     f"{'—' if cpu is None else f'{cpu:,.1f} µs'} | {p['errors']} |")
    lines += ["", "Growth from the small size to the large one (CPU per request, large ÷ small; p50 in brackets):", ""]
    for g in r["growth"]:
        p50 = f" (p50 {g['p50_ratio']:.2f}x)" if g["p50_ratio"] else ""
        lines.append(f"- {g['what']}, {g['small']:,} → {g['large']:,} {SWEEP_NAME[g['sweep']]}: "
                     f"{g['cpu_ratio']:.2f}x{p50}")
    mem = r.get("memory")
    if mem:
        lines += ["", f"Token cache memory: RSS {mem['rss_small_mib']:.1f} MiB with {mem['small']:,} cached "
                      f"customers, {mem['rss_large_mib']:.1f} MiB with {mem['large']:,}: "
                      f"**{mem['bytes_per_entry']:.0f} bytes per cached token** (RSS growth ÷ entries added; "
                      f"capacity raised to {CACHE_CAPACITY:,} for the run). "
                      f"Filling {mem['large']:,} entries took {mem['fill_s']:.0f} s (one signature each)."]
    gate = [p for p in r["points"] if p["sweep"] == "decisions"]
    for p in gate[:1]:
        if p["size"] == 0:
            lines += ["", f"Gate log, empty: measured for {p['window_s']} s with no warm-up, so that the log "
                          f"stays under its cap; it then held {p['rows_after']:,} rows. The full log's first "
                          f"second is measured the same way."]
    for p in gate[-1:]:
        lines += ["", f"Gate log: {p['size']:,} rows put in directly; the first decision after that took "
                      f"{p['first_request_ms']:.0f} ms and left {p['rows_after_first']:,} rows (the log keeps "
                      f"the newest 10,000; each decision deletes at most 64 older rows in its own "
                      f"transaction); "
                      f"after the measured load it held {p['rows_after']:,}."]
    lines += ["", "Every account row put in directly shares one argon2id hash (made once through "
                  "`POST /api/accounts`); sign-in measures the bench account, looked up among the others."]
    if r["failures"]:
        lines += ["", "Failures:", ""] + [f"- {f.splitlines()[0]}" for f in r["failures"]]
    return "\n".join(lines) + "\n"


CHART = r'''
import json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
r = json.load(open(sys.argv[1]))
fig, ax = plt.subplots(figsize=(10, 6))
series = {}
for p in r["points"]:
    if p["cpu_us_per_request"]:
        series.setdefault((p["sweep"], p["what"]), []).append((max(p["size"], 1), p["cpu_us_per_request"]))
names = {"accounts": "accounts", "cached": "cached customers", "decisions": "gate log rows"}
for (sweep, what), pts in series.items():
    pts.sort()
    ax.plot([x for x, _ in pts], [y for _, y in pts], marker="o", label=f"{what} (x: {names[sweep]})")
ax.set_xscale("log"); ax.set_yscale("log")
ax.set_xlabel("work held (accounts, cached customers, gate log rows; an empty log drawn at 1)")
ax.set_ylabel("server CPU per request (µs)")
ax.set_title("synerise-auth: cost per request as the work held grows")
ax.grid(True, which="both", alpha=0.3)
ax.legend(fontsize=8, loc="center", bbox_to_anchor=(0.5, 0.7))
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
'''


def main(run_module: ModuleType, args) -> int:
    global R, CACHED, CACHE_CAPACITY
    R = run_module
    CACHED = (CACHED[0], getattr(args, "scale_cached", CACHED[-1]))
    CACHE_CAPACITY = 2 * CACHED[-1]
    R.ensure_tools(fixed_rate=True)
    chart_py = R.ensure_chart_env()
    started = time.monotonic()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    workdir = R.WORK / f"scale-{stamp}"
    workdir.mkdir(parents=True, exist_ok=True)
    log(f"logs and data for this run: {workdir}")
    machine = R.machine_info()
    problem = R.build_ours(workdir, args.bin)
    if problem:
        raise R.BenchError(f"synerise-auth is not available: {problem}")
    key, _ = R.make_key(workdir / "key", True)
    api_key = R.secrets.token_urlsafe(32)

    signature = R.openssl_speed()
    points, failures = [], []
    for sweep in (accounts_sweep, cache_sweep, gate_sweep):
        try:
            points += sweep(key, workdir, api_key)
        except R.BenchError as e:
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
               "machine": machine, "signature_openssl_ms": signature["ms_per_sign"], "tools": R.tool_versions(), "points": points,
               "growth": growth(points), "memory": memory, "failures": failures,
               "seconds": time.monotonic() - started,
               "load": {"threads": THREADS, "connections": CONNECTIONS, "warmup_s": WARMUP_S,
                        "measure_s": MEASURE_S, "sign_in_clients": SIGN_IN_CLIENTS}}
    md = render(results)
    R.RESULTS.mkdir(parents=True, exist_ok=True)
    (R.RESULTS / "scale.json").write_text(json.dumps(results, indent=2) + "\n")
    (R.RESULTS / "scale.md").write_text(md)
    subprocess.run([str(chart_py), "-c", CHART, str(R.RESULTS / "scale.json"), str(R.RESULTS / "scale.png")],
                   check=False)
    update_readme(R.BENCH / "README.md", md)
    print(md)
    return 1 if failures else 0


BEGIN, END = "<!-- scale-results:begin -->", "<!-- scale-results:end -->"


def update_readme(readme: Path, md: str) -> None:
    text = readme.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        readme.write_text(f"{head}{BEGIN}\n{md}\n{END}{tail}")
