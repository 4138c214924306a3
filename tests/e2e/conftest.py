"""End-to-end fixtures: a private embedded database for CLI runs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cli import run_cli


@pytest.fixture
def cli_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {**os.environ, "SAFETYNET_DB": f"embedded://{tmp_path / 'db'}", "NO_COLOR": "1"}
    yield env
    run_cli(env, "db", "stop", check=False)  # whatever a failed test left running
