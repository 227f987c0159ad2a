"""`synerise-auth serve` in dev mode on loopback, started and stopped by the benchmark's helper."""

import os
import resource
import signal
import tempfile
from pathlib import Path

from synbench.process import OURS_READY, NotReady, Process

ROOT = Path(__file__).resolve().parent.parent.parent
BINARY = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "synerise-auth"
# The customer the gate events name.
UUID = "345d4c8f-5aff-591d-a19c-1ca48923d9ee"


class Server:
    def __init__(self, data_dir, config="", nofile=None):
        self.data_dir = Path(data_dir)
        side = Path(tempfile.mkdtemp(prefix="synerise-auth-reliability-serve-"))
        self.config = side / "settings.toml"
        self.config.write_text(config)
        self.nofile = nofile
        self.process = None
        self.address = None
        self.banner = ""

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SYNERISE_AUTH_")}
        env.setdefault("RUST_LOG", "warn")
        limit = self.nofile

        def lower_limits():
            if limit:
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

        self.process = Process(
            [BINARY, "serve", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir,
             "--config", self.config],
            logdir=self.config.parent, label="serve", log_prefix="serve-", env=env,
            preexec_fn=lower_limits).start()
        try:
            self.process.wait_ready(line=OURS_READY, path=None, timeout=60)
        except NotReady as e:
            self.process.stop()
            raise SystemExit(f"serve did not start: {e}") from None
        self.address = self.process.address
        self.banner = self.process.output()
        return self

    def banner_value(self, prefix):
        for line in self.banner.splitlines():
            if line.strip().startswith(prefix):
                return line.strip()[len(prefix):].strip()
        raise SystemExit(f"no {prefix!r} in the banner")

    def peak_rss_mib(self):
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self, sig=signal.SIGTERM):
        if self.process:
            self.process.stop(sig, timeout=20)
