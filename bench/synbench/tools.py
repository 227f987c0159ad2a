"""What a run needs besides the servers: Debian packages, the Node peer's packages, the chart's
venv, the release builds, the key; and the versions of everything, for the report."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from .common import (ANCHOR_VENV, CHART_VENV, HYPER_FLOOR, NODE_PEER, PEERS, RELEASE_BIN, ROOT, TARGET,
                     BenchError, first_line, log, run)


def as_root(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return cmd
    if shutil.which("sudo"):
        return ["sudo", "-n", *cmd]
    raise BenchError(f"`{' '.join(cmd)}` needs root and sudo is not available")


def apt_install(packages: list[str]) -> None:
    if not shutil.which("apt-get"):
        raise BenchError(f"missing {', '.join(packages)} and apt-get is not available to install them")
    log(f"installing {' '.join(packages)} from Debian's packages")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(as_root(["apt-get", "update", "-q"]), env=env, what="apt-get update")
    # Debian starts a package's service when it installs it (nginx on port 80): not wanted here.
    policy = Path("/usr/sbin/policy-rc.d")
    guard = os.geteuid() == 0 and not policy.exists()
    if guard:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        run(as_root(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]),
            env=env, what=f"apt-get install {' '.join(packages)}")
    finally:
        if guard:
            policy.unlink(missing_ok=True)


def ensure_tools(fixed_rate: bool, floor: bool = False) -> None:
    if not shutil.which("cargo"):
        raise BenchError("cargo not found: install the Rust toolchain (rustup) first")
    tools = [("wrk", "wrk"), ("openssl", "openssl")] + ([("hey", "hey")] if fixed_rate else [])
    missing = [pkg for cmd, pkg in tools if not shutil.which(cmd)]
    if floor and not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        missing.append("nginx")
    python = shutil.which("python3")
    if not python:
        missing += ["python3", "python3-venv"]
    elif subprocess.run([python, "-c", "import ensurepip, venv"], capture_output=True).returncode:
        missing.append("python3-venv")
    if missing:
        apt_install(missing)
    for cmd in ("wrk", "openssl", "python3") + (("hey",) if fixed_rate else ()):
        if not shutil.which(cmd):
            raise BenchError(f"{cmd} is still missing after installing it")


def ensure_node_peer() -> None:
    """Node 20 or newer and the peer's packages (`npm ci` from its lock file, when not yet done)."""
    if not (shutil.which("node") and shutil.which("npm")):
        apt_install(["nodejs", "npm"])
    version = first_line(["node", "--version"])
    m = re.match(r"v(\d+)\.", version)
    if not m or int(m.group(1)) < 20:
        raise BenchError(f"the Node peer needs Node 20 or newer; `node --version` says {version}")
    lock, installed = NODE_PEER / "package-lock.json", NODE_PEER / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    log(f"npm ci in {NODE_PEER.relative_to(ROOT)}")
    run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_PEER, what="npm ci (the Node peer)",
        timeout=600)


def ensure_chart_env() -> Path:
    """A venv with matplotlib under the user's cache directory, made on first use."""
    py = CHART_VENV / "bin" / "python"
    if py.exists() and subprocess.run([py, "-c", "import matplotlib"], capture_output=True).returncode == 0:
        return py
    log(f"making a matplotlib venv in {CHART_VENV} (first run only)")
    if CHART_VENV.exists():
        shutil.rmtree(CHART_VENV)
    CHART_VENV.parent.mkdir(parents=True, exist_ok=True)
    run(["python3", "-m", "venv", CHART_VENV], what="python3 -m venv (for matplotlib)")
    run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "matplotlib"],
        what="pip install matplotlib", timeout=600)
    return py


def machine_info() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": first_line(["nproc"]),
        "cpu_model": model,
        "kernel": os.uname().release,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg_at_start": Path("/proc/loadavg").read_text().split()[:3],
    }


def ensure_node_addon_peer() -> None:
    """The Node peer's packages, and @synerise-auth/server's addon built in release mode: the
    crate's cdylib under the name napi-rs's loader looks for (cargo in the workspace's release
    profile, as our own binary is built; `napi build` would build every dependency again for an
    explicit --target)."""
    ensure_node_peer()
    log("building @synerise-auth/server's addon (cargo build --release -p synerise-auth-node)")
    run(["cargo", "build", "--release", "--locked", "-p", "synerise-auth-node"], cwd=ROOT,
        what="cargo build (the Node addon)", timeout=1800,
        env=dict(os.environ, CARGO_TARGET_DIR=str(TARGET)))
    shutil.copyfile(TARGET / "release" / "libsynerise_auth_node.so",
                    ROOT / "node" / "server" / "synerise-auth.linux-x64-gnu.node")
    run(["npm", "install", "--no-audit", "--no-fund"], cwd=PEERS / "node-addon",
        what="npm install (the Node + addon peer)", timeout=600)


def node_peer_versions() -> str:
    found = []
    for pkg in ("jose", "uuid"):
        try:
            meta = json.loads((NODE_PEER / "node_modules" / pkg / "package.json").read_text())
            found.append(f"{pkg} {meta['version']}")
        except (OSError, ValueError, KeyError):
            found.append(f"{pkg} not installed")
    return ", ".join(found)


def tool_versions(binary: Path) -> dict:
    anchor_py = ANCHOR_VENV / "bin" / "python"
    pkgs = "unavailable"
    if anchor_py.exists():
        pkgs = first_line([str(anchor_py), "-c",
                           "import importlib.metadata as m; print(', '.join(f'{p} {m.version(p)}' "
                           "for p in ('gunicorn', 'Flask', 'PyJWT', 'cryptography')))"])
    return {
        "wrk": first_line(["wrk", "-v"]).split(" [")[0],
        "openssl": first_line(["openssl", "version"]),
        "python": first_line(["python3", "--version"]),
        "flask anchors": pkgs,
        "node": first_line(["node", "--version"]) if shutil.which("node") else "unavailable",
        "node peer": node_peer_versions(),
        "hey": first_line(["dpkg-query", "-W", "-f", "${Version}", "hey"]) if shutil.which("hey") else "unavailable",
        "rustc": first_line(["rustc", "--version"]),
        "synerise-auth": first_line([str(binary), "--version"]) if binary.exists() else "unavailable",
        "commit": first_line(["git", "-C", str(ROOT), "describe", "--always", "--dirty"]),
    }


def release_build_steps() -> list[tuple[list[str], Path]]:
    """The commands that build the release binary from a fresh clone, in order, each with the
    folder it runs in: the web front end first (a release binary embeds it and will not build
    without it), then `cargo build --release`."""
    web = ROOT / "web"
    steps = []
    if not (web / "node_modules").is_dir():
        steps.append((["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], web))
    steps.append((["npm", "run", "--silent", "build"], web))
    steps.append((["cargo", "build", "--release", "--locked", "-p", "synerise-auth"], ROOT))
    return steps


def build_ours(logdir: Path, prebuilt: Path | None) -> tuple[Path, str | None]:
    """Builds the release binary, web first (unless one is given): the binary, and None when it
    has a `serve` command, else why not."""
    binary = prebuilt.resolve() if prebuilt else RELEASE_BIN
    if not prebuilt:
        output = []
        for cmd, cwd in release_build_steps():
            log(" ".join(cmd) + ("" if cwd == ROOT else f" (in {cwd.relative_to(ROOT)})"))
            p = run(cmd, cwd=cwd, check=False, timeout=1800)
            output.append(p.stdout or "")
            (logdir / "build.log").write_text("".join(output))
            if p.returncode != 0:
                return binary, f"`{' '.join(cmd)}` failed; see {logdir / 'build.log'}"
    if not binary.exists():
        return binary, f"{binary} was not built"
    helptext = subprocess.run([str(binary), "--help"], capture_output=True, text=True).stdout
    if not re.search(r"^\s+serve\b", helptext, re.M):
        return binary, f"{binary} has no `serve` command"
    return binary, None


def build_hyper_floor(logdir: Path) -> str | None:
    """Builds bench/peers/hyper-floor (its own lock file, our target directory); None when built."""
    log("cargo build --release (bench/peers/hyper-floor)")
    p = run(["cargo", "build", "--release", "--manifest-path", HYPER_FLOOR / "Cargo.toml"],
            cwd=ROOT, check=False, timeout=1800, env=dict(os.environ, CARGO_TARGET_DIR=str(TARGET)))
    (logdir / "build-hyper-floor.log").write_text(p.stdout or "")
    if p.returncode != 0:
        return f"building bench/peers/hyper-floor failed; see {logdir / 'build-hyper-floor.log'}"
    return None


def make_key(keydir: Path, binary: Path | None) -> tuple[Path, str]:
    """A fresh RSA-2048 key: by `binary keygen` when given and it works, else by openssl."""
    keydir.parent.mkdir(parents=True, exist_ok=True)
    if binary:
        try:
            p = subprocess.run([str(binary), "keygen", "--out", str(keydir)], capture_output=True,
                               text=True, stdin=subprocess.DEVNULL, timeout=60)
        except subprocess.TimeoutExpired:
            raise BenchError("`synerise-auth keygen --out DIR` did not finish within 60 s") from None
        if p.returncode == 0 and (keydir / "private.pem").exists():
            return keydir / "private.pem", "`synerise-auth keygen`"
        log(f"synerise-auth keygen did not write {keydir / 'private.pem'} (exit {p.returncode}); using openssl")
    keydir.mkdir(parents=True, exist_ok=True)
    key = keydir / "private.pem"
    run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
        what="openssl genpkey")
    key.chmod(0o600)
    return key, "`openssl genpkey`"


