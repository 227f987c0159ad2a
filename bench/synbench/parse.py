"""Reading what the load generators and openssl print. Pure functions: text in, numbers out."""

from __future__ import annotations

import json
import re

from .common import BenchError


def wrk_result(out: str) -> dict:
    """The `BENCH_RESULT {json}` line load.lua's `done()` prints, with `errors`: non-2xx replies
    plus socket errors of every kind."""
    for line in out.splitlines():
        if line.startswith("BENCH_RESULT "):
            result = json.loads(line[len("BENCH_RESULT "):])
            e = result["socket_errors"]
            result["errors"] = result["non2xx"] + e["connect"] + e["read"] + e["write"] + e["timeout"]
            return result
    raise BenchError(f"wrk printed no BENCH_RESULT line:\n{out[-2000:]}")


def ok_count(statuses: dict[str, int]) -> int:
    """How many replies were 2xx, from a {status: count} map."""
    return sum(n for code, n in statuses.items() if 200 <= int(code) <= 299)


def hey_summary(out: str) -> dict:
    """hey's summary: duration, statuses, socket errors and latency percentiles (ms)."""
    total = re.search(r"^\s*Total:\s+([\d.]+) secs", out, re.M)
    if not total:
        raise BenchError(f"could not read hey's summary:\n{out[-2000:]}")
    pct = {int(a): float(b) * 1000 for a, b in re.findall(r"^\s*(\d+)% in ([\d.]+) secs", out, re.M)}
    statuses = {code: int(n) for code, n in re.findall(r"^\s*\[(\d+)\]\s+(\d+) responses", out, re.M)}
    socket_errors = 0
    if "Error distribution:" in out:
        for n, _ in re.findall(r"^\s*\[(\d+)\]\s+(.+)$", out.split("Error distribution:", 1)[1], re.M):
            socket_errors += int(n)
    requests = sum(statuses.values())
    ok = ok_count(statuses)
    return {"duration_s": float(total.group(1)), "requests": requests, "ok": ok, "statuses": statuses,
            "socket_errors": socket_errors, "errors": requests - ok + socket_errors,
            "latency_ms": {"p50": pct.get(50), "p90": pct.get(90), "p99": pct.get(99)}}


def openssl_speed(out: str) -> dict:
    """`openssl speed -mr rsa2048`'s machine-readable signing line: signatures, CPU seconds,
    milliseconds per signature and signatures per second."""
    m = re.search(r"^\+R1:(\d+):2048:([\d.]+)$", out, re.M)
    if not m:
        raise BenchError(f"could not read `openssl speed` output:\n{out[-1500:]}")
    count, secs = int(m.group(1)), float(m.group(2))
    return {"signs": count, "cpu_seconds": secs, "ms_per_sign": secs * 1000 / count,
            "signs_per_s": count / secs}
