"""The load generators: wrk at the maximum rate, hey at a fixed rate and for sign-ins."""

from __future__ import annotations

import os

from . import parse
from .common import BODY, LUA, SIGN_IN_BODY, run
from .proctree import children_cpu_seconds


def wrk(port: int, seconds: int, threads: int, connections: int, api_key: str) -> dict:
    """wrk with load.lua: the benchmark's request, as fast as it is answered."""
    env = dict(os.environ, BENCH_BODY=BODY, BENCH_API_KEY=api_key)
    cpu0 = children_cpu_seconds()
    p = run(["wrk", "-t", threads, "-c", connections, "-d", f"{seconds}s",
             "--timeout", "10s", "-s", LUA, f"http://127.0.0.1:{port}/generate-jwt"],
            env=env, what="wrk", timeout=seconds + 60)
    result = parse.wrk_result(p.stdout)
    result["loadgen_cpu_s"] = children_cpu_seconds() - cpu0
    return result


def hey(port: int, seconds: int, rate: float, connections: int, api_key: str) -> dict:
    """A fixed-rate load: hey with `connections` keep-alive workers, each limited to its share of
    `rate` requests per second (hey's -q is per worker). The same request as wrk's."""
    workers = max(1, min(connections, int(rate)))
    cpu0 = children_cpu_seconds()
    p = run(["hey", "-z", f"{seconds}s", "-c", workers, "-q", f"{rate / workers:.4f}", "-t", "10",
             "-m", "POST", "-T", "application/json", "-A", "application/json",
             "-H", f"Authorization: Bearer {api_key}", "-d", BODY,
             f"http://127.0.0.1:{port}/generate-jwt"], what="hey", timeout=seconds + 60)
    loadgen_cpu = children_cpu_seconds() - cpu0
    return {"target_rps": rate, "workers": workers, **parse.hey_summary(p.stdout), "loadgen_cpu_s": loadgen_cpu}


def hey_sign_ins(port: int, how: list[str], timeout: float) -> dict:
    """Sign-ins of the one account with its password, `how` being hey's -n or -z and -c."""
    cpu0 = children_cpu_seconds()
    p = run(["hey", *how, "-t", "60", "-m", "POST", "-T", "application/json", "-A", "application/json",
             "-d", SIGN_IN_BODY, f"http://127.0.0.1:{port}/api/session"], what="hey", timeout=timeout)
    return {**parse.hey_summary(p.stdout), "loadgen_cpu_s": children_cpu_seconds() - cpu0}
