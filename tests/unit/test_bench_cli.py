"""Every benchmark script answers `--help` at once, and a bad argument is a usage error, not a traceback."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import PROJECT_ROOT

BENCH = PROJECT_ROOT / "bench"
SCRIPTS = ("analytics.py", "eligibility_accuracy.py", "hsds_api.py", "load.py", "load_sources.py", "nested_lists.py",
           "search.py", "search_postgis.py", "soak.py")
HELPERS = ("arguments.py", "engines.py", "stats.py")  # imported by the scripts, not run


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, f"bench/{script}", *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=60)


def test_every_bench_file_is_a_tested_script_or_a_helper_module() -> None:
    entry_points = {p.name for p in BENCH.glob("*.py") if 'if __name__ == "__main__":' in p.read_text()}
    assert entry_points == set(SCRIPTS)
    assert {p.name for p in BENCH.glob("*.py")} == {*SCRIPTS, *HELPERS}


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_says_what_the_script_measures_and_writes_and_exits_0_at_once(script: str) -> None:
    started = time.monotonic()
    shown = _run(script, "--help")
    elapsed = time.monotonic() - started
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"usage: python bench/{script} ")
    assert f"bench/results/{script.removesuffix('.py')}.json" in shown.stdout  # what it writes
    assert "target" in shown.stdout.lower()
    assert shown.stderr == ""
    assert elapsed < 15, f"--help took {elapsed:.1f} s: it must not generate data or start a server"


@pytest.mark.parametrize("script", SCRIPTS)
def test_an_unknown_option_is_a_usage_error_not_a_traceback(script: str) -> None:
    refused = _run(script, "--no-such-option")
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"usage: python bench/{script} ")
    assert "error: unrecognized arguments: --no-such-option" in refused.stderr
    assert "Traceback" not in refused.stderr and refused.stdout == ""


@pytest.mark.parametrize(("script", "args", "message"), [
    ("load.py", ["ten"], "argument N: 'ten' is not a number of services (e.g. 10000)"),
    ("load.py", ["0"], "argument N: a number of services must be at least 1, not 0"),
    ("load.py", ["sources", "10000"], "`sources` takes no sizes"),
    ("search.py", ["10k"], "argument N: '10k' is not a number of services"),
    ("search.py", ["--workers", "1,10000"], "each number of API processes is from 1 to 16"),
    ("soak.py", ["--services", "none"], "argument --services: 'none' is not a number of services"),
    ("search_postgis.py", ["-5"], "a number of services must be at least 1"),
    ("analytics.py", ["--keep"], "argument --keep: expected one argument"),
    ("hsds_api.py", ["--small=yes"], "argument --small: ignored explicit argument 'yes'"),
    ("hsds_api.py", ["--child", "build"], "--child takes a step and its arguments"),
    ("hsds_api.py", ["--engine", "postgres"], "argument --engine: invalid choice: 'postgres'"),
    ("analytics.py", ["--child", "measure", "postgres", "/tmp/graph"], "--child measure takes an engine first"),
])
def test_a_bad_argument_is_a_usage_error_saying_what_is_wrong(script: str, args: list[str], message: str) -> None:
    refused = _run(script, *args)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert message in refused.stderr


def _module(script: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/SCRIPT imported (not run), as `python bench/SCRIPT` would see its neighbours."""
    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{script.removesuffix('.py')}", BENCH / script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("script", "args", "parsed"), [
    ("load.py", [], {"sizes": [], "engine": "falkordb", "batch_size": None, "one": None}),
    ("load.py", ["10000", "100000"],  # README, Makefile
     {"sizes": [10_000, 100_000], "engine": "falkordb", "batch_size": None, "one": None}),
    ("load.py", ["--engine", "both", "10000"],  # README
     {"sizes": [10_000], "engine": "both", "batch_size": None, "one": None}),
    ("load.py", ["sources"], {"sizes": ["sources"], "engine": "falkordb", "batch_size": None, "one": None}),
    ("load.py", ["--one", "10000", "--engine", "neo4j", "--batch-size", "2000"],  # its child process
     {"sizes": [], "one": 10_000, "engine": "neo4j", "batch_size": 2000}),
    ("load_sources.py", [], {"child": False}),
    ("load_sources.py", ["--child"], {"child": True}),
    ("search.py", ["10_000"], {"sizes": [10_000], "engine": "falkordb", "postgis": True, "one": None,
                               "workers": None}),
    ("search.py", ["--engine", "both", "--no-postgis", "10000"],
     {"sizes": [10_000], "engine": "both", "postgis": False, "one": None, "workers": None}),
    ("search.py", ["--workers", "1,2", "10000", "100000"],  # the sizes stay sizes
     {"sizes": [10_000, 100_000], "engine": "falkordb", "postgis": True, "one": None, "workers": [1, 2]}),
    ("search.py", ["--one", "100000", "--engine", "neo4j"],  # its child process
     {"sizes": [], "one": 100_000, "engine": "neo4j", "postgis": True, "workers": None}),
    ("soak.py", [], {"minutes": 10.0, "services": 2000, "load_every": 120.0, "engine": "falkordb"}),
    ("soak.py", ["--minutes", "1", "--services", "300", "--load-every", "20"],
     {"minutes": 1.0, "services": 300, "load_every": 20.0, "engine": "falkordb"}),
    ("search_postgis.py", ["100000"], {"sizes": [100_000]}),
    ("analytics.py", ["--small"], {"small": True, "engine": "falkordb", "keep": None, "child": None}),
    ("analytics.py", ["--keep=/tmp/graph", "--engine", "both"],
     {"small": False, "engine": "both", "keep": Path("/tmp/graph"), "child": None}),
    ("analytics.py", ["--child", "measure", "neo4j", "/tmp/graph"],
     {"small": False, "engine": "falkordb", "keep": None, "child": ["measure", "neo4j", "/tmp/graph"]}),
    ("hsds_api.py", ["--small", "--keep=/tmp/graph"],
     {"small": True, "engine": "falkordb", "keep": Path("/tmp/graph"), "child": None}),
    ("hsds_api.py", ["--small", "--engine", "neo4j"], {"small": True, "engine": "neo4j", "keep": None, "child": None}),
    ("hsds_api.py", ["--child", "generate", "/tmp/graph/data", "100000"],
     {"small": False, "engine": "falkordb", "keep": None, "child": ["generate", "/tmp/graph/data", "100000"]}),
    ("hsds_api.py", ["--child", "build", "neo4j", "/tmp/graph", "/tmp/graph/data", "100000"],
     {"small": False, "engine": "falkordb", "keep": None,
      "child": ["build", "neo4j", "/tmp/graph", "/tmp/graph/data", "100000"]}),
    ("eligibility_accuracy.py", [], {}),
])
def test_every_way_the_readme_makefile_and_parent_processes_call_a_script_still_parses(
        script: str, args: list[str], parsed: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    assert vars(_module(script, monkeypatch).parse_args(args)) == parsed
