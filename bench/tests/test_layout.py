"""The package's modules import one way: no circle, and nothing imports the scripts."""

import ast
import unittest
from pathlib import Path

import context

PACKAGE = context.BENCH / "synbench"


def local_imports(path: Path) -> set[str]:
    """The package's modules a module imports (`from .x import ...`, `from . import x`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("synbench."):
            found.add(node.module.split(".")[1])
    return found


def circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of `graph`, or None."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


class Layout(unittest.TestCase):
    def test_no_import_circle_in_the_package(self):
        graph = {p.stem: local_imports(p) - {p.stem} for p in PACKAGE.glob("*.py")}
        self.assertIn("common", graph["process"])
        self.assertIsNone(circle(graph), graph)

    def test_the_circle_finder_finds_one(self):
        self.assertEqual(circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}), ["a", "b", "c", "a"])
        self.assertIsNone(circle({"a": {"b"}, "b": set(), "c": {"a", "b"}}))

    def test_the_package_imports_no_script(self):
        for path in PACKAGE.glob("*.py"):
            tree = ast.parse(path.read_text())
            names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0 and n.module}
            self.assertFalse(names & {"run", "profile", "scale", "reliability", "chart"}, path.name)


if __name__ == "__main__":
    unittest.main()
