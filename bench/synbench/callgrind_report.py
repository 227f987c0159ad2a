"""`bench/profile`'s figures: a callgrind output split into the parts of one request, and the
Markdown of a profile. Pure functions over files and dicts, unit-tested in
bench/tests/test_callgrind_report.py."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

# The parts of a request, as the functions whose inclusive cost is that part (demangled names,
# matched as regular expressions against the whole name). A part's functions must not call each
# other, or their costs would be counted twice.
PARTS = [
    ("HTTP/1 request parse (hyper)", [r"<hyper::proto::h1::role::Server as hyper::proto::h1::Http1Transaction>::parse"]),
    ("HTTP/1 response encode (hyper)", [r"<hyper::proto::h1::role::Server as hyper::proto::h1::Http1Transaction>::encode"]),
    ("edge: head limits", [r"synerise_auth_server::middleware::head_limits::check.*"]),
    ("edge: security headers", [r"synerise_auth_server::middleware::security_headers::SecurityHeaders::apply"]),
    ("edge: log line (off at info)", [r"synerise_auth_server::middleware::edge::log_reply"]),
    ("edge: metrics", [r"synerise_auth_server::metrics::Metrics::request_answered"]),
    # The credential read from the headers and authenticated (`App::authenticate`); builds before
    # the application crate named the extractor `Caller`.
    ("API key (SHA-256, constant-time compare)", [r"<synerise_auth_server::caller::(?:Authenticated|Caller) as axum_core::extract::FromRequestParts<.*>>::from_request_parts::\{\{closure\}\}"]),
    ("JSON body and email check", [r"synerise_auth_server::routes::extract::parse<.*>|synerise_auth_server::routes::extract::parse"]),
    ("token cache", [r"synerise_auth_(?:server|issuing)::token_cache::TokenCache<.*>::(get|insert|hash)"]),
    ("customer uuid (read, written)", [r"synerise_auth_token::customer_uuid::.*",
                                       r"<synerise_auth_token::customer_uuid::CustomerUuid as core::fmt::Display>::fmt"]),
    ("RSA-2048 signature (aws-lc)", [r"aws_lc_rs::rsa::key::KeyPair::sign"]),
    ("reply body (JSON)", [r"<synerise_auth_server::routes::token::TokenResponse as axum_core::response::into_response::IntoResponse>::into_response"]),
]
# Claims, header and base64 are what signing a token costs beyond the signature itself.
ISSUER = r"synerise_auth_token::issuer::Issuer::sign.*"
# Counted inside the parts above, shown apart.
# The allocator's entry points (mimalloc), which do not call each other.
ALLOCATOR = r"mi_(malloc|zalloc|calloc|realloc|free)(_aligned)?"


def inclusive_costs(path: Path) -> dict[str, int]:
    """Each function's inclusive instruction count: its own plus that of the calls it makes."""
    names: dict[str, str] = {}
    total: dict[str, int] = defaultdict(int)
    current = None

    def name_of(spec: str) -> str:
        m = re.match(r"\((\d+)\)(?: (.*))?", spec)
        if not m:
            return spec
        if m.group(2):
            names[m.group(1)] = m.group(2)
        return names[m.group(1)]

    with path.open() as f:
        for line in f:
            if line.startswith("fn="):
                current = name_of(line[3:].strip())
            elif line.startswith(("cfn=", "cfni=")):
                name_of(line.split("=", 1)[1].strip())
            elif line.startswith("calls="):
                continue  # the next cost line is the call's inclusive cost: counted as this function's
            elif current and line[:1] in "0123456789+-*":
                parts = line.split()
                if len(parts) >= 2:
                    total[current] += int(parts[1])
    return total


def summary_total(path: Path) -> int:
    with path.open() as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise ValueError(f"no total in {path}")


def breakdown(path: Path, requests: int) -> dict:
    costs = inclusive_costs(path)
    per = lambda pattern: sum(c for name, c in costs.items()  # noqa: E731
                              if re.fullmatch(pattern, re.sub(r"'\d+$", "", name))) / requests
    total = summary_total(path) / requests
    parts = [{"part": label, "instructions": round(sum(per(p) for p in patterns))} for label, patterns in PARTS]
    signature = next(p for p in parts if p["part"].startswith("RSA"))["instructions"]
    claims = max(0, round(per(ISSUER)) - signature)
    parts.insert(len(parts) - 2, {"part": "claims, header, base64", "instructions": claims})
    named = sum(p["instructions"] for p in parts)
    parts.append({"part": "the rest: connection, routing, runtime, wake-ups (hyper, axum, tokio)",
                  "instructions": round(total - named)})
    return {"requests": requests, "instructions_per_request": round(total), "parts": parts,
            "allocator_per_request": round(per(ALLOCATOR))}


def markdown(result: dict) -> str:
    lines = [f"Measured {result['date']} by `bench/profile` on {result['machine']}, {result['built']}:",
             "instructions per request (callgrind), within a few percent whatever the machine's load (compare two builds in one sitting).", "",
             "| part of one request | returning customer (cache on) | new token (cache off) |",
             "| --- | ---: | ---: |"]
    on, off = result["cached"], result["uncached"]
    for a, b in zip(on["parts"], off["parts"]):
        lines.append(f"| {a['part']} | {a['instructions']:,} | {b['instructions']:,} |")
    lines.append(f"| **whole request** | **{on['instructions_per_request']:,}** | **{off['instructions_per_request']:,}** |")
    lines.append(f"| of which the allocator (inside the parts above) | {on['allocator_per_request']:,} | {off['allocator_per_request']:,} |")
    lines += ["", "System calls per request (strace, every thread):", "",
              "| call | cache on | cache off |", "| --- | ---: | ---: |"]
    for name in sorted(set(result["syscalls_cached"]) | set(result["syscalls_uncached"]),
                       key=lambda n: -result["syscalls_cached"].get(n, 0)):
        a, b = result["syscalls_cached"].get(name, 0), result["syscalls_uncached"].get(name, 0)
        if a >= 0.01 or b >= 0.01:
            lines.append(f"| `{name}` | {a:.2f} | {b:.2f} |")
    for name, title in (("split_cached", "returning customer (cache on)"), ("split_uncached", "new token (cache off)")):
        split = result.get(name)
        if not split:
            continue
        lines += ["", f"CPU time of a {title} request under the benchmark's load (wrk, 2 threads, "
                  f"16 connections, {split['seconds']} s, {split['requests']:,} requests; perf "
                  f"cpu-clock, {split['samples']:,} samples): {split['cpu_us_per_request']:.1f} µs "
                  "per request, by where it was spent. Timings: they move with the machine's state.",
                  "", "| where | share | µs per request |", "| --- | ---: | ---: |"]
        for part in split["parts"]:
            lines.append(f"| {part['part']} | {100 * part['share']:.1f}% | {part['us']:.2f} |")
    if result.get("split_note"):
        lines += ["", result["split_note"]]
    return "\n".join(lines) + "\n"
