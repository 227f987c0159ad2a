"""Draws bench/results/latest.png from the JSON that bench/run writes.

usage: python chart.py RESULTS_JSON OUT_PNG   (run by bench/run with its own matplotlib venv)
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    results_path, out_path = sys.argv[1], sys.argv[2]
    with open(results_path, encoding="utf-8") as f:
        results = json.load(f)

    rows = [s for s in results["services"] if s.get("cpu_ms_per_token") is not None]
    refs = results["signature"]
    labels = [s["label"] for s in rows]
    values = [s["cpu_ms_per_token"] for s in rows]
    colors = ["#9aa5b1" if s["id"].startswith("flask") else "#e8a33d" if s["id"] == "node"
              else "#d9d9d9" if s["id"].startswith("floor") else "#2f7ed8" for s in rows]

    fig, ax = plt.subplots(figsize=(11, 1.8 + 0.7 * max(len(rows), 1)))
    y = list(range(len(rows)))[::-1]
    ax.barh(y, values, color=colors, height=0.6)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.set_xscale("log")
    ax.set_xlabel("server CPU time per issued token (ms, log scale)")

    sign = refs.get("in_process_ms")
    for v, yy, s in zip(values, y, rows):
        text = f" {v:.3g} ms"
        if s.get("ratio_in_process") is not None:
            text += f"  ({s['ratio_in_process']:.2f}x a signature)"
        ax.text(v, yy, text, va="center", fontsize=9)

    if sign:
        ax.axvline(sign, color="#d62728", linestyle="--", linewidth=1.2)
        ax.text(sign, len(rows) - 0.45, f" one RSA-2048 signature, aws-lc-rs: {sign:.3f} ms",
                color="#d62728", fontsize=8, va="bottom")
    openssl = refs.get("openssl_ms")
    if openssl:
        ax.axvline(openssl, color="#ff7f0e", linestyle=":", linewidth=1.2)
        ax.text(openssl, -0.75, f" openssl speed: {openssl:.3f} ms", color="#ff7f0e",
                fontsize=8, va="bottom")

    lo = min(values + [x for x in (sign, openssl) if x]) if values else 0.001
    hi = max(values + [x for x in (sign, openssl) if x]) if values else 1
    ax.set_xlim(lo / 3, hi * 40)
    ax.set_ylim(-1, len(rows) - 0.1)
    m = results["machine"]
    load = results["load"]
    fig.suptitle(
        f"POST /generate-jwt: server CPU time per token, the same load for each\n"
        f"wrk, {load['threads']} threads, {load['connections']} connections, "
        f"{load['duration_s']} s measured; {m['cpu_model']}, {m['nproc']} CPUs, {m['date']}",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(out_path, dpi=120)


if __name__ == "__main__":
    main()
