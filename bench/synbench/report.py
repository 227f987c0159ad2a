"""The numbers a run reports, and how they are written: ratios to a signature, comparisons,
targets, the Markdown of the results pages and the terminal table. Pure functions, except
`update_readme` (which writes a file) and `print_table` (which prints)."""

from __future__ import annotations

from pathlib import Path

from .common import README_BEGIN, README_END, log

# The targets, as multiples of one in-process RSA-2048 signature.
TARGETS = {"ours": 1.10, "ours_cached": 0.03, "flask_wheel": 1.40, "node_addon": 1.15}
# And as "N× cheaper per token than": (ours, the other, N).
CHEAPER_TARGETS = [("ours", "node", 1.25), ("node_addon", "node", 1.0)]
# The summary's "N× cheaper per token" lines: (ours, the other), both measured in the run.
COMPARISONS = [("ours", "node"), ("ours", "flask_preloaded"), ("flask_wheel", "flask_preloaded"),
               ("node_addon", "node")]

# The "above its framework's floor" lines: (a signer's row, the floor of its framework).
FRAMEWORK_FLOORS = [("flask_preloaded", "floor_flask"), ("flask_wheel", "floor_flask"),
                    ("node", "floor_node"), ("node_addon", "floor_node")]

# The rows whose CPU per token is also split by thread: a Node worker's main thread is its event
# loop, and its other threads are libuv's pool (where the addon and jose's WebCrypto sign) and
# V8's helpers.
EVENT_LOOP_ROWS = ["node", "node_addon", "floor_node"]


def fmt(v, spec: str, unit: str = "") -> str:
    return "n/a" if v is None else f"{v:{spec}}{unit}"


SHORT_NAMES = {"ours": "ours (cache off)", "node": "the Node peer",
               "floor_flask": "the Flask floor", "floor_node": "the Node floor",
               "flask_wheel": "Flask + the synerise-auth wheel",
               "node_addon": "Node + @synerise-auth/server",
               "flask_preloaded": "the Flask app with the key parsed once"}


def comparisons(services: list[dict]) -> list[dict]:
    """CPU per token of one service against ours, at the maximum rate and at the fixed rate."""
    by_id = {s["id"]: s for s in services}
    out = []
    for ours_id, other_id in COMPARISONS:
        a, b = by_id.get(ours_id), by_id.get(other_id)
        if not a or not b or a.get("cpu_ms_per_token") is None or b.get("cpu_ms_per_token") is None:
            continue
        entry = {"ours": ours_id, "other": other_id,
                 "factor": b["cpu_ms_per_token"] / a["cpu_ms_per_token"], "fixed_rate_factor": None}
        fa, fb = a.get("fixed_rate"), b.get("fixed_rate")
        if fa and fb and fa["cpu_ms_per_token"] and fb["cpu_ms_per_token"]:
            entry["fixed_rate_factor"] = fb["cpu_ms_per_token"] / fa["cpu_ms_per_token"]
        entry["text"] = comparison_text(entry)
        out.append(entry)
    return out


def floor_summary(services: list[dict]) -> dict | None:
    """What the returning customer's request costs above an HTTP reply alone (the floor rows)."""
    by_id = {s["id"]: s for s in services}
    ok = {k: s for k, s in by_id.items() if s.get("status") == "ok" and s.get("cpu_ms_per_token")}
    cached = ok.get("ours_cached")
    floor, hyper = ok.get("floor"), ok.get("floor_hyper")
    if not cached or not (floor or hyper):
        return None
    c = cached["cpu_ms_per_token"]
    parts = []
    out = {"cached_us": c * 1000}
    for key, row, what in (("floor", floor, "nginx"), ("floor_hyper", hyper, "hyper and tokio")):
        if row:
            f = row["cpu_ms_per_token"]
            out[key] = {"factor": c / f, "us": f * 1000, "ratio_in_process": row.get("ratio_in_process")}
            parts.append(f"{c / f:.2f}× the HTTP floor of {what} ({f * 1000:.1f} µs, "
                         f"{fmt(row.get('ratio_in_process'), '.3f', 'x')} of a signature)")
    out["text"] = (f"the returning customer (cache on), {c * 1000:.1f} µs, costs "
                   + " and ".join(parts))
    return out


def framework_floors(services: list[dict]) -> list[dict]:
    """What each signer costs above its framework's floor (the same service answering without
    signing), in signatures: the part of its row that the signing library decides."""
    ok = {s["id"]: s for s in services if s.get("status") == "ok" and s.get("ratio_in_process")}
    out = []
    for row_id, floor_id in FRAMEWORK_FLOORS:
        row, floor = ok.get(row_id), ok.get(floor_id)
        if not row or not floor:
            continue
        above = row["ratio_in_process"] - floor["ratio_in_process"]
        out.append({"row": row_id, "floor": floor_id, "above": above, "floor_ratio": floor["ratio_in_process"],
                    "text": f"{SHORT_NAMES[row_id]} costs {above:.2f}x a signature above "
                            f"{SHORT_NAMES[floor_id]} (which is {floor['ratio_in_process']:.2f}x: "
                            "the framework's cost per token, whatever signs it)"})
    return out


def thread_split(services: list[dict]) -> list[dict]:
    """Where a Node row's CPU per token is spent: on its event loops, or on its other threads
    (libuv's pool, where tokens are signed, and V8's helpers), each also as signatures."""
    out = []
    for s in services:
        if s["id"] not in EVENT_LOOP_ROWS or s.get("status") != "ok":
            continue
        cpu, main, ratio = s.get("cpu_ms_per_token"), s.get("main_threads_ms_per_token"), s.get("ratio_in_process")
        if not cpu or main is None or ratio is None:
            continue
        other = cpu - main
        main_ratio, other_ratio = main / cpu * ratio, other / cpu * ratio
        out.append({"row": s["id"], "event_loop_ms": main, "other_threads_ms": other,
                    "event_loop_ratio": main_ratio, "other_threads_ratio": other_ratio,
                    "text": f"{SHORT_NAMES[s['id']]} spends {main:.3f} ms per token on its event loops "
                            f"({main_ratio:.2f}x a signature) and {other:.3f} ms on its other threads, "
                            f"libuv's pool and V8's helpers ({other_ratio:.2f}x)"})
    return out


def comparison_text(c: dict) -> str:
    def cheaper(f: float) -> str:
        return f"{f:.2f}× cheaper" if f >= 1 else f"{1 / f:.2f}× dearer"
    text = (f"{SHORT_NAMES[c['ours']]} is {cheaper(c['factor'])} per token than "
            f"{SHORT_NAMES[c['other']]}")
    if c["fixed_rate_factor"] is not None:
        text += f" ({cheaper(c['fixed_rate_factor'])} at the fixed rate)"
    return text


def render_markdown(r: dict) -> str:
    m, t, sig, load = r["machine"], r["tools"], r["signature"], r["load"]
    lines = [
        "## Latest results",
        "",
        f"Measured {m['date']} by `bench/run` on {m['nproc']} CPUs ({m['cpu_model']}), Linux "
        f"{m['kernel']}; load average at start {' '.join(m['loadavg_at_start'])}.",
        "",
        f"Load, the same for every service: {load['summary']}. "
        "Every request is the same returning customer's email and uuid.",
        "",
        "| service | requests/s | p50 | p99 | CPU per token | ÷ signature (in-process) "
        "| ÷ signature (openssl) | peak RSS | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in r["services"]:
        if s["status"] != "ok":
            lines.append(f"| {s['label']} | {s['status']}: {s.get('reason', '')} | | | | | | | |")
            continue
        rss = f"{s['peak_rss_mib']:.1f} MiB"
        if s["processes"] > 1:
            rss += f" ({s['processes']} processes)"
        lines.append(
            f"| {s['label']} | {s['rps']:.0f} | {s['p50_ms']:.2f} ms | {s['p99_ms']:.2f} ms "
            f"| {fmt(s['cpu_ms_per_token'], '.3f', ' ms')} | {fmt(s['ratio_in_process'], '.2f', 'x')} "
            f"| {fmt(s['ratio_openssl'], '.2f', 'x')} | {rss} | {s['errors']} |")
    lines += [
        f"| *one RSA-2048 signature, in-process (aws-lc-rs, CPU time)* | | | | "
        f"{fmt(sig.get('in_process_ms'), '.3f', ' ms')} | 1.00x | "
        f"{fmt(sig.get('in_process_ms') and sig.get('openssl_ms') and sig['in_process_ms'] / sig['openssl_ms'], '.2f', 'x')} | | |",
        f"| *one RSA-2048 signature, `openssl speed -seconds 3 rsa2048`* | | | | "
        f"{fmt(sig.get('openssl_ms'), '.3f', ' ms')} | "
        f"{fmt(sig.get('in_process_ms') and sig.get('openssl_ms') and sig['openssl_ms'] / sig['in_process_ms'], '.2f', 'x')} | 1.00x | | |",
        "",
    ]
    fixed = [s for s in r["services"] if s.get("fixed_rate")]
    if fixed:
        lines += [
            f"At a fixed rate: {r['fixed_rate']['summary']}. The load generator sends at "
            "that rate whatever the replies' speed, so the server is not saturated and shares the "
            "CPUs with a lighter client:",
            "",
            "| service | rate sent | requests/s | p50 | p99 | CPU per token | ÷ signature (in-process) "
            "| server CPU (cores) | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for s in fixed:
            f = s["fixed_rate"]
            lines.append(
                f"| {s['label']} | {f['target_rps']:.0f} | {f['rps']:.0f} | {fmt(f['p50_ms'], '.2f', ' ms')} "
                f"| {fmt(f['p99_ms'], '.2f', ' ms')} | {fmt(f['cpu_ms_per_token'], '.3f', ' ms')} "
                f"| {fmt(f.get('ratio_in_process'), '.2f', 'x')} | {fmt(f['server_cpu_cores'], '.2f')} "
                f"| {f['errors']} |")
        lines.append("")
    si = r.get("sign_in")
    if si and si.get("status") == "ok":
        lines += [
            f"Sign-in (`POST /api/session`, argon2id at the default parameters, one account, its "
            f"password): {si['crowd']} sign-ins at once, then {si['clients']} clients back to back for "
            f"{r['load']['duration_s']} s (fewer than the hashes the server runs and queues, so that "
            "row is its most sign-ins a second). Past the bound on hashes running and queued, a "
            "sign-in is refused at once with 503 `busy` and `Retry-After`; sign-ins/s counts those "
            "signed in:",
            "",
            "| pass | sent | signed in | refused busy | sign-ins/s | p50 | p99 | CPU per sign-in | peak RSS | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for label, part, rss in ((f"{si['crowd']} at once", si["burst"], si["burst_peak_rss_mib"]),
                                 (f"{si['clients']} clients, back to back", si["sustained"],
                                  si["peak_rss_mib"])):
            lines.append(
                f"| {label} | {part['requests']} | {part['ok']} | {part['busy']} | {part['sign_ins_per_s']:.1f} "
                f"| {fmt(part['latency_ms']['p50'], '.0f', ' ms')} | {fmt(part['latency_ms']['p99'], '.0f', ' ms')} "
                f"| {fmt(part['cpu_ms_per_sign_in'], '.1f', ' ms')} | {rss:.1f} MiB | {part['errors']} |")
        lines.append("")
    elif si:
        lines += [f"Sign-in pass: {si['status']}: {si.get('reason', '')}", ""]
    if r.get("comparisons") or r.get("floor") or r.get("framework_floors") or r.get("threads"):
        lines += [f"- {c['text']}." for c in r.get("comparisons") or []]
        lines += [f"- {c['text']}." for c in r.get("framework_floors") or []]
        lines += [f"- {c['text']}." for c in r.get("threads") or []]
        if r.get("floor"):
            lines.append(f"- {r['floor']['text']}.")
        lines.append("")
    reuse = [s for s in r["services"] if s.get("token_reused") is not None]
    if reuse:
        lines.append("Token reuse check, the same request again 1 s later: " + "; ".join(
            f"{s['label']}: {'same token' if s['token_reused'] else 'new token'}" for s in reuse) + ".")
        lines.append("")
    if r["targets"]:
        lines.append("Targets:")
        lines.append("")
        for tg in r["targets"]:
            lines.append(f"- {tg['label']}: {tg['text']}: **{tg['verdict']}**")
        lines.append("")
    micro = r.get("criterion") or {}
    if micro:
        lines += ["Micro-benchmarks (Criterion, `crates/token/benches/token.rs`, same key, CPU time "
                  "of the benchmarking thread):", "",
                  "| benchmark | CPU time |", "| --- | ---: |"]
        names = [("cpu_sign", "RS256 sign, aws-lc-rs alone"),
                 ("cpu_sign_key", "RS256 sign, `SigningKey::sign_into`"),
                 ("cpu_issue", "full token (payload JSON, base64url, signature), `Issuer::issue`"),
                 ("cpu_verify_aws", "RS256 verify, aws-lc-rs alone"),
                 ("cpu_verify", "strict verify (header, signature, claims), `Verifier::verify`"),
                 ("cpu_uuid", "customer UUID derivation, `CustomerUuid::derive`")]
        for key, label in names:
            if key in micro:
                ns = micro[key]["ns"]
                val = f"{ns / 1e6:.3f} ms" if ns >= 1e5 else (f"{ns / 1e3:.2f} µs" if ns >= 1e3 else f"{ns:.0f} ns")
                lines.append(f"| {label} | {val} |")
        lines.append("")
    lines += [
        "CPU per token is the user + system CPU time of the server's whole process tree during the "
        "measured window, divided by the successful responses in it. Peak RSS is VmHWM summed over "
        "the tree (for gunicorn and the Node cluster: the primary and its 2 workers, which share "
        f"pages, so the sum overstates). The load generator runs on the same {m['nproc']} CPUs as the server, and "
        "other processes may share the machine (see the load average), so requests/s and latency "
        "are lower than on a dedicated machine; CPU per token and the signature's CPU time are "
        "hardly affected by that.",
        "",
        "Tools: " + "; ".join(f"{k}: {v}" for k, v in t.items()) + ".",
        "",
    ]
    return "\n".join(lines)


def print_table(r: dict) -> None:
    sig = r["signature"]
    head = f"{'service':46} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU/token':>11} {'÷sign':>7} {'÷openssl':>9} {'RSS MiB':>8} {'errors':>6}"
    print()
    print(head)
    print("-" * len(head))
    for s in r["services"]:
        if s["status"] != "ok":
            print(f"{s['label']:46} {s['status']}: {s.get('reason', '').splitlines()[0] if s.get('reason') else ''}")
            continue
        print(f"{s['label']:46} {s['rps']:8.0f} {s['p50_ms']:8.2f} {s['p99_ms']:8.2f} "
              f"{fmt(s['cpu_ms_per_token'], '8.3f', ' ms'):>11} {fmt(s['ratio_in_process'], '6.2f', 'x'):>7} "
              f"{fmt(s['ratio_openssl'], '8.2f', 'x'):>9} {s['peak_rss_mib']:8.1f} {s['errors']:6d}")
    print(f"{'one RSA-2048 signature, in-process (aws-lc-rs)':46} {'':8} {'':8} {'':8} {fmt(sig.get('in_process_ms'), '8.3f', ' ms'):>11}")
    print(f"{'one RSA-2048 signature, openssl speed':46} {'':8} {'':8} {'':8} {fmt(sig.get('openssl_ms'), '8.3f', ' ms'):>11}")
    fixed = [s for s in r["services"] if s.get("fixed_rate")]
    if fixed:
        print()
        print(f"fixed rate: {r['fixed_rate']['summary']}")
        head = f"{'service':46} {'sent/s':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU/token':>11} {'÷sign':>7} {'cores':>6} {'errors':>6}"
        print(head)
        print("-" * len(head))
        for s in fixed:
            f = s["fixed_rate"]
            print(f"{s['label']:46} {f['target_rps']:8.0f} {f['rps']:8.0f} {fmt(f['p50_ms'], '8.2f'):>8} "
                  f"{fmt(f['p99_ms'], '8.2f'):>8} {fmt(f['cpu_ms_per_token'], '8.3f', ' ms'):>11} "
                  f"{fmt(f.get('ratio_in_process'), '6.2f', 'x'):>7} {fmt(f['server_cpu_cores'], '6.2f'):>6} {f['errors']:6d}")
    print()
    for c in r.get("comparisons") or []:
        print(c["text"])
    for c in r.get("framework_floors") or []:
        print(c["text"])
    for c in r.get("threads") or []:
        print(c["text"])
    if r.get("floor"):
        print(r["floor"]["text"])
    for tg in r["targets"]:
        print(f"target: {tg['label']}: {tg['text']}: {tg['verdict']}")
    print()


def add_ratios(row: dict, sign_ms: float | None, openssl_ms: float | None) -> None:
    """Sets a result row's `ratio_in_process` and `ratio_openssl` (CPU per token over one
    signature's), at the maximum rate and at the fixed rate; None where a number is missing."""
    for key, ref in (("ratio_in_process", sign_ms), ("ratio_openssl", openssl_ms)):
        v = row.get("cpu_ms_per_token")
        row[key] = v / ref if v is not None and ref else None
        if row.get("fixed_rate"):
            v = row["fixed_rate"]["cpu_ms_per_token"]
            row["fixed_rate"][key] = v / ref if v is not None and ref else None


def targets(services: list[dict], compared: list[dict], run_ids: list[str]) -> list[dict]:
    """The verdict on each target: `met`, `missed`, or `not measured`."""
    out = []
    for row in services:
        if row["id"] in TARGETS:
            ratio = row.get("ratio_in_process")
            limit = TARGETS[row["id"]]
            verdict = "not measured" if ratio is None else ("met" if ratio <= limit else "missed")
            out.append({"id": row["id"], "label": row["label"], "ratio": ratio, "limit": limit,
                        "verdict": verdict,
                        "text": f"{fmt(ratio, '.3f', 'x')} of a signature (target ≤ {limit}x)"})
    for ours_id, other_id, limit in CHEAPER_TARGETS:
        if ours_id not in run_ids or other_id not in run_ids:
            continue
        c = next((c for c in compared if (c["ours"], c["other"]) == (ours_id, other_id)), None)
        factor = c["factor"] if c else None
        verdict = "not measured" if factor is None else ("met" if factor >= limit else "missed")
        out.append({"id": f"{ours_id}_vs_{other_id}", "ratio": factor, "limit": limit,
                    "label": f"{SHORT_NAMES[ours_id]} against {SHORT_NAMES[other_id]}",
                    "verdict": verdict,
                    "text": f"{fmt(factor, '.2f', '×')} cheaper per token (target ≥ {limit}×)"})
    return out


def replace_block(text: str, markdown: str) -> str | None:
    """`text` with what lies between its latest-results marks replaced by `markdown`; None when
    it has no such block."""
    if README_BEGIN not in text or README_END not in text:
        return None
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    return f"{head}{README_BEGIN}\n{markdown}\n{README_END}{tail}"


def update_readme(readme: Path, markdown: str) -> None:
    """Rewrites the latest-results block of a page (bench/README.md, docs/performance.md)."""
    if not readme.exists():
        return
    updated = replace_block(readme.read_text(), markdown)
    if updated is None:
        log(f"{readme} has no {README_BEGIN} ... {README_END} block: not updated")
        return
    readme.write_text(updated)
