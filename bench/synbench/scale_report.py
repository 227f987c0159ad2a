"""`bench/run --scale`'s report: how cost grew from the small size to the large one, the
Markdown, and the chart's script (run in the matplotlib venv). Pure, except `update_readme`."""

from __future__ import annotations

from pathlib import Path


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
    """The Markdown of results/scale.md and of bench/README.md's scale-results block."""
    m, load = r["machine"], r["load"]
    lines = [
        "## How cost grows with the work: latest results", "",
        f"Measured {r['when']} by `bench/run --scale` on {m.get('nproc')} CPUs ({m.get('cpu_model', '?')}), "
        f"Linux {m.get('kernel', '')}; load average at start {' '.join(m.get('loadavg_at_start', []))}. "
        f"Load: wrk, {load['threads']} threads, {load['connections']} connections, {load['warmup_s']} s warm-up "
        f"then {load['measure_s']} s measured per row (sign-in: hey, {load['sign_in_clients']} clients, "
        f"{load['measure_s']} s). Whole run: {r['seconds']:.0f} s. "
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
                      f"capacity raised to {r.get('cache_capacity', 2 * mem['large']):,} for the run). "
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


BEGIN, END = "<!-- scale-results:begin -->", "<!-- scale-results:end -->"


def update_readme(readme: Path, md: str) -> None:
    """Rewrites the scale-results block of bench/README.md."""
    text = readme.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        readme.write_text(f"{head}{BEGIN}\n{md}\n{END}{tail}")
