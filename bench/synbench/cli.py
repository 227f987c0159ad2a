"""`bench/run`: the options and the run, service by service, to the results files."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import secrets
import shutil
import signal
import sys
from pathlib import Path

from . import report, scale
from .common import BENCH, BODY, READMES, RESULTS, WORK, BenchError, log, run
from .measure import criterion_benches, measure, measure_sign_in, openssl_speed
from .process import stop_all
from .report import fmt
from .servers import Server
from .services import SERVICES, SIGN_IN, Bench, Service
from .tools import build_ours, ensure_chart_env, ensure_tools, machine_info, make_key, tool_versions

DESCRIPTION = """Side-by-side benchmark of POST /generate-jwt: the guide's Flask service (as written, and with the
key parsed once) and a Node peer (node:http + jose, 2 cluster workers) against `synerise-auth serve`
(token cache off, and on for a returning customer), next to the raw cost of one RSA-2048 signature
measured in the same run. Each service is loaded to its maximum with wrk, then at a fixed rate
(half of that maximum) with a rate-limited load generator (hey)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--warmup", type=int, default=10, help="seconds of load before measuring (10)")
    p.add_argument("--duration", type=int, default=20, help="seconds of measured load (20)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    p.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    p.add_argument("--bin", type=Path, default=None,
                   help="benchmark this synerise-auth binary instead of building target/release/synerise-auth")
    p.add_argument("--no-sign-in", dest="sign_in", action="store_false",
                   help="skip the sign-in pass (run with `ours`: argon2id sign-ins, a burst then a crowd)")
    p.add_argument("--services", default=",".join(s.id for s in SERVICES),
                   help="comma-separated subset of: " + ", ".join(s.id for s in SERVICES))
    p.add_argument("--rate-fraction", type=float, default=0.5,
                   help="the fixed-rate pass sends this fraction of each service's measured "
                        "maximum requests/s (0.5)")
    p.add_argument("--rate", type=float, default=None,
                   help="the fixed-rate pass sends R requests/s to every service instead")
    p.add_argument("--no-fixed-rate", dest="fixed_rate", action="store_false",
                   help="skip the fixed-rate pass")
    p.add_argument("--scale", action="store_true",
                   help="instead of the comparison, measure how our cost grows with the accounts, "
                        "cached customers and gate log rows held (bench/synbench/scale.py; writes results/scale.*)")
    p.add_argument("--scale-cached", type=int, default=100_000, metavar="N",
                   help="with --scale: the larger number of cached customers (100000; each one is a "
                        "signature to fill)")
    a = p.parse_args(argv)
    if a.connections < a.threads or a.threads < 1 or a.duration < 1 or a.warmup < 0:
        p.error("need threads >= 1, connections >= threads, duration >= 1, warmup >= 0")
    if a.scale_cached <= 1_000:
        p.error("need --scale-cached > 1000 (the smaller size)")
    if not 0 < a.rate_fraction <= 1 or (a.rate is not None and a.rate <= 0):
        p.error("need 0 < --rate-fraction <= 1 and --rate > 0")
    a.services = [s.strip() for s in a.services.split(",") if s.strip()]
    unknown = set(a.services) - {s.id for s in SERVICES}
    if unknown:
        p.error(f"unknown service(s): {', '.join(sorted(unknown))}")
    return a


def new_workdir() -> Path:
    """bench/work/<stamp> for this run's logs and keys; the last few runs' are kept."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    workdir = WORK / stamp
    if WORK.is_dir():
        for old in sorted(d for d in WORK.iterdir() if d.is_dir())[:-4]:
            shutil.rmtree(old, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    log(f"logs and keys for this run: {workdir}")
    return workdir


def public_key(key: Path, workdir: Path) -> Path:
    """The key's public half, after checking the key is RSA-2048."""
    public = workdir / "public.pem"
    run(["openssl", "pkey", "-in", key, "-pubout", "-out", public], what="openssl pkey -pubout")
    bits = run(["openssl", "pkey", "-in", key, "-noout", "-text"]).stdout
    if "2048 bit" not in bits:
        raise BenchError(f"the bench key {key} is not an RSA-2048 key")
    return public


def signature_cost(key: Path, workdir: Path, failures: list[str]) -> tuple[dict, dict]:
    """The Criterion micro-benchmarks and one signature's cost (in-process and openssl's), before
    any server runs, so that nothing of the benchmark competes with them."""
    criterion = {}
    try:
        criterion = criterion_benches(key, workdir)
    except BenchError as e:
        failures.append(f"in-process signature benchmark: {e}")
    speed = openssl_speed()
    sign_ms = criterion["cpu_sign"]["ns"] / 1e6 if "cpu_sign" in criterion else None
    return criterion, {"in_process_ms": sign_ms, "openssl_ms": speed["ms_per_sign"], "openssl": speed}


def why_not_run(svc: Service, bench: Bench, ours_problem: str | None) -> str | None:
    """Why a service cannot run now (ours not built, its peer not installed, no reply of ours
    for a floor to replay), or None."""
    if svc.ours and ours_problem:
        return ours_problem
    if svc.prepare:
        try:
            problem = svc.prepare(bench.workdir)
        except BenchError as e:
            return str(e)
        if problem:
            return problem
    if svc.replays_ours and bench.floor_reply is None:
        return "it replays a reply of ours: run it with ours_cached"
    return None


def run_service(svc: Service, bench: Bench, args: argparse.Namespace, public: Path,
                verifier: Path | None, ours_problem: str | None, failures: list[str]) -> dict:
    """One service started, measured and stopped: its result row. What went wrong is added to
    `failures`."""
    row = {"id": svc.id, "label": svc.label}
    problem = why_not_run(svc, bench, ours_problem)
    if problem:
        row.update(status="not run", reason=problem.splitlines()[0])
        failures.append(f"{svc.label}: {problem}")
        return row
    server = Server(svc, bench)
    try:
        server.start()
        row.update(measure(server, args, public, verifier))
    except BenchError as e:
        row.update(status="failed", reason=str(e).splitlines()[0])
        failures.append(str(e))
    finally:
        server.stop()
    if row.get("status") == "ok":
        failures += row_failures(row, server)
    return row


def row_failures(row: dict, server: Server) -> list[str]:
    """A measured row's errors and empty passes, as failures; logged as it goes."""
    label, out = row["label"], []
    log(f"  {row['tokens']} tokens, {fmt(row['cpu_ms_per_token'], '.3f')} ms CPU/token, "
        f"{row['errors']} errors")
    if row["errors"]:
        out.append(f"{label}: {row['errors']} errors "
                   f"(statuses {row['statuses']}, {row['errors_detail']['measure']['socket_errors']}, "
                   f"warm-up errors {row['errors_detail']['warmup_errors']}); logs in {server.dir}")
    if row["tokens"] == 0:
        out.append(f"{label}: no successful response")
    fixed = row.get("fixed_rate")
    if fixed:
        log(f"  fixed rate: {fixed['rps']:.0f} of {fixed['target_rps']:.0f} requests/s, "
            f"{fmt(fixed['cpu_ms_per_token'], '.3f')} ms CPU/token, {fixed['errors']} errors")
        if fixed["errors"]:
            out.append(f"{label}: {fixed['errors']} errors at a fixed rate "
                       f"(statuses {fixed['detail']['statuses']}, "
                       f"{fixed['detail']['socket_errors']} socket errors); logs in {server.dir}")
        if fixed["tokens"] == 0:
            out.append(f"{label}: no successful response at a fixed rate")
    return out


def run_sign_in(bench: Bench, args: argparse.Namespace, failures: list[str]) -> dict:
    """The sign-in pass on its own server of ours."""
    server = Server(SIGN_IN, bench)
    try:
        server.start()
        sign_in = measure_sign_in(server, args)
    except BenchError as e:
        sign_in = {"status": "failed", "reason": str(e).splitlines()[0]}
        failures.append(str(e))
    finally:
        server.stop()
    if sign_in["status"] == "ok":
        for name in ("burst", "sustained"):
            part = sign_in[name]
            log(f"  sign-in {name}: {part['ok']} signed in, {part['busy']} refused busy, "
                f"{part['errors']} errors, {part['sign_ins_per_s']:.1f}/s")
            if part["errors"]:
                failures.append(f"sign-in {name}: {part['errors']} errors (statuses {part['statuses']}, "
                                f"{part['socket_errors']} socket errors); logs in {server.dir}")
            if part["ok"] == 0:
                failures.append(f"sign-in {name}: nobody signed in")
    return sign_in


def settings(args: argparse.Namespace) -> dict:
    """The load's and the fixed-rate pass's settings, as the results record them."""
    return {
        "load": {"tool": "wrk", "threads": args.threads, "connections": args.connections,
                 "warmup_s": args.warmup, "duration_s": args.duration, "body": json.loads(BODY),
                 "summary": f"wrk, {args.threads} threads, {args.connections} connections, "
                            f"{args.warmup} s warm-up then {args.duration} s measured, one service at a time"},
        "fixed_rate": None if not args.fixed_rate else {
            "tool": "hey", "connections": args.connections, "duration_s": args.duration,
            "rate_fraction": None if args.rate else args.rate_fraction, "rate": args.rate,
            "summary": (f"hey, up to {args.connections} keep-alive connections, "
                        + (f"{args.rate:g} requests/s" if args.rate else
                           f"{args.rate_fraction:g} of each service's maximum requests/s above")
                        + f", {args.duration} s, right after the maximum-rate pass")},
    }


def write_results(results: dict, full: bool, chart_py: Path, failures: list[str]) -> None:
    """results/latest.* for a run of every service (and the pages' latest-results blocks), else
    results/partial.*; the terminal table; the chart."""
    name = "latest" if full else "partial"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    markdown = report.render_markdown(results)
    (RESULTS / f"{name}.md").write_text("# Benchmark: POST /generate-jwt\n\n" + markdown.split("\n", 2)[2])
    if full:
        for readme in READMES:
            report.update_readme(readme, markdown)
    report.print_table(results)
    try:
        run([chart_py, BENCH / "chart.py", RESULTS / f"{name}.json", RESULTS / f"{name}.png"],
            what="chart (matplotlib)")
    except BenchError as e:
        failures.append(str(e))
    log(f"wrote {RESULTS / f'{name}.md'}, {RESULTS / f'{name}.png'}, {RESULTS / f'{name}.json'}"
        + ("" if full else " (a subset of the services: the READMEs are left as they were)"))


def exit_status(failures: list[str], targets: list[dict]) -> int:
    """0 when all ran and met its target, 1 when something failed, 2 when a target was missed."""
    if failures:
        print("bench/run: FAILED", file=sys.stderr)
        for f in failures:
            print(f"  - {f}", file=sys.stderr)
        return 1
    missed = [t for t in targets if t["verdict"] != "met"]
    if missed:
        for t in missed:
            print(f"bench/run: target {t['verdict']}: {t['label']}: {t['text']}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.scale:
        return scale.main(args)
    ensure_tools(args.fixed_rate, "floor" in args.services)
    chart_py = ensure_chart_env()
    workdir = new_workdir()
    machine = machine_info()

    binary, ours_problem = build_ours(workdir, args.bin)
    if ours_problem:
        log(f"synerise-auth is not available: {ours_problem}")
    key, key_source = make_key(workdir / "key", None if ours_problem else binary)
    verifier = None if ours_problem else binary
    public = public_key(key, workdir)

    failures: list[str] = []
    criterion, signature = signature_cost(key, workdir, failures)
    bench = Bench(binary, key, secrets.token_urlsafe(32), workdir)
    services = []
    for svc in (s for s in SERVICES if s.id in args.services):
        row = run_service(svc, bench, args, public, verifier, ours_problem, failures)
        report.add_ratios(row, signature["in_process_ms"], signature["openssl_ms"])
        services.append(row)
    sign_in = None
    if args.sign_in and "ours" in args.services and not ours_problem:
        sign_in = run_sign_in(bench, args, failures)

    compared = report.comparisons(services)
    targets = report.targets(services, compared, args.services)
    results = {
        "comparisons": compared,
        "floor": report.floor_summary(services),
        "framework_floors": report.framework_floors(services),
        "threads": report.thread_split(services),
        "machine": machine,
        "tools": tool_versions(binary),
        "key": f"RSA-2048, made by {key_source} for this run",
        **settings(args),
        "signature": signature,
        "criterion": criterion,
        "services": services,
        "sign_in": sign_in,
        "targets": targets,
        "failures": failures,
    }
    # Only a run of every service is "the latest results" shown in the pages; a subset run (an
    # experiment) goes to partial.* and leaves them alone.
    full = {s.id for s in SERVICES} <= set(args.services)
    write_results(results, full, chart_py, failures)
    return exit_status(failures, targets)


def on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def entry() -> None:
    """The command: main() with its errors and interruptions reported, every server stopped."""
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"bench/run: error: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("bench/run: interrupted; servers stopped", file=sys.stderr)
        sys.exit(130)
    finally:
        stop_all()
