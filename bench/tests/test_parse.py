"""Reading wrk's (load.lua's), hey's and openssl's output."""

import unittest

import context  # noqa: F401 (puts bench/ on the path)
from synbench import parse
from synbench.common import BenchError

WRK = """Running 3s test @ http://127.0.0.1:41234/generate-jwt
  2 threads and 16 connections
BENCH_RESULT {"duration_us": 3000512, "requests": 22300, "bytes": 19000000, "non2xx": 4, "statuses": {"200": 22296, "429": 4}, "socket_errors": {"connect": 1, "read": 2, "write": 0, "timeout": 3}, "latency_us": {"p50": 2100, "p90": 3300, "p99": 5050, "mean": 2150.5, "max": 9000}}
"""

HEY = """
Summary:
  Total:\t20.0031 secs
  Slowest:\t0.0120 secs
  Fastest:\t0.0010 secs
  Average:\t0.0020 secs
  Requests/sec:\t3695.0000

Latency distribution:
  10% in 0.0015 secs
  50% in 0.0020 secs
  90% in 0.0025 secs
  99% in 0.0032 secs

Status code distribution:
  [200]\t73900 responses
  [503]\t10 responses

Error distribution:
  [3]\tPost "http://127.0.0.1:1/generate-jwt": dial tcp 127.0.0.1:1: connect: connection refused
  [2]\tPost "http://127.0.0.1:1/generate-jwt": context deadline exceeded
"""

OPENSSL = """+DTP:2048:private:rsa:3
+R1:14025:2048:2.99
+DTP:2048:public:rsa:3
+R2:500000:2048:3.00
+F2:1:2048:0.000213:0.000006
"""


class Wrk(unittest.TestCase):
    def test_the_result_line_with_every_error_counted(self):
        r = parse.wrk_result(WRK)
        self.assertEqual(r["requests"], 22300)
        self.assertEqual(r["latency_us"]["p99"], 5050)
        self.assertEqual(r["errors"], 4 + 1 + 2 + 0 + 3)

    def test_no_result_line_is_an_error(self):
        with self.assertRaisesRegex(BenchError, "no BENCH_RESULT"):
            parse.wrk_result("Running 3s test\nsocket errors\n")


class Hey(unittest.TestCase):
    def test_the_summary(self):
        s = parse.hey_summary(HEY)
        self.assertAlmostEqual(s["duration_s"], 20.0031)
        self.assertEqual(s["statuses"], {"200": 73900, "503": 10})
        self.assertEqual((s["requests"], s["ok"], s["socket_errors"]), (73910, 73900, 5))
        self.assertEqual(s["errors"], 10 + 5)
        self.assertAlmostEqual(s["latency_ms"]["p50"], 2.0)
        self.assertAlmostEqual(s["latency_ms"]["p99"], 3.2)
        self.assertAlmostEqual(s["latency_ms"]["p90"], 2.5)

    def test_without_errors_or_a_percentile(self):
        out = HEY.split("Error distribution:")[0].replace("  99% in 0.0032 secs\n", "")
        s = parse.hey_summary(out)
        self.assertEqual((s["socket_errors"], s["errors"]), (0, 10))
        self.assertIsNone(s["latency_ms"]["p99"])

    def test_no_summary_is_an_error(self):
        with self.assertRaisesRegex(BenchError, "hey's summary"):
            parse.hey_summary("Error: connection refused\n")

    def test_ok_counts_only_2xx(self):
        self.assertEqual(parse.ok_count({"200": 5, "201": 2, "299": 1, "304": 7, "503": 3}), 8)


class OpensslSpeed(unittest.TestCase):
    def test_the_signing_line(self):
        s = parse.openssl_speed(OPENSSL)
        self.assertEqual(s["signs"], 14025)
        self.assertAlmostEqual(s["ms_per_sign"], 2.99 * 1000 / 14025)
        self.assertAlmostEqual(s["signs_per_s"], 14025 / 2.99)

    def test_other_output_is_an_error(self):
        with self.assertRaisesRegex(BenchError, "openssl speed"):
            parse.openssl_speed("+R1:14025:4096:2.99\n")


if __name__ == "__main__":
    unittest.main()
