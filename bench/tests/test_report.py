"""Ratios, comparisons, targets and the Markdown the results pages show."""

import copy
import json
import unittest

import context  # noqa: F401 (puts bench/ on the path)
from synbench import report
from synbench.common import README_BEGIN, README_END, READMES, RESULTS


def row(id_, label, cpu_ms, fixed_cpu_ms=None):
    r = {"id": id_, "label": label, "status": "ok", "cpu_ms_per_token": cpu_ms}
    if fixed_cpu_ms is not None:
        r["fixed_rate"] = {"cpu_ms_per_token": fixed_cpu_ms}
    return r


class Ratios(unittest.TestCase):
    def test_ratios_to_each_signature_at_both_rates(self):
        r = row("ours", "ours", 0.25, fixed_cpu_ms=0.30)
        report.add_ratios(r, 0.2, 0.25)
        self.assertAlmostEqual(r["ratio_in_process"], 1.25)
        self.assertAlmostEqual(r["ratio_openssl"], 1.0)
        self.assertAlmostEqual(r["fixed_rate"]["ratio_in_process"], 1.5)

    def test_a_missing_number_gives_no_ratio(self):
        r = {"id": "node", "label": "node", "status": "not run"}
        report.add_ratios(r, None, 0.25)
        self.assertEqual((r["ratio_in_process"], r["ratio_openssl"]), (None, None))


class Comparisons(unittest.TestCase):
    def test_cheaper_and_dearer(self):
        services = [row("ours", "a", 0.2, 0.2), row("node", "b", 0.26, 0.3), row("flask_preloaded", "c", 0.1)]
        compared = report.comparisons(services)
        self.assertEqual(len(compared), 2)
        node, flask = compared
        self.assertAlmostEqual(node["factor"], 1.3)
        self.assertAlmostEqual(node["fixed_rate_factor"], 1.5)
        self.assertEqual(node["text"], "ours (cache off) is 1.30× cheaper per token than the Node peer "
                                       "(1.50× cheaper at the fixed rate)")
        self.assertIsNone(flask["fixed_rate_factor"])
        self.assertEqual(flask["text"], "ours (cache off) is 2.00× dearer per token than the Flask app "
                                        "with the key parsed once")

    def test_a_service_not_measured_is_not_compared(self):
        self.assertEqual(report.comparisons([row("ours", "a", 0.2), {"id": "node", "label": "b"}]), [])


class Targets(unittest.TestCase):
    def test_met_missed_and_not_measured(self):
        services = [row("ours", "ours", 0.2), row("ours_cached", "cached", 0.01), row("node", "node", 0.22)]
        for r in services:
            report.add_ratios(r, 0.2, 0.2)
        services[1]["ratio_in_process"] = None
        verdicts = {t["id"]: t["verdict"] for t in
                    report.targets(services, report.comparisons(services), ["ours", "ours_cached", "node"])}
        self.assertEqual(verdicts, {"ours": "met", "ours_cached": "not measured", "ours_vs_node": "missed"})

    def test_a_comparison_target_needs_both_services_in_the_run(self):
        services = [row("ours", "ours", 0.2)]
        report.add_ratios(services[0], 0.1, 0.1)
        found = report.targets(services, [], ["ours"])
        self.assertEqual([(t["id"], t["verdict"]) for t in found], [("ours", "missed")])
        self.assertEqual(found[0]["text"], "2.000x of a signature (target ≤ 1.1x)")


class FloorSummary(unittest.TestCase):
    def test_the_cached_request_against_both_floors(self):
        services = [row("ours_cached", "c", 0.0074), row("floor", "n", 0.0033), row("floor_hyper", "h", 0.0043)]
        services[1]["ratio_in_process"] = 0.016
        s = report.floor_summary(services)
        self.assertAlmostEqual(s["floor"]["factor"], 0.0074 / 0.0033)
        self.assertIn("7.4 µs, costs 2.24× the HTTP floor of nginx (3.3 µs, 0.016x of a signature)", s["text"])
        self.assertIn("the HTTP floor of hyper and tokio (4.3 µs, n/a of a signature)", s["text"])

    def test_none_without_the_cached_row_or_a_floor(self):
        self.assertIsNone(report.floor_summary([row("floor", "n", 0.003)]))
        self.assertIsNone(report.floor_summary([row("ours_cached", "c", 0.007)]))


class FrameworkFloors(unittest.TestCase):
    def test_each_signer_above_its_frameworks_floor(self):
        services = [row("flask_wheel", "w", 0.66), row("floor_flask", "f", 0.40),
                    row("node_addon", "a", 0.33), row("floor_node", "n", 0.27), row("node", "j", 0.37)]
        for r in services:
            report.add_ratios(r, 0.2, 0.2)
        found = {(f["row"], f["floor"]): f for f in report.framework_floors(services)}
        self.assertEqual(set(found), {("flask_wheel", "floor_flask"), ("node_addon", "floor_node"),
                                      ("node", "floor_node")})
        self.assertAlmostEqual(found[("flask_wheel", "floor_flask")]["above"], 1.3)
        self.assertAlmostEqual(found[("node", "floor_node")]["floor_ratio"], 1.35)
        self.assertEqual(found[("node_addon", "floor_node")]["text"],
                         "Node + @synerise-auth/server costs 0.30x a signature above the Node floor "
                         "(which is 1.35x: the framework's cost per token, whatever signs it)")

    def test_nothing_without_the_floor_or_a_ratio(self):
        services = [row("flask_wheel", "w", 0.66), row("floor_node", "n", 0.27), row("node_addon", "a", 0.3)]
        report.add_ratios(services[0], 0.2, 0.2)
        report.add_ratios(services[1], 0.2, 0.2)
        self.assertEqual(report.framework_floors(services), [])


class ThreadSplit(unittest.TestCase):
    def test_a_node_rows_cpu_on_its_event_loops_and_on_its_other_threads(self):
        addon = row("node_addon", "a", 0.40)
        addon["main_threads_ms_per_token"] = 0.06
        report.add_ratios(addon, 0.32, 0.32)
        [split] = report.thread_split([addon])
        self.assertEqual(split["row"], "node_addon")
        self.assertAlmostEqual(split["event_loop_ms"], 0.06)
        self.assertAlmostEqual(split["other_threads_ms"], 0.34)
        self.assertAlmostEqual(split["event_loop_ratio"] + split["other_threads_ratio"], addon["ratio_in_process"])
        self.assertEqual(split["text"], "Node + @synerise-auth/server spends 0.060 ms per token on its event loops "
                                        "(0.19x a signature) and 0.340 ms on its other threads, libuv's pool and "
                                        "V8's helpers (1.06x)")

    def test_only_node_rows_measured_with_their_main_threads(self):
        ours, older, failed = row("ours", "o", 0.3), row("node", "j", 0.4), row("floor_node", "f", 0.03)
        ours["main_threads_ms_per_token"] = 0.0
        failed.update(status="failed", main_threads_ms_per_token=0.02)
        for r in (ours, older, failed):
            report.add_ratios(r, 0.3, 0.3)
        self.assertEqual(report.thread_split([ours, older, failed]), [])


class Markdown(unittest.TestCase):
    """The committed results were written by bench/run from its JSON: rendering that JSON again
    gives the same text, in results/latest.md and in each page's latest-results block."""

    def setUp(self):
        self.results = json.loads((RESULTS / "latest.json").read_text())
        self.markdown = report.render_markdown(self.results)

    def test_the_latest_results_render_as_committed(self):
        self.assertEqual("# Benchmark: POST /generate-jwt\n\n" + self.markdown.split("\n", 2)[2],
                         (RESULTS / "latest.md").read_text())

    def test_the_pages_show_the_latest_results(self):
        for page in READMES:
            with self.subTest(page=page.name):
                text = page.read_text()
                self.assertEqual(report.replace_block(text, self.markdown), text)

    def test_the_summary_numbers_are_recomputed_alike(self):
        services = self.results["services"]
        self.assertEqual(report.comparisons(services), self.results["comparisons"])
        self.assertEqual(report.floor_summary(services), self.results["floor"])
        self.assertEqual(report.framework_floors(services), self.results.get("framework_floors", []))
        self.assertEqual(report.thread_split(services), self.results.get("threads", []))
        ids = [s["id"] for s in services]
        self.assertEqual(report.targets(services, self.results["comparisons"], ids), self.results["targets"])

    def test_a_failed_service_and_no_fixed_rate_pass(self):
        r = copy.deepcopy(self.results)
        r["services"][2].update(status="failed", reason="exited with status 1 before it was ready")
        for s in r["services"]:
            s.pop("fixed_rate", None)
        md = report.render_markdown(r)
        self.assertIn(f"| {r['services'][2]['label']} | failed: exited with status 1 before it was ready | |", md)
        self.assertNotIn("At a fixed rate", md)


class Block(unittest.TestCase):
    def test_only_the_block_is_replaced(self):
        text = f"# Page\n\nbefore\n{README_BEGIN}\nold\n{README_END}\nafter\n"
        self.assertEqual(report.replace_block(text, "new"), f"# Page\n\nbefore\n{README_BEGIN}\nnew\n{README_END}\nafter\n")

    def test_a_page_without_the_block_is_left_alone(self):
        self.assertIsNone(report.replace_block("# Page\n", "new"))
        self.assertIsNone(report.replace_block(f"{README_BEGIN} only", "new"))


if __name__ == "__main__":
    unittest.main()
