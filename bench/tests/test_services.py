"""The services' declarations: each one's command, and the floor's nginx configuration."""

import tempfile
import unittest
from pathlib import Path

import context  # noqa: F401 (puts bench/ on the path)
from synbench.common import BenchError, SALT
from synbench.services import SERVICES, SIGN_IN, Bench, Service, floor_config, peer_script

REPLY = ([("content-type", "application/json"), ("cache-control", "no-store"), ("date", "Sun")],
         '{"jwt":"a.b.c","uuid":"u","expiresAt":"2026-12-13T00:00:00Z"}')


class Declarations(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.bench = Bench(Path("/opt/synerise-auth"), Path("/keys/private.pem"), "the-api-key", self.dir)

    def tearDown(self):
        self.tmp.cleanup()

    def test_ids_and_labels_are_unique(self):
        ids = [s.id for s in SERVICES] + [SIGN_IN.id]
        labels = [s.label for s in SERVICES] + [SIGN_IN.label]
        self.assertEqual(len(set(ids)), len(ids))
        self.assertEqual(len(set(labels)), len(labels))

    def test_ours_runs_the_binary_in_production_with_the_runs_key_and_cache(self):
        by_id = {s.id: s for s in SERVICES}
        for id_, cache in (("ours", "off"), ("ours_cached", "on")):
            command = by_id[id_].command(self.bench, 4321, self.dir)
            self.assertEqual(command.argv[:3], ["/opt/synerise-auth", "serve", "--production"])
            self.assertIn("127.0.0.1:4321", command.argv)
            self.assertEqual(command.argv[command.argv.index("--key") + 1], "/keys/private.pem")
            self.assertEqual(command.argv[command.argv.index("--uuid-salt") + 1], SALT)
            # No drain period: a benchmarked instance stops at once.
            self.assertEqual(command.env, {"SYNERISE_AUTH_API_KEYS": "the-api-key", "SYNERISE_AUTH_TOKEN_CACHE__ENABLED": cache,
                                           "SYNERISE_AUTH_SHUTDOWN__DRAIN": "0s"})
            self.assertTrue((self.dir / "data").is_dir())

    def test_the_sign_in_server_opens_sign_up_without_a_per_ip_limit(self):
        env = SIGN_IN.command(self.bench, 1, self.dir).env
        self.assertEqual((env["SYNERISE_AUTH_SIGNUP"], env["SYNERISE_AUTH_LIMITS__SIGN_IN_PER_IP_PER_MINUTE"]), ("true", "0"))

    def test_the_floors_need_a_reply_of_ours(self):
        for svc in (s for s in SERVICES if s.replays_ours):
            with self.subTest(svc=svc.id), self.assertRaisesRegex(BenchError, "replays a reply of ours"):
                svc.command(self.bench, 1, self.dir)
        self.bench.floor_reply = REPLY
        for svc in (s for s in SERVICES if s.replays_ours):
            self.assertTrue(svc.command(self.bench, 1, self.dir).argv)

    def test_the_framework_floors_run_their_peer_with_our_reply_instead_of_a_signer(self):
        self.bench.floor_reply = REPLY
        by_id = {s.id: s for s in SERVICES}
        flask = by_id["floor_flask"].command(self.bench, 7001, self.dir)
        self.assertTrue(flask.argv[0].endswith("bench/peers/flask-wheel/run.sh"))
        node = by_id["floor_node"].command(self.bench, 7002, self.dir)
        self.assertEqual(node.argv[0], "node")
        self.assertTrue(node.argv[1].endswith("bench/peers/node/floor.js"))
        self.assertEqual(node.env["WEB_CONCURRENCY"], "2")
        for command, variable in ((flask, "PEER_REPLY"), (node, "FLOOR_REPLY")):
            self.assertEqual(Path(command.env[variable]).read_text(), REPLY[1])

    def test_a_peer_is_one_declaration(self):
        svc = Service("flask_wheel", "Flask + synerise-auth wheel", peer_script("flask-wheel/run.sh"),
                      ready_line="flask wheel peer listening on http://")
        command = svc.command(self.bench, 5555, self.dir)
        self.assertTrue(command.argv[0].endswith("bench/peers/flask-wheel/run.sh"))
        self.assertEqual(command.argv[1:], ["5555", "/keys/private.pem"])
        self.assertEqual((command.env["API_KEYS"], command.env["UUID_SALT"], command.env["PORT"]),
                         ("the-api-key", SALT, "5555"))
        self.assertTrue(svc.full_reply)
        self.assertFalse(svc.ours)


class FloorConfig(unittest.TestCase):
    def test_nginx_replays_the_body_and_our_own_headers(self):
        conf = floor_config(REPLY, 8089, Path("/w"))
        self.assertIn("listen 127.0.0.1:8089;", conf)
        self.assertIn(f"return 200 '{REPLY[1]}';", conf)
        self.assertIn("add_header cache-control 'no-store';", conf)
        self.assertNotIn("add_header date", conf)
        self.assertIn("default_type application/json;", conf)
        self.assertIn("pid /w/nginx.pid;", conf)

    def test_a_body_nginx_cannot_quote_is_refused(self):
        with self.assertRaisesRegex(BenchError, "quote or backslash"):
            floor_config(([], "{\"a\": \"it's\"}"), 1, Path("/w"))


if __name__ == "__main__":
    unittest.main()
