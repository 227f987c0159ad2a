"""Start a server, wait until it is ready, stop it: the one helper `bench/run`, `bench/profile`,
`scripts/reliability`, `scripts/soak` and `scripts/check-docs` share.

A server is started in a process group of its own (so a master and its workers stop together),
with its stdout and stderr in files. It is ready when it has printed its ready line
(`<prefix>ADDR`, e.g. `synerise-auth listening on http://127.0.0.1:PORT`) and, when asked, when
an HTTP path answers. Stopping sends a signal to the whole group, waits, and kills what is left.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .common import BenchError

# Every process started and not yet stopped, so that an interrupted run stops them all.
RUNNING: list["Process"] = []

OURS_READY = "synerise-auth listening on http://"


class NotReady(BenchError):
    """A server exited or did not become ready in time; the message ends with its last output."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_call(port: int, method: str, path: str, body: str | None = None,
              headers: dict[str, str] | None = None, timeout: float = 10.0,
              host: str = "127.0.0.1") -> tuple[int, bytes]:
    """One request on a fresh connection: (status, body). OSError when nothing answers."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def ready_address(text: str, prefix: str) -> str | None:
    """The ADDR of the first `<prefix>ADDR` in `text`, or None."""
    m = re.search(re.escape(prefix) + r"(\S+)", text)
    return m.group(1) if m else None


class Process:
    """One server process: `start()`, `wait_ready(...)`, `stop()`; also a context manager."""

    def __init__(self, argv: Sequence[str | os.PathLike], *, logdir: Path, label: str = "server",
                 log_prefix: str = "", env: dict[str, str] | None = None, cwd: Path | None = None,
                 preexec_fn: Callable[[], None] | None = None) -> None:
        """`argv` run in `cwd` with `env` (None: this process's), its output in
        `logdir/<log_prefix>stdout.log` and `stderr.log`; `label` names it in errors."""
        self.argv = [str(a) for a in argv]
        self.env, self.cwd, self.preexec_fn = env, cwd, preexec_fn
        logdir.mkdir(parents=True, exist_ok=True)
        self.out = logdir / f"{log_prefix}stdout.log"
        self.err = logdir / f"{log_prefix}stderr.log"
        self.name = label
        self.proc: subprocess.Popen | None = None
        self.address: str | None = None

    @property
    def pid(self) -> int:
        if not self.proc:
            raise BenchError(f"{self.name} is not started")
        return self.proc.pid

    @property
    def port(self) -> int:
        if not self.address:
            raise BenchError(f"{self.name} has no address yet")
        return int(self.address.rsplit(":", 1)[1])

    def start(self) -> "Process":
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         env=self.env, cwd=self.cwd, start_new_session=True,
                                         preexec_fn=self.preexec_fn)
        RUNNING.append(self)
        return self

    def output(self) -> str:
        return self.out.read_text(errors="replace") if self.out.exists() else ""

    def failure(self, why: str) -> NotReady:
        tail = []
        for f in (self.out, self.err):
            lines = f.read_text(errors="replace").splitlines()[-15:] if f.exists() else []
            if lines:
                tail.append(f"--- {f} (last lines)\n" + "\n".join(lines))
        return NotReady(f"{self.name}: {why}\n" + "\n".join(tail))

    def check_alive(self) -> None:
        if not self.proc or self.proc.poll() is not None:
            code = self.proc.returncode if self.proc else None
            raise self.failure(f"exited with status {code} before it was ready")

    def wait_ready(self, *, line: str | None = None, port: int | None = None,
                   path: str | None = "/healthz", any_status: bool = False,
                   timeout: float = 60) -> "Process":
        """Waits for the ready line `<line>ADDR` on stdout (when `line`; its ADDR must be
        127.0.0.1:`port` when `port`), then until GET `path` answers 200 (any status with
        `any_status`; not at all when `path` is None). Without a ready line, `port` says where."""
        deadline = time.monotonic() + timeout
        if line:
            while (address := ready_address(self.output(), line)) is None:
                self.check_alive()
                if time.monotonic() > deadline:
                    raise self.failure(f"did not print `{line}ADDR` within {timeout:.0f} s")
                time.sleep(0.1)
            if port is not None and address != f"127.0.0.1:{port}":
                raise self.failure(f"listens on {address}, not on 127.0.0.1:{port}")
            self.address = address
        elif port is not None:
            self.address = f"127.0.0.1:{port}"
        else:
            raise BenchError("wait_ready needs a ready line or a port")
        if path is None:
            return self
        status = None
        while True:
            self.check_alive()
            try:
                status, _ = http_call(self.port, "GET", path, timeout=2)
                if any_status or status == 200:
                    return self
            except OSError:
                status = None
            if time.monotonic() > deadline:
                raise self.failure(f"GET {path} did not answer {'' if any_status else '200 '}"
                                   f"within {timeout:.0f} s (last: {status})")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int | None:
        """Sends `sig` to the process group, waits up to `timeout` s, then kills what is left
        (workers a master left behind included). The exit status, or None if it had to be killed."""
        code = None
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                code = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        elif self.proc:
            code = self.proc.returncode
        if self.proc:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self in RUNNING:
            RUNNING.remove(self)
        return code

    def __enter__(self) -> "Process":
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


def stop_all() -> None:
    for process in list(RUNNING):
        process.stop()
