"""The shared start / wait until ready / stop helper, on real processes."""

import os
import sys
import tempfile
import textwrap
import time
import unittest
from pathlib import Path

import context  # noqa: F401 (puts bench/ on the path)
from synbench.process import RUNNING, NotReady, Process, free_port, http_call, ready_address

# A server as ours behaves: prints its ready line, answers /healthz, and has a child process
# (as gunicorn has workers) whose pid it writes to argv[2].
SERVER = textwrap.dedent("""
    import http.server, subprocess, sys
    port, child_pid_file, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    if mode == "exit":
        print("failing on purpose", flush=True)
        sys.exit(3)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    open(child_pid_file, "w").write(str(child.pid))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    if mode != "silent":
        print(f"test server listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
""")


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie (killed, not yet reaped by its dead parent's reaper) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


class Lifecycle(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        (self.dir / "server.py").write_text(SERVER)
        self.child_pid = self.dir / "child.pid"

    def tearDown(self):
        for p in list(RUNNING):
            p.stop()
        self.tmp.cleanup()

    def process(self, port: int, mode: str = "serve") -> Process:
        return Process([sys.executable, self.dir / "server.py", str(port), self.child_pid, mode],
                       logdir=self.dir / "logs", label="test server").start()

    def test_ready_on_its_line_and_healthz_then_stopped_with_its_children(self):
        port = free_port()
        with self.process(port) as p:
            p.wait_ready(line="test server listening on http://", port=port, timeout=30)
            self.assertEqual(p.address, f"127.0.0.1:{port}")
            self.assertEqual(http_call(p.port, "GET", "/healthz")[0], 200)
            child = int(self.child_pid.read_text())
            self.assertIn(p, RUNNING)
        self.assertNotIn(p, RUNNING)
        self.assertIsNotNone(p.proc.poll())
        deadline = time.monotonic() + 5
        while not gone(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertTrue(gone(child), "the child process outlived the stop")

    def test_port_zero_read_from_the_ready_line(self):
        p = self.process(0)
        p.wait_ready(line="test server listening on http://", timeout=30)
        self.assertNotEqual(p.port, 0)
        self.assertEqual(http_call(p.port, "GET", "/healthz")[0], 200)
        self.assertEqual(p.stop(), -15)

    def test_ready_by_port_alone(self):
        port = free_port()
        p = self.process(port, mode="silent")
        p.wait_ready(port=port, timeout=30)
        self.assertEqual(p.address, f"127.0.0.1:{port}")

    def test_an_exit_before_ready_names_the_status_and_shows_the_output(self):
        p = self.process(free_port(), mode="exit")
        with self.assertRaises(NotReady) as caught:
            p.wait_ready(line="test server listening on http://", timeout=30)
        self.assertIn("test server: exited with status 3 before it was ready", str(caught.exception))
        self.assertIn("failing on purpose", str(caught.exception))

    def test_no_ready_line_in_time(self):
        p = self.process(free_port(), mode="silent")
        with self.assertRaisesRegex(NotReady, "did not print `test server listening on http://ADDR` within 1 s"):
            p.wait_ready(line="test server listening on http://", timeout=1)

    def test_listening_elsewhere_than_asked(self):
        p = self.process(free_port())
        with self.assertRaisesRegex(NotReady, "listens on 127.0.0.1:\\d+, not on 127.0.0.1:1\\n"):
            p.wait_ready(line="test server listening on http://", port=1, timeout=30)

    def test_a_path_that_never_answers_200(self):
        port = free_port()
        p = self.process(port)
        with self.assertRaisesRegex(NotReady, "GET /missing did not answer 200 within 1 s \\(last: 404\\)"):
            p.wait_ready(line="test server listening on http://", path="/missing", timeout=1)
        p.stop()
        p2 = self.process(free_port())
        p2.wait_ready(line="test server listening on http://", path="/missing", any_status=True, timeout=30)


class ReadyAddress(unittest.TestCase):
    def test_the_first_address_after_the_prefix(self):
        text = "key: abc\nsynerise-auth listening on http://127.0.0.1:8080\nlater listening on http://x\n"
        self.assertEqual(ready_address(text, "synerise-auth listening on http://"), "127.0.0.1:8080")
        self.assertIsNone(ready_address("starting\n", "synerise-auth listening on http://"))


if __name__ == "__main__":
    unittest.main()
