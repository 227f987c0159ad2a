"""`bench/profile`'s figures from a callgrind output: inclusive costs, the parts, the Markdown."""

import tempfile
import unittest
from pathlib import Path

import context  # noqa: F401 (puts bench/ on the path)
from synbench import callgrind_report

# Two requests' worth: a handler (own cost 40) calling the signature (inclusive 600, of which the
# allocator 20) and the issuer's claims (inclusive 700, calling the signature once more: 300).
OUTPUT = """events: Ir
fn=(1) synerise_auth_token::issuer::Issuer::sign_claims
0 50
cfn=(2) aws_lc_rs::rsa::key::KeyPair::sign
calls=1 0
0 300
fn=(3) handler
0 40
cfn=(2)
calls=1 0
0 600
cfn=(1)
calls=1 0
0 350
fn=(2)
0 880
cfn=(4) mi_malloc
calls=2 0
0 20
fn=(4)
0 20
summary: 1100
"""


class Callgrind(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = Path(self.dir.name) / "callgrind.out"
        self.path.write_text(OUTPUT)

    def tearDown(self):
        self.dir.cleanup()

    def test_inclusive_costs_add_the_calls_inclusive_cost(self):
        costs = callgrind_report.inclusive_costs(self.path)
        self.assertEqual(costs["handler"], 40 + 600 + 350)
        self.assertEqual(costs["synerise_auth_token::issuer::Issuer::sign_claims"], 350)
        self.assertEqual(costs["aws_lc_rs::rsa::key::KeyPair::sign"], 900)

    def test_the_total_is_the_summary_line(self):
        self.assertEqual(callgrind_report.summary_total(self.path), 1100)
        self.path.write_text("events: Ir\nfn=(1) x\n0 5\n")
        with self.assertRaises(ValueError):
            callgrind_report.summary_total(self.path)

    def test_breakdown_per_request_adds_up_to_the_whole(self):
        result = callgrind_report.breakdown(self.path, requests=2)
        parts = {p["part"]: p["instructions"] for p in result["parts"]}
        self.assertEqual(result["instructions_per_request"], 550)
        self.assertEqual(parts["RSA-2048 signature (aws-lc)"], 450)
        # The issuer's 350 includes a signature: claims are what is left once it is taken off.
        self.assertEqual(parts["claims, header, base64"], 0)
        self.assertEqual(sum(parts.values()), 550)
        self.assertEqual(result["allocator_per_request"], 10)

    def test_markdown_has_a_row_per_part_and_the_syscalls(self):
        part = callgrind_report.breakdown(self.path, requests=2)
        result = {"date": "2026-12-07", "machine": "2 CPUs (test)", "built": "release", "cached": part,
                  "uncached": part, "syscalls_cached": {"write": 1.0}, "syscalls_uncached": {"write": 1.5}}
        text = callgrind_report.markdown(result)
        self.assertIn("| RSA-2048 signature (aws-lc) | 450 | 450 |", text)
        self.assertIn("| **whole request** | **550** | **550** |", text)
        self.assertIn("| `write` | 1.00 | 1.50 |", text)


if __name__ == "__main__":
    unittest.main()
