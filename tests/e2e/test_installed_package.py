"""What the production image contains, installed and started without Docker.

The image installs the wheel built from this repository (Dockerfile), so the packages it holds are the
ones pyproject.toml lists, and nothing else: a package left out of that list (as `analytics/` once was
of the Dockerfile's own list of folders) fails here. The wheel is built the way the Dockerfile builds it,
installed into a fresh virtual environment (its dependencies come from the test environment's
site-packages, as a path: not our own packages, which this environment has only as an editable
install of the working tree), and `safetynet` is run from it in a folder outside the repository: it
imports every module, then serves the API from an embedded engine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.cli import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WHEEL_COMMAND = "pip wheel --no-deps --no-cache-dir . -w"  # as the Dockerfile builds it


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding the project's wheel; returns its bin folder."""
    assert WHEEL_COMMAND in (PROJECT_ROOT / "Dockerfile").read_text(), "the Dockerfile no longer builds the wheel so"
    root = tmp_path_factory.mktemp("image")
    wheels = root / "wheels"
    subprocess.run([sys.executable, "-m", *WHEEL_COMMAND.split(), str(wheels), "-q"], check=True, cwd=PROJECT_ROOT,
                   timeout=300)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    (wheel,) = wheels.glob("*.whl")
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                "['purelib'])"], check=True, capture_output=True, text=True).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFETYNET_") and k != "PYTHONPATH"}
    return {**env, "SAFETYNET_DB": f"embedded://{tmp_path / 'db'}", "NO_COLOR": "1"}


def test_the_installed_package_holds_every_module_of_the_project(installed: Path, tmp_path: Path) -> None:
    script = (
        "import importlib, pkgutil\n"
        "names = []\n"
        "for package in ('analytics', 'api', 'cli', 'demo', 'graph', 'loaders', 'queries'):\n"
        "    module = importlib.import_module(package)\n"
        "    assert '/work/' not in module.__file__ or 'site-packages' in module.__file__, module.__file__\n"
        "    names += [m.name for m in pkgutil.walk_packages(module.__path__, package + '.')\n"
        "              if not m.name.endswith('__main__')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "import queries.catalogue as c\n"
        "assert list(c.QUERY_DIR.rglob('*.cypher')), 'no query files in the package'\n"
        "print(len(names))\n"
    )
    result = subprocess.run([str(installed / "python"), "-c", script], cwd=tmp_path, env=_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) > 50


@pytest.fixture
def served(installed: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = _env(tmp_path)
    subprocess.run([str(installed / "safetynet"), "generate", "demo", str(tmp_path / "demo"), "--services", "40"],
                   cwd=tmp_path, env=env, check=True, capture_output=True, timeout=300)
    subprocess.run([str(installed / "safetynet"), "load", "hsds", str(tmp_path / "demo"), "--dataset-id", "demo"],
                   cwd=tmp_path, env=env, check=True, capture_output=True, timeout=300)
    server = subprocess.Popen([str(installed / "safetynet"), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run([str(installed / "safetynet"), "db", "stop"], cwd=tmp_path, env=env, capture_output=True,
                       timeout=60)


def test_the_installed_package_serves_the_api_from_an_embedded_engine(served: str) -> None:
    assert httpx.get(f"{served}/healthz", timeout=10).json()["status"] == "ok"
    answer = httpx.post(f"{served}/graphql", json={"query": "{ serviceCount }"}, timeout=30).json()
    assert answer == {"data": {"serviceCount": 40}}
    planner_area_list = httpx.post(f"{served}/graphql", json={"query": "{ areas { totalCount } }"}, timeout=30)
    assert "errors" not in planner_area_list.json()  # the planner's package (analytics) is there
    assert httpx.get(f"{served}/hsds/services", timeout=30).json()["total_items"] == 40
