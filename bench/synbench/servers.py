"""A declared service, started for a run on a free port: its token requests and its failures."""

from __future__ import annotations

import http.client
import json
import os

from .common import BODY, CUSTOMER_UUID, BenchError, log
from .process import Process, free_port, http_call
from .services import Bench, Reply, Service


class Server:
    def __init__(self, svc: Service, bench: Bench):
        self.svc = svc
        self.bench = bench
        self.api_key = bench.api_key
        self.port = free_port()
        self.dir = bench.workdir / svc.id
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process: Process | None = None

    @property
    def pid(self) -> int:
        if not self.process:
            raise BenchError(f"{self.svc.label} is not started")
        return self.process.pid

    def start(self) -> "Server":
        command = self.svc.command(self.bench, self.port, self.dir)
        log(f"starting {self.svc.label} on 127.0.0.1:{self.port}")
        # A process group of its own: the whole tree (gunicorn and its workers) stops together.
        self.process = Process(command.argv, logdir=self.dir, label=self.svc.label,
                               env=dict(os.environ, **command.env), cwd=self.dir).start()
        self.process.wait_ready(line=self.svc.ready_line, port=self.port, path=self.svc.ready_path,
                                any_status=self.svc.ready_any_status, timeout=self.svc.start_timeout)
        return self

    def fail(self, why: str) -> BenchError:
        if self.process:
            return self.process.failure(why)
        return BenchError(f"{self.svc.label}: {why}")

    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"}

    def reply(self) -> Reply:
        """One POST /generate-jwt as the load sends it: the reply's headers and body."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("POST", "/generate-jwt", body=BODY, headers=self.headers())
            resp = conn.getresponse()
            body = resp.read().decode()
            if resp.status != 200:
                raise self.fail(f"POST /generate-jwt answered {resp.status}: {body[:300]!r}")
            return resp.getheaders(), body
        finally:
            conn.close()

    def issue(self) -> dict:
        """One POST /generate-jwt with the benchmark's body and headers; the parsed reply."""
        status, body = http_call(self.port, "POST", "/generate-jwt", BODY, self.headers())
        if status != 200:
            raise self.fail(f"POST /generate-jwt answered {status}: {body[:300]!r}")
        try:
            reply = json.loads(body)
        except ValueError as e:
            raise self.fail(f"POST /generate-jwt answered non-JSON: {body[:300]!r}") from e
        if self.svc.full_reply:
            missing = [k for k in ("jwt", "uuid", "expiresAt") if k not in reply]
            if missing:
                raise self.fail(f"reply lacks {', '.join(missing)}: {reply}")
            if reply["uuid"] != CUSTOMER_UUID:
                raise self.fail(f"reply uuid {reply['uuid']} is not the derived {CUSTOMER_UUID}")
        elif "jwt" not in reply:
            raise self.fail(f"reply lacks jwt: {reply}")
        return reply

    def stop(self) -> None:
        if self.process:
            self.process.stop()
