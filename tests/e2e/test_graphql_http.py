"""End to end: /graphql conforms to the GraphQL-over-HTTP spec, as graphql-http's own audit checks it.

The real app runs under uvicorn on a free local port over the demo city, on each engine;
`auditServer` from the `graphql-http` npm package (pinned in tests/audit) runs every server audit against
it. A MUST the server breaks is an "error" and fails the test; SHOULDs and MAYs it does differently are
"warn"/"notice" and are printed (they are listed in the failure message too).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import LiveServer, demo_api_fixture, demo_engine_fixture  # noqa: F401 (fixtures)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AUDIT_DIR = PROJECT_ROOT / "tests" / "audit"
SCRIPT = AUDIT_DIR / "audit_graphql_http.mjs"
LOCKFILE = AUDIT_DIR / "package-lock.json"
PACKAGE = "graphql-http"
INSTALLED_MANIFEST = AUDIT_DIR / "node_modules" / PACKAGE / "package.json"
INSTALL_HINT = "run `npm ci --prefix tests/audit` (or `make test`, which does it)"
TIMEOUT_S = 120


def _require_auditor() -> str:
    """The `node` executable; fail (never skip) when it or the pinned graphql-http is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"the GraphQL-over-HTTP audit needs Node.js (`node` is not on PATH): install Node >= 20, "
                    f"then {INSTALL_HINT}")
    if not INSTALLED_MANIFEST.is_file():
        pytest.fail(f"{PACKAGE} is not installed in {AUDIT_DIR}/node_modules: {INSTALL_HINT}")
    pinned = json.loads(LOCKFILE.read_text(encoding="utf-8"))["packages"][f"node_modules/{PACKAGE}"]["version"]
    installed = json.loads(INSTALLED_MANIFEST.read_text(encoding="utf-8"))["version"]
    if installed != pinned:
        pytest.fail(f"{PACKAGE} {installed} is installed but the lockfile pins {pinned}: {INSTALL_HINT}")
    return node


def _audit(url: str) -> list[dict[str, Any]]:
    result = subprocess.run([_require_auditor(), str(SCRIPT), url], capture_output=True, text=True,
                            timeout=TIMEOUT_S, cwd=AUDIT_DIR)
    if result.returncode != 0:
        raise AssertionError(f"the audit script failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _describe(result: dict[str, Any]) -> str:
    line = f"{result['status']}: {result['name']} [{result['id']}] — {result.get('reason', '')}"
    if "responseStatus" in result:
        line += f" (got {result['responseStatus']}: {result.get('responseBody', '')[:200]})"
    return line


@pytest.fixture(scope="module")
def audit(demo_api: LiveServer) -> list[dict[str, Any]]:
    """graphql-http's audit results for the live /graphql."""
    return _audit(demo_api.graphql_url)


def test_the_graphql_endpoint_breaks_no_must_of_the_graphql_over_http_spec(audit: list[dict[str, Any]]) -> None:
    results = audit
    assert len(results) >= 50, f"the audit ran only {len(results)} checks: is graphql-http the pinned version?"
    errors = [r for r in results if r["status"] == "error"]
    others = [r for r in results if r["status"] not in ("ok", "error")]
    for result in others:
        print(_describe(result))
    assert not errors, (
        f"{len(errors)} MUST(s) of GraphQL over HTTP broken:\n" + "\n".join(map(_describe, errors))
        + (f"\nand {len(others)} warning(s): " + "; ".join(r["name"] for r in others) if others else "")
    )


def test_the_audit_finds_no_should_the_server_does_differently_either(audit: list[dict[str, Any]]) -> None:
    """Not required by the spec, but kept at zero: a warning that appears means the HTTP layer changed
    (e.g. `application/graphql-response+json` negotiation, done by api.app.GraphQLResponseMediaType)."""
    warnings = [r for r in audit if r["status"] in ("warn", "notice")]
    assert not warnings, "\n".join(map(_describe, warnings))
