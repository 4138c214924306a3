"""Every catalogue query, as Neo4j runs it, and the Neo4j schema DDL pass Neo4j's own Cypher front end.

The linter is `lintCypherQuery` from `@neo4j-cypher/language-support` (pinned in tests/lint), run as
`CYPHER 5 <query>` by tests/lint/lint_cypher.mjs against the project's labels, relationship types,
property keys, each query's parameters and a real Neo4j 5 function/procedure catalogue (without the
APOC and GDS plugins, which the project's Neo4j lacks). Errors fail;
so do "not present in the database" warnings (we declare every label and type, so one is a typo).
Other warnings (deprecations) are printed only.

The linter is slow (~0.15 s a query), so results of unchanged queries are kept in pytest's cache,
keyed by the installed linter, the script, the lockfile, the schema and the query; the probes below
are linted on every run. `NEO4J_LINT_CACHE=0` (or `pytest --cache-clear`) lints everything afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from graph.schema import neo4j as neo4j_schema
from graph.schema.model import DERIVED_LABELS, NODE_LABELS, RELATIONSHIP_TYPES, property_keys
from queries import catalogue

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LINT_DIR = PROJECT_ROOT / "tests" / "lint"
SCRIPT = LINT_DIR / "lint_cypher.mjs"
LOCKFILE = LINT_DIR / "package-lock.json"
PACKAGE = "@neo4j-cypher/language-support"
INSTALLED_MANIFEST = LINT_DIR / "node_modules" / PACKAGE / "package.json"
INSTALL_HINT = "run `npm ci --prefix tests/lint` (or `make test`, which does it)"
TIMEOUT_S = 300
CACHE_KEY = "neo4j_lint/results"

ERROR, WARNING = 1, 2
_UNDECLARED = re.compile(r"\bnot (?:present|available) in the database\b")

# Plugin namespaces the project's Neo4j has (`apoc`, `gds`): none, so their functions and procedures are errors.
PLUGINS: list[str] = []
SCHEMA: dict[str, list[str]] = {
    "labels": [*NODE_LABELS, *DERIVED_LABELS],
    "relationshipTypes": list(RELATIONSHIP_TYPES),
    "propertyKeys": list(property_keys()),
}


@dataclass(frozen=True)
class LintQuery:
    name: str
    text: str
    params: tuple[str, ...] = ()
    cacheable: bool = True


@dataclass
class Diagnostic:
    severity: int
    message: str
    line: int
    character: int

    def describe(self, name: str) -> str:
        return f"{name}:{self.line}:{self.character}: {self.message}"


@dataclass
class LintResult:
    query: LintQuery
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Diagnostics that fail the lint: errors, and warnings about an undeclared label/type/property."""
        return [d.describe(self.query.name) for d in self.diagnostics if _fails(d)]

    @property
    def notes(self) -> list[str]:
        """Diagnostics that are reported but do not fail (e.g. deprecations)."""
        return [d.describe(self.query.name) for d in self.diagnostics if not _fails(d)]


def _fails(d: Diagnostic) -> bool:
    return d.severity == ERROR or (d.severity == WARNING and _UNDECLARED.search(d.message) is not None)


def _require_linter() -> str:
    """The `node` executable; fail (never skip) when it or the linter package is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"Neo4j lint needs Node.js (`node` is not on PATH): install Node >= 20, then {INSTALL_HINT}")
    if not INSTALLED_MANIFEST.is_file():
        pytest.fail(f"Neo4j lint: {PACKAGE} is not installed in {LINT_DIR}/node_modules: {INSTALL_HINT}")
    pinned = json.loads(LOCKFILE.read_text(encoding="utf-8"))["packages"][f"node_modules/{PACKAGE}"]["version"]
    installed = json.loads(INSTALLED_MANIFEST.read_text(encoding="utf-8"))["version"]
    if installed != pinned:
        pytest.fail(f"Neo4j lint: {PACKAGE} {installed} is installed but the lockfile pins {pinned}: {INSTALL_HINT}")
    return node


def _cache_key(query: LintQuery) -> str:
    digest = hashlib.sha256()
    for part in (
        INSTALLED_MANIFEST.read_bytes(),
        LOCKFILE.read_bytes(),
        SCRIPT.read_bytes(),
        json.dumps([SCHEMA, PLUGINS, query.text, sorted(query.params)]).encode(),
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def lint(queries: list[LintQuery], cache: Any = None) -> list[LintResult]:
    """Lint QUERIES with Neo4j's front end in one node run; results in input order.

    `cache` is pytest's cache (or None): results of cacheable queries linted before with the same
    linter, script, schema and text are reused; everything else goes to node.
    """
    node = _require_linter()
    use_cache = cache is not None and os.environ.get("NEO4J_LINT_CACHE", "1") != "0"
    stored: dict[str, list[dict[str, Any]]] = (cache.get(CACHE_KEY, {}) or {}) if use_cache else {}
    keys = [_cache_key(q) if use_cache and q.cacheable else None for q in queries]
    todo = [i for i, key in enumerate(keys) if key is None or key not in stored]
    raw: dict[int, list[dict[str, Any]]] = {i: stored[key] for i, key in enumerate(keys) if key in stored}
    if todo:
        payload = {
            "schema": SCHEMA,
            "plugins": PLUGINS,
            "queries": [{"name": queries[i].name, "text": queries[i].text, "params": list(queries[i].params)}
                        for i in todo],
        }
        try:
            proc = subprocess.run(
                [node, str(SCRIPT)], input=json.dumps(payload), capture_output=True, text=True,
                timeout=TIMEOUT_S, cwd=LINT_DIR, check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"Neo4j lint: {SCRIPT.name} took over {TIMEOUT_S} s for {len(todo)} queries")
        if proc.returncode != 0:
            pytest.fail(f"Neo4j lint: {SCRIPT.name} exited with {proc.returncode} ({INSTALL_HINT}?):\n{proc.stderr}")
        output = json.loads(proc.stdout)
        assert len(output) == len(todo), f"linter returned {len(output)} results for {len(todo)} queries"
        for i, result in zip(todo, output, strict=True):
            raw[i] = result["diagnostics"]
    if use_cache:
        cache.set(CACHE_KEY, {key: raw[i] for i, key in enumerate(keys) if key is not None})
    return [
        LintResult(q, [Diagnostic(d["severity"], d["message"], d["line"], d["character"]) for d in raw[i]])
        for i, q in enumerate(queries)
    ]


def _ddl_name(index: int, statement: str) -> str:
    match = re.search(r"\b(?:CONSTRAINT|INDEX)\s+(\w+)", statement)
    return f"graph.schema.neo4j[{match.group(1) if match else index}]"


def project_queries() -> list[LintQuery]:
    """Every catalogue query as Neo4j runs it (templates expanded) and every schema statement."""
    out = [LintQuery(q.name, q.text, tuple(sorted(q.params))) for q in catalogue.all_queries("neo4j")]
    out += [LintQuery(_ddl_name(i, s), s) for i, s in enumerate(neo4j_schema.statements())]
    return out


POINT = "point({latitude: 1, longitude: 2})"
PROBES: dict[str, LintQuery] = {
    probe.name: probe
    for probe in (
        LintQuery("probe/removed-distance", f"RETURN distance({POINT}, {POINT}) AS d", cacheable=False),
        LintQuery("probe/unknown-label", "MATCH (n:Servce) RETURN n", cacheable=False),
        LintQuery("probe/undeclared-param", "MATCH (s:Service {id: $id})\nRETURN s.name = $nme AS x", ("id",),
                  cacheable=False),
        LintQuery("probe/plugin-function", "RETURN apoc.text.join(['a', 'b'], ',') AS s", cacheable=False),
        LintQuery("probe/point-distance", f"RETURN point.distance({POINT}, {POINT}) AS d", cacheable=False),
    )
}


@pytest.fixture(scope="module")
def lint_results(request: pytest.FixtureRequest) -> dict[str, LintResult]:
    """One node run for the project's queries and the probes."""
    results = lint(project_queries() + list(PROBES.values()), getattr(request.config, "cache", None))
    return {r.query.name: r for r in results}


def test_every_neo4j_query_and_schema_statement_passes_neo4j_lint(lint_results: dict[str, LintResult]) -> None:
    project = [r for name, r in lint_results.items() if name not in PROBES]
    assert project, "no queries collected"
    notes = [note for r in project for note in r.notes]
    if notes:
        print("Neo4j lint warnings (not failing):\n  " + "\n  ".join(notes))
    problems = [problem for r in project for problem in r.problems]
    assert not problems, (
        f"{len(problems)} Neo4j lint problem(s) in {len(project)} queries (CYPHER 5, {PACKAGE}):\n  "
        + "\n  ".join(problems)
    )


def test_lint_reports_the_removed_distance_function(lint_results: dict[str, LintResult]) -> None:
    problems = lint_results["probe/removed-distance"].problems
    assert any("distance" in p for p in problems), problems
    assert all(p.startswith("probe/removed-distance:1:8: ") for p in problems), problems


def test_lint_reports_an_unknown_label(lint_results: dict[str, LintResult]) -> None:
    problems = lint_results["probe/unknown-label"].problems
    assert problems == [
        "probe/unknown-label:1:10: Label Servce is not present in the database. Make sure you didn't misspell it"
        " or that it is available when you run this statement in your application"
    ]


def test_lint_reports_an_undeclared_parameter(lint_results: dict[str, LintResult]) -> None:
    problems = lint_results["probe/undeclared-param"].problems
    assert problems == ["probe/undeclared-param:2:17: Parameter $nme is not defined."], problems


def test_lint_reports_a_plugin_function_the_server_lacks(lint_results: dict[str, LintResult]) -> None:
    problems = lint_results["probe/plugin-function"].problems
    assert any("apoc.text.join is not present in the database" in p for p in problems), problems


def test_lint_accepts_point_distance(lint_results: dict[str, LintResult]) -> None:
    assert lint_results["probe/point-distance"].diagnostics == []


def test_overrides_have_a_shared_twin() -> None:
    assert catalogue.check_overrides() == []


@pytest.mark.parametrize("dialect", catalogue.DIALECTS)
def test_every_shared_query_parses_for_each_dialect(dialect: str) -> None:
    names = catalogue.names()
    assert names, "the catalogue is empty"
    for name in names:
        catalogue.load(name, dialect)
