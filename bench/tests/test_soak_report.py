"""`scripts/soak`'s figures: the memory verdict, slopes, percentiles, totals and the Markdown."""

import unittest

import context  # noqa: F401 (puts bench/ on the path)
from synbench import soak_report


def row(at_s, floor_mib, median_mib=None, errors=0, n=(6, 3, 1), busy=0):
    cell = {"p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0, "max_ms": 4.0}
    return {"at_s": at_s, "rss_kib": int(floor_mib * 1024),
            "rss_median_kib": int((median_mib or floor_mib) * 1024), "rss_max_kib": int((median_mib or floor_mib) * 1024) + 512,
            "open_fds": 40, "errors": errors, "error_examples": [], "late": 0, "busy": busy,
            "token": {"n": n[0], **cell}, "event": {"n": n[1], **cell}, "sign-in": {"n": n[2], **cell}}


class Memory(unittest.TestCase):
    def test_the_first_interval_is_warm_up_and_not_the_reference(self):
        figures = soak_report.memory([row(60, 20), row(120, 60), row(180, 63), row(240, 61)])
        self.assertEqual(figures["rss_first_mib"], 60)
        self.assertEqual(figures["rss_last_mib"], 61)
        self.assertAlmostEqual(figures["rss_change_pct"], 5.0, places=1)

    def test_a_fall_counts_as_a_change_with_its_sign(self):
        figures = soak_report.memory([row(60, 50), row(120, 100), row(180, 85), row(240, 99)])
        self.assertAlmostEqual(figures["rss_change_pct"], -15.0, places=1)
        self.assertFalse(soak_report.verdict(0, figures["rss_change_pct"], 0))

    def test_the_verdict_reads_the_median_not_the_dips_of_the_floor(self):
        # Memory handed back to the system drops the lowest reading; the median stays.
        figures = soak_report.memory([row(60, 40, 90), row(120, 90, 90), row(180, 60, 92), row(240, 88, 91)])
        self.assertAlmostEqual(figures["rss_change_pct"], 100 * 2 / 90, places=3)
        self.assertEqual((figures["rss_floor_min_mib"], figures["rss_floor_max_mib"]), (60, 90))
        self.assertTrue(soak_report.verdict(0, figures["rss_change_pct"], 0))

    def test_a_rising_median_fails_even_with_a_flat_floor(self):
        figures = soak_report.memory([row(60, 50, 80), row(120, 50, 80), row(180, 50, 95)])
        self.assertAlmostEqual(figures["rss_change_pct"], 100 * 15 / 80, places=3)
        self.assertFalse(soak_report.verdict(0, figures["rss_change_pct"], 0))

    def test_steady_growth_has_a_positive_slope(self):
        figures = soak_report.memory([row(60 * i, 50 + i) for i in range(1, 11)])
        self.assertAlmostEqual(figures["rss_slope_mib_per_h"], 60.0, places=3)
        self.assertEqual(figures["rss_peak_mib"], (60 * 1024 + 512) / 1024)

    def test_no_interval_is_an_error(self):
        with self.assertRaises(ValueError):
            soak_report.memory([])


class Verdict(unittest.TestCase):
    def test_flat_clean_and_stopped_passes(self):
        self.assertTrue(soak_report.verdict(0, 9.9, 0))
        self.assertTrue(soak_report.verdict(0, -10.0, 0))

    def test_growth_past_ten_percent_fails(self):
        self.assertFalse(soak_report.verdict(0, 10.1, 0))

    def test_one_error_fails(self):
        self.assertFalse(soak_report.verdict(1, 0.0, 0))

    def test_an_unclean_or_killed_stop_fails(self):
        self.assertFalse(soak_report.verdict(0, 0.0, 1))
        self.assertFalse(soak_report.verdict(0, 0.0, None))


class Figures(unittest.TestCase):
    def test_percentile_nearest_rank(self):
        values = [float(v) for v in range(1, 101)]
        self.assertEqual(soak_report.percentile(values, 0.5), 51.0)
        self.assertEqual(soak_report.percentile(values, 0.99), 100.0)
        self.assertEqual(soak_report.percentile([], 0.5), 0.0)

    def test_latency_cells_are_milliseconds(self):
        cells = soak_report.latency_cells([0.001, 0.002, 0.010])
        self.assertEqual(cells["n"], 3)
        self.assertEqual(cells["p50_ms"], 2.0)
        self.assertEqual(cells["max_ms"], 10.0)

    def test_slope_of_a_flat_or_single_series_is_zero(self):
        self.assertEqual(soak_report.slope_per_hour([(0, 5), (60, 5), (120, 5)]), 0.0)
        self.assertEqual(soak_report.slope_per_hour([(0, 5)]), 0.0)

    def test_totals_count_each_operations_requests(self):
        figures = soak_report.totals([row(60, 50, errors=2), row(120, 50, busy=3)])
        self.assertEqual(figures, {"errors": 2, "busy": 3, "operations": 20, "requests": 2 * (6 + 2 * 3 + 3 * 1)})


class Markdown(unittest.TestCase):
    def test_one_table_row_per_interval_and_the_verdict(self):
        samples = [row(60, 50), row(120, 52, busy=4)]
        result = {"commit": "synerise-auth 0.1.0 (abc)", "when": "2026-12-07 01:00 UTC", "cpus": 2,
                  "load_at_start": "0.10 0.20 0.30", "probe_s": 20, "capacity_ops": 700.0, "rate_ops": 350.0,
                  "duration_s": 120, "ok": False, "samples": samples,
                  **soak_report.totals(samples), **soak_report.memory(samples)}
        text = soak_report.markdown(result, 8, 2.0)
        self.assertIn("verdict: NOT flat or errors", text)
        self.assertIn("| 120 | 52.0 / 52.0 / 52.5 | 40 | 0 | 4 | 6 / 1.0 / 3.0 |", text)
        self.assertIn("sent again after their Retry-After: 4", text)
        self.assertEqual(sum(1 for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()), 2)


if __name__ == "__main__":
    unittest.main()
