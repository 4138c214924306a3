"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def _neo4j_missing() -> str | None:
    """Why the Neo4j half cannot run here (None: it can): its launcher needs a JDK and Maven."""
    if shutil.which("javac") and shutil.which("mvn"):
        return None
    return "no JDK 17 and Maven here: the Neo4j half of the integration tests is skipped " \
           "(apt-get install openjdk-17-jdk-headless maven)"


def _engines() -> list[str]:
    """The engines the integration tests run on: both, or as SAFETYNET_TEST_ENGINES says (e.g. `falkordb`);
    FalkorDB alone where Neo4j cannot run, except in CI, which must run both (.ci/run installs Java)."""
    chosen = os.environ.get("SAFETYNET_TEST_ENGINES")
    if chosen:
        return [name.strip() for name in chosen.split(",") if name.strip()]
    if _neo4j_missing() and os.environ.get("CI") != "true":
        return ["falkordb"]
    return ["falkordb", "neo4j"]


ENGINES = _engines()


def pytest_report_header(config: pytest.Config) -> str:
    missing = _neo4j_missing() if "neo4j" not in ENGINES and "SAFETYNET_TEST_ENGINES" not in os.environ else None
    return missing or f"integration engines: {', '.join(ENGINES)}"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data` beside the checkout; tests that need it skip, saying why, where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"needs the shared data folder {SHARED_DATA} (it sits beside the checkout in CI and dev)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def hsds_examples(shared_data: Path) -> Path:
    """The official HSDS 3.0 examples: `csv/` (tabular package) and `*.json`."""
    return shared_data / "hsds-3.0" / "examples"
