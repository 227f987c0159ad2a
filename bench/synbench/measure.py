"""The measurements: a service's tokens checked, its CPU and memory under load, sign-ins, and
the cost of one signature (openssl, and the Criterion benchmarks of the token crate)."""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from . import parse
from .common import (CRITERION, CUSTOMER_UUID, EMAIL, ROOT, SIGN_IN_BODY, SIGN_IN_CLIENTS,
                     SIGN_IN_CROWD, BenchError, log, run)
from .load import hey, hey_sign_ins, wrk
from .process import http_call
from .proctree import tree_cpu_seconds, tree_cpu_split, tree_peak_rss_kib, wait_quiet
from .servers import Server

# Criterion benchmarks run by bench/run (thread CPU time), as (group, function).
CRITERION_IDS = {
    "cpu_sign": ("cpu_rs256_sign", "aws_lc_rs"),
    "cpu_sign_key": ("cpu_rs256_sign", "signing_key"),
    "cpu_issue": ("cpu_issue", "full_token"),
    "cpu_verify_aws": ("cpu_rs256_verify", "aws_lc_rs"),
    "cpu_verify": ("cpu_rs256_verify", "verifier"),
    "cpu_uuid": ("cpu_customer_uuid", "derive"),
}


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_token(token: str, public_pem: Path, label: str, verifier: Path | None) -> None:
    """The token is RS256, carries our email and uuid, and its signature verifies (openssl, and
    `verifier verify` when our binary is there)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise BenchError(f"{label}: the jwt does not have three parts")
    header, payload = json.loads(b64url(parts[0])), json.loads(b64url(parts[1]))
    if header.get("alg") != "RS256":
        raise BenchError(f"{label}: token alg is {header.get('alg')}, not RS256")
    if payload.get("email") != EMAIL or payload.get("uuid") != CUSTOMER_UUID:
        raise BenchError(f"{label}: token claims {payload} do not carry the request's email and uuid")
    with tempfile.TemporaryDirectory() as d:
        msg, sig = Path(d) / "input", Path(d) / "sig"
        msg.write_bytes(f"{parts[0]}.{parts[1]}".encode())
        sig.write_bytes(b64url(parts[2]))
        p = subprocess.run(["openssl", "dgst", "-sha256", "-verify", str(public_pem),
                            "-signature", str(sig), str(msg)], capture_output=True, text=True)
        if p.returncode != 0 or "Verified OK" not in p.stdout:
            raise BenchError(f"{label}: the token's signature does not verify with the bench key")
    if verifier:
        p = subprocess.run([str(verifier), "verify", "--public-key", str(public_pem), token],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
        if p.returncode != 0:
            raise BenchError(f"{label}: `synerise-auth verify` refuses the token: "
                             f"{(p.stdout + p.stderr).strip()[:300]}")


def measure_sign_in(server: Server, args: argparse.Namespace) -> dict:
    """Argon2id sign-ins: a burst of SIGN_IN_CROWD at once, then SIGN_IN_CLIENTS clients back to
    back for `duration` seconds. Sign-ins past the bound on hashes running and queued are refused at once, 503 `busy`
    with Retry-After: those are counted apart, and are not errors. Any other status is."""
    status, body = http_call(server.port, "POST", "/api/accounts", SIGN_IN_BODY,
                             {"Content-Type": "application/json"})
    if status not in (200, 201):
        raise server.fail(f"POST /api/accounts answered {status}: {body[:300]!r}")
    pid = server.pid
    wait_quiet(pid)
    log(f"  sign-in burst: {SIGN_IN_CROWD} at once")
    c0, _ = tree_cpu_seconds(pid)
    burst = hey_sign_ins(server.port, ["-n", str(SIGN_IN_CROWD), "-c", str(SIGN_IN_CROWD)], 300)
    c1, _ = tree_cpu_seconds(pid)
    burst_rss, _ = tree_peak_rss_kib(pid)
    wait_quiet(pid)
    log(f"  sign-ins: {SIGN_IN_CLIENTS} clients back to back for {args.duration} s")
    c2, _ = tree_cpu_seconds(pid)
    crowd = hey_sign_ins(server.port, ["-z", f"{args.duration}s", "-c", str(SIGN_IN_CLIENTS)],
                         args.duration + 120)
    c3, _ = tree_cpu_seconds(pid)
    rss_kib, _ = tree_peak_rss_kib(pid)

    def summary(h: dict, cpu: float) -> dict:
        busy = h["statuses"].get("503", 0)
        return {**h, "busy": busy, "errors": h["errors"] - busy,
                "sign_ins_per_s": h["ok"] / h["duration_s"] if h["duration_s"] else 0.0,
                "cpu_ms_per_sign_in": cpu * 1000 / h["ok"] if h["ok"] else None}

    return {"status": "ok", "crowd": SIGN_IN_CROWD, "clients": SIGN_IN_CLIENTS,
            "burst": summary(burst, c1 - c0),
            "burst_peak_rss_mib": burst_rss / 1024, "sustained": summary(crowd, c3 - c2),
            "peak_rss_mib": rss_kib / 1024}


def measure(server: Server, args: argparse.Namespace, public_pem: Path, verifier: Path | None) -> dict:
    """One service under load: its first token checked, the token-reuse check for ours, then
    wrk at its maximum rate (and hey at a fixed rate), with its CPU and peak memory."""
    svc = server.svc
    first = server.issue()
    check_token(first["jwt"], public_pem, svc.label, verifier)
    reused = None
    if svc.ours:
        # Tokens carry exp (and iat) in seconds: one issued a second later is different unless it
        # is a reused one. With the cache off that must not happen, or the run measures the cache.
        time.sleep(1.1)
        reused = server.issue()["jwt"] == first["jwt"]
        if reused and svc.ours_cache == "off":
            raise server.fail("reused a token with SYNERISE_AUTH_TOKEN_CACHE__ENABLED=off")
        if not reused and svc.ours_cache == "on":
            log("  note: with SYNERISE_AUTH_TOKEN_CACHE__ENABLED=on the same request a second later got a new token")
    if svc.ours:
        server.bench.floor_reply = server.reply()
    pid = server.pid

    log(f"  warm-up {args.warmup} s")
    warm = wrk(server.port, args.warmup, args.threads, args.connections, server.api_key)
    wait_quiet(pid)
    cpu0, main0, _ = tree_cpu_split(pid)
    log(f"  measuring {args.duration} s")
    load = wrk(server.port, args.duration, args.threads, args.connections, server.api_key)
    cpu1, main1, nproc = tree_cpu_split(pid)
    rss_kib, nrss = tree_peak_rss_kib(pid)

    ok = load["requests"] - load["non2xx"]
    seconds = load["duration_us"] / 1e6
    rps = load["requests"] / seconds if seconds else 0.0

    fixed = None
    if args.fixed_rate:
        rate = max(1.0, args.rate if args.rate else args.rate_fraction * rps)
        wait_quiet(pid)
        log(f"  fixed rate {rate:.0f} requests/s for {args.duration} s (hey)")
        c0, _ = tree_cpu_seconds(pid)
        h = hey(server.port, args.duration, rate, args.connections, server.api_key)
        c1, _ = tree_cpu_seconds(pid)
        fixed = {
            "target_rps": rate,
            "rps": h["requests"] / h["duration_s"] if h["duration_s"] else 0.0,
            "tokens": h["ok"],
            "p50_ms": h["latency_ms"]["p50"],
            "p99_ms": h["latency_ms"]["p99"],
            "cpu_seconds": c1 - c0,
            "cpu_ms_per_token": (c1 - c0) * 1000 / h["ok"] if h["ok"] else None,
            "server_cpu_cores": (c1 - c0) / h["duration_s"] if h["duration_s"] else None,
            "errors": h["errors"],
            "detail": h,
        }
    return {
        "status": "ok",
        "tokens": ok,
        "requests": load["requests"],
        "rps": rps,
        "p50_ms": load["latency_us"]["p50"] / 1000,
        "p99_ms": load["latency_us"]["p99"] / 1000,
        "cpu_seconds": cpu1 - cpu0,
        "cpu_ms_per_token": (cpu1 - cpu0) * 1000 / ok if ok else None,
        # The part of it spent on the processes' main threads (a Node worker's event loop).
        "main_threads_ms_per_token": (main1 - main0) * 1000 / ok if ok else None,
        "server_cpu_cores": (cpu1 - cpu0) / seconds if seconds else None,
        "peak_rss_mib": rss_kib / 1024,
        "processes": max(nproc, nrss),
        "errors": load["errors"] + warm["errors"],
        "errors_detail": {"measure": load, "warmup_errors": warm["errors"]},
        "statuses": load["statuses"],
        "token_reused": reused,
        "fixed_rate": fixed,
    }


# ---------------------------------------------------------------------------------------------
# Raw signature cost


def openssl_speed() -> dict:
    log("openssl speed -seconds 3 rsa2048")
    p = run(["openssl", "speed", "-seconds", "3", "-mr", "rsa2048"], what="openssl speed", timeout=120)
    return parse.openssl_speed(p.stdout)


def criterion_benches(key: Path, logdir: Path) -> dict:
    log("Criterion micro-benchmarks (crates/token/benches/token.rs)")
    started = time.time()
    env = dict(os.environ, SYNERISE_AUTH_BENCH_KEY=str(key))
    p = run(["cargo", "bench", "-p", "synerise-auth-token", "--bench", "token", "--", "--noplot", "cpu_"],
            env=env, cwd=ROOT, check=False, timeout=900)
    (logdir / "criterion.log").write_text(p.stdout or "")
    if p.returncode != 0:
        tail = "\n".join((p.stdout or "").splitlines()[-25:])
        raise BenchError(f"cargo bench failed (exit {p.returncode}); see {logdir / 'criterion.log'}\n{tail}")
    out = {}
    for name, (group, fn) in CRITERION_IDS.items():
        path = CRITERION / group / fn / "new" / "estimates.json"
        if not path.exists() or path.stat().st_mtime < started:
            raise BenchError(f"Criterion did not write a fresh {path}")
        est = json.loads(path.read_text())
        point = (est.get("slope") or est["mean"])["point_estimate"]
        out[name] = {"ns": point, "median_ns": est["median"]["point_estimate"],
                     "id": f"{group}/{fn}"}
    return out


