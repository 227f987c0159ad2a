"""`bench/run --scale`'s report: growth ratios and the Markdown, against the committed results."""

import json
import unittest

import context  # noqa: F401 (puts bench/ on the path)
from synbench import scale_report
from synbench.common import BENCH, RESULTS


def point(sweep, what, size, cpu, p50=1.0):
    return {"sweep": sweep, "what": what, "size": size, "cpu_us_per_request": cpu, "p50_ms": p50}


class Growth(unittest.TestCase):
    def test_large_over_small_per_measurement(self):
        points = [point("accounts", "token", 1_000_000, 12.0, 2.0), point("accounts", "token", 1_000, 10.0, 1.0),
                  point("cached", "new customer", 1_000, None), point("cached", "new customer", 100_000, 5.0)]
        self.assertEqual(scale_report.growth(points), [
            {"sweep": "accounts", "what": "token", "small": 1_000, "large": 1_000_000,
             "cpu_ratio": 1.2, "p50_ratio": 2.0}])


class Committed(unittest.TestCase):
    def setUp(self):
        self.results = json.loads((RESULTS / "scale.json").read_text())

    def test_the_committed_results_render_as_committed(self):
        md = scale_report.render(self.results)
        self.assertEqual(md, (RESULTS / "scale.md").read_text())
        self.assertIn(f"{scale_report.BEGIN}\n{md}\n{scale_report.END}", (BENCH / "README.md").read_text())
        self.assertEqual(scale_report.growth(self.results["points"]), self.results["growth"])


if __name__ == "__main__":
    unittest.main()
