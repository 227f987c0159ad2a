"""`scripts/soak`'s figures: percentiles, the resident memory's verdict and slope, the Markdown.

Pure functions over the rows the soak records once an interval, so that they are unit-tested
(bench/tests/test_soak_report.py) apart from the half hour of load that produces them.

A row: `at_s`, `rss_kib` (the interval's lowest resident-memory reading), `rss_median_kib` (the
middle one of its readings, one every 2 s: what the process holds most of the interval),
`rss_max_kib`, `open_fds`,
`errors`, `busy` (sign-ins refused 503 busy and sent again), and per kind of operation `{n, p50_ms, p95_ms, p99_ms, max_ms}`.
"""

from __future__ import annotations

import statistics

# The soak's operations and their weights (one drawn at random per due time).
MIX = (("token", 6), ("event", 3), ("sign-in", 1))
# How far the resident memory may move from its first steady reading, either way.
RSS_TOLERANCE = 0.10


def percentile(values: list[float], p: float) -> float:
    """The value below which a share `p` of `values` lies (nearest rank); 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def latency_cells(values: list[float]) -> dict:
    """One kind's latencies (seconds) as a row's cell, in milliseconds."""
    return {"n": len(values), "p50_ms": round(percentile(values, 0.50) * 1000, 2),
            "p95_ms": round(percentile(values, 0.95) * 1000, 2),
            "p99_ms": round(percentile(values, 0.99) * 1000, 2),
            "max_ms": round(max(values, default=0.0) * 1000, 2)}


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    """The least-squares slope of (seconds, value) points, per hour; 0.0 when undefined."""
    if len(points) < 2:
        return 0.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 0.0 if var == 0 else sum((x - mx) * (y - my) for x, y in points) / var * 3600


def memory(samples: list[dict]) -> dict:
    """The resident memory's figures over the steady rows (all but the first interval, the warm-up,
    when there are more than two).

    The verdict's figure is each interval's median reading: the lowest reading dips whenever the
    allocator hands memory back to the system, and the highest is how many argon2id hashes (19 MiB
    each) happened to run at that moment; the median is what the process holds most of the time,
    which a leak raises. The floor's figures are reported beside it."""
    steady = samples[1:] if len(samples) > 2 else samples
    if not steady:
        raise ValueError("no interval was recorded")
    median = [row["rss_median_kib"] / 1024 for row in steady]
    floor = [row["rss_kib"] / 1024 for row in steady]
    first = median[0]
    furthest = max(median, key=lambda v: abs(v - first))
    return {
        "rss_first_mib": first, "rss_last_mib": median[-1], "rss_min_mib": min(median), "rss_max_mib": max(median),
        "rss_change_pct": (furthest - first) / first * 100,
        "rss_slope_mib_per_h": slope_per_hour([(row["at_s"], row["rss_median_kib"] / 1024) for row in steady]),
        "rss_floor_min_mib": min(floor), "rss_floor_max_mib": max(floor),
        "rss_floor_slope_mib_per_h": slope_per_hour([(row["at_s"], row["rss_kib"] / 1024) for row in steady]),
        "rss_peak_mib": max(row["rss_max_kib"] for row in samples) / 1024,
    }


def verdict(errors: int, rss_change_pct: float, stop_status: int | None) -> bool:
    """Passed: no error, memory within the tolerance of its first steady reading, a clean stop."""
    return errors == 0 and abs(rss_change_pct) <= RSS_TOLERANCE * 100 and stop_status == 0


def totals(samples: list[dict]) -> dict:
    """Errors, operations, and HTTP requests (an event is a token then the event; a sign-in is
    sign-in, token, sign-out)."""
    return {
        "errors": sum(row["errors"] for row in samples),
        "busy": sum(row.get("busy", 0) for row in samples),
        "operations": sum(row[k]["n"] for row in samples for k, _ in MIX),
        "requests": sum(row["token"]["n"] + 2 * row["event"]["n"] + 3 * row["sign-in"]["n"] for row in samples),
    }


def markdown(result: dict, probe_workers: int, rss_every_s: float) -> str:
    """The soak's report: a summary, then one table row per interval."""
    lines = [
        f"Soak of `synerise-auth serve` ({result['commit']}), {result['when']}, {result['cpus']} CPUs, "
        f"load average at start {result['load_at_start']}.",
        "",
        f"- capacity (probe, {result['probe_s']} s, {probe_workers} clients back to back): "
        f"{result['capacity_ops']:.0f} operations/s; soak rate {result['rate_ops']:.0f} operations/s "
        f"for {result['duration_s']} s ({result['operations']} operations, {result['requests']} requests)",
        f"- errors: {result['errors']}; sign-ins refused 503 busy (every password-hashing place taken) "
        f"and sent again after their Retry-After: {result['busy']}",
        f"- resident memory (the median of each interval's readings, one every {rss_every_s:.0f} s): "
        f"{result['rss_first_mib']:.1f} MiB after the first interval, "
        f"{result['rss_last_mib']:.1f} MiB at the end, {result['rss_min_mib']:.1f}-{result['rss_max_mib']:.1f} MiB "
        f"in between (largest change {result['rss_change_pct']:+.1f}%, slope {result['rss_slope_mib_per_h']:+.2f} MiB/h); "
        f"the lowest readings {result['rss_floor_min_mib']:.1f}-{result['rss_floor_max_mib']:.1f} MiB "
        f"(slope {result['rss_floor_slope_mib_per_h']:+.2f} MiB/h), the highest reading {result['rss_peak_mib']:.1f} MiB",
        f"- verdict: {'flat within 10% and no error' if result['ok'] else 'NOT flat or errors'}",
        "",
        "| at (s) | RSS floor / median / max (MiB) | fds | errors | busy | token n / p50 / p99 (ms) "
        "| event n / p50 / p99 (ms) | sign-in n / p50 / p99 (ms) |",
        "| ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for row in result["samples"]:
        cells = [f"{row[k]['n']} / {row[k]['p50_ms']} / {row[k]['p99_ms']}" for k, _ in MIX]
        lines.append(f"| {row['at_s']} | {row['rss_kib'] / 1024:.1f} / {row['rss_median_kib'] / 1024:.1f} / "
                     f"{row['rss_max_kib'] / 1024:.1f} | {row['open_fds']} | {row['errors']} | {row.get('busy', 0)} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
