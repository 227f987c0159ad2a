"""Tests of scripts/check-docs: GitHub's anchor rules, the links it finds and refuses, and the
comparison of the documented routes with the service's."""

import sys
import tempfile
import unittest
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "check-docs"
_loader = SourceFileLoader("check_docs", str(SCRIPT))
_spec = spec_from_loader("check_docs", _loader)
assert _spec is not None
check_docs = module_from_spec(_spec)
sys.modules["check_docs"] = check_docs  # dataclasses look their module up there
_loader.exec_module(check_docs)


class Slugs(unittest.TestCase):
    def test_headings_become_githubs_anchors(self):
        cases = {
            "Storage: SQLite or PostgreSQL, one instance or several": "storage-sqlite-or-postgresql-one-instance-or-several",
            "`POST /generate-jwt`": "post-generate-jwt",
            "The event gate: `/gate/v1/*`": "the-event-gate-gatev1",
            "Configuring `serve`": "configuring-serve",
            "Where a request's work goes": "where-a-requests-work-goes",
            "bench: `POST /generate-jwt` side by side": "bench-post-generate-jwt-side-by-side",
            "Ünïcode — and [a link](x.md) *stressed*": "ünïcode--and-a-link-stressed",
            "snake_case stays": "snake_case-stays",
        }
        for heading, anchor in cases.items():
            with self.subTest(heading=heading):
                self.assertEqual(check_docs.slug(check_docs.heading_text(heading)), anchor)

    def test_repeated_headings_are_numbered_and_code_blocks_hold_none(self):
        text = "# Notes\n\n## Notes\n\n```sh\n# not a heading\n```\n\nSetext\n======\n\n<a name=\"kept\"></a>\n\n## Notes\n"
        self.assertEqual(check_docs.anchors(text), {"notes", "notes-1", "notes-2", "setext", "kept"})


class Links(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name).resolve()
        (self.root / "docs").mkdir()
        (self.root / "docs" / "page.md").write_text("# Page\n\n## A section\n")
        (self.root / "image.png").write_bytes(b"")

    def tearDown(self):
        self.tmp.cleanup()

    def problems(self, readme: str) -> list[str]:
        (self.root / "README.md").write_text(readme)
        return check_docs.link_problems(self.root, [self.root / "README.md"])

    def test_links_that_resolve_pass(self):
        readme = (
            "# Top\n\nSee [page](docs/page.md#a-section), [top](#top), ![i](image.png),\n"
            "[folder](docs/), [web](https://example.com/#nothing) and `[code](missing.md)`.\n\n"
            "```md\n[in a block](missing.md)\n```\n\n[ref]: docs/page.md\n"
        )
        self.assertEqual(self.problems(readme), [])

    def test_each_broken_link_is_named(self):
        readme = (
            "# Top\n\n[gone](docs/gone.md)\n[anchor](docs/page.md#no-such)\n[here](#nowhere)\n"
            "[out](../outside.md)\n![img](missing.png)\n[ref]: docs/absent.md\n"
            "[into an image](image.png#x)\n"
        )
        problems = self.problems(readme)
        self.assertEqual(len(problems), 7, problems)
        for expected in ("docs/gone.md", "#no-such", "#nowhere", "leaves the repository", "missing.png", "docs/absent.md", "not Markdown"):
            self.assertTrue(any(expected in p for p in problems), (expected, problems))


class Routes(unittest.TestCase):
    openapi = {
        "paths": {
            "/generate-jwt": {"post": {}, "parameters": []},
            "/api/session": {"get": {}, "post": {}, "delete": {}},
        }
    }

    def test_document_routes(self):
        self.assertEqual(
            check_docs.document_routes(self.openapi),
            {("POST", "/generate-jwt"), ("GET", "/api/session"), ("POST", "/api/session"), ("DELETE", "/api/session")},
        )

    def test_documented_routes_are_read_from_code_spans(self):
        text = "| `GET /gate/v1/events?limit=50` | x |\n`POST /generate-jwt` and `GET /`, not GET /plain\n```\n`GET /in-a-block`\n```\n"
        self.assertEqual(
            check_docs.documented_routes([text]),
            {("GET", "/gate/v1/events"), ("POST", "/generate-jwt"), ("GET", "/")},
        )

    def test_an_undocumented_operation_and_an_unserved_route_are_refused(self):
        documented = {("POST", "/generate-jwt"), ("GET", "/api/session"), ("POST", "/api/session"), ("GET", "/plain"), ("GET", "/gone")}
        served = check_docs.document_routes(self.openapi)
        statuses = {("GET", "/plain"): 200, ("GET", "/gone"): 404}
        problems = check_docs.route_problems(documented, served, lambda m, p: statuses[(m, p)])
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("DELETE /api/session: in /openapi.json", problems[0])
        self.assertIn("GET /gone: named in the docs, but the service answers 404", problems[1])

    def test_documented_routes_all_served_pass(self):
        served = check_docs.document_routes(self.openapi)
        self.assertEqual(check_docs.route_problems(served, served, lambda m, p: 404), [])


if __name__ == "__main__":
    unittest.main()
