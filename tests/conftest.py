"""Fixtures shared by every test layer."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


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
