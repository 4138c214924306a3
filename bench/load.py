"""Load throughput and peak memory of the HSDS loader on the embedded engine.

For each size, a fresh child process generates the demo city with N services, then loads it the
way `safetynet load hsds` does (parse + validate, writing nodes as their tables are read, then the
rest; one atomic swap) into a fresh embedded
FalkorDB server, and reports records/s and the peak resident memory of the loader process and of
the database server. Targets (issue 2): ≥ 20,000 records/s, ≤ 1.5 GB peak.

Run: python bench/load.py [N ...]        (default: 10000 100000)
Writes bench/results/load.json and prints a table.
`python bench/load.py sources` times the real-world formats instead (bench/load_sources.py).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import arguments  # bench/arguments.py, beside this script

RESULTS = Path(__file__).parent / "results" / "load.json"
TARGET_RECORDS_PER_S = 20_000
TARGET_PEAK_MB = 1536


def _server_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_one(services: int) -> dict[str, float | int]:
    """One measurement, in this process (called in a child by main)."""
    from demo.generator import generate_demo
    from graph import embedded
    from graph.connect import connect
    from graph.settings import Settings
    from loaders.hsds import parse_hsds
    from loaders.load import load_source
    from queries import reads

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        data, store = Path(tmp) / "data", Path(tmp) / "db"
        t0 = time.perf_counter()
        generate_demo(data, services=services, seed=1)
        generate_s = time.perf_counter() - t0
        db = connect(Settings(db=f"embedded://{store}"))
        try:
            t1 = time.perf_counter()
            read_s = 0.0

            def parse(on_nodes: Any) -> Any:
                nonlocal read_s
                parsed = parse_hsds(data, on_nodes=on_nodes)
                read_s = time.perf_counter() - t1
                return parsed

            result = load_source(db, parse, dataset_id="bench", path=data, started=t1)  # as `safetynet load`
            assert reads.service_count(db) == services
            info = embedded.status(store)
            assert info is not None
            server_mb = _server_peak_mb(info.pid)
        finally:
            db.close()
    loader_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "services": services, "records": result.records, "generate_s": round(generate_s, 2),
        "read_s": round(read_s, 2), "load_s": round(result.seconds, 2),
        "records_per_s": round(result.records_per_second),
        "graph_entities": sum(result.counts.values()),
        "write_after_read_s": round(result.seconds - read_s, 2), "loader_peak_mb": round(loader_mb),
        "server_peak_mb": round(server_mb),
    }


def main(sizes: list[int]) -> None:
    rows = []
    for services in sizes:
        child = subprocess.run([sys.executable, __file__, "--one", str(services)], capture_output=True, text=True,
                               check=True)
        rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
    header = ("services", "records", "read s", "then write s", "load s (total)", "records/s", "nodes+rels written",
              "loader peak MB", "server peak MB")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for r in rows:
        print(f"{r['services']:,} | {r['records']:,} | {r['read_s']} | {r['write_after_read_s']} | {r['load_s']} | "
              f"{r['records_per_s']:,} | {r['graph_entities']:,} | {r['loader_peak_mb']:,} | {r['server_peak_mb']:,}")
    ok = all(r["records_per_s"] >= TARGET_RECORDS_PER_S and r["loader_peak_mb"] <= TARGET_PEAK_MB
             and r["server_peak_mb"] <= TARGET_PEAK_MB for r in rows)
    print(f"targets: ≥ {TARGET_RECORDS_PER_S:,} records/s, ≤ {TARGET_PEAK_MB} MB peak — {'met' if ok else 'NOT met'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"benchmark": "load", "machine_cores": _cores(), "runs": rows}, indent=2) + "\n")
    print(f"wrote {RESULTS}")


def _cores() -> int:
    import os

    return os.cpu_count() or 0


SOURCES = "sources"


def _size_or_sources(text: str) -> int | str:
    return SOURCES if text == SOURCES else arguments.service_count(text)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = arguments.parser(__file__, __doc__)
    default = " ".join(str(n) for n in arguments.DEFAULT_SIZES)
    parser.add_argument("sizes", nargs="*", type=_size_or_sources, metavar="N",
                        help=f"numbers of services to generate and load, each into a fresh server (default: "
                             f"{default}); or `{SOURCES}` alone, to time the real-world formats instead "
                             "(bench/load_sources.py, reads ../shared/data)")
    parser.add_argument("--one", type=arguments.service_count, help=argparse.SUPPRESS)  # the child's one measurement
    args = parser.parse_args(argv)
    if SOURCES in args.sizes and args.sizes != [SOURCES]:
        parser.error(f"`{SOURCES}` takes no sizes: run `python bench/load.py {SOURCES}` alone")
    return args


if __name__ == "__main__":
    args = parse_args()
    if args.sizes == [SOURCES]:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from load_sources import main as sources_main

        sources_main()
    elif args.one is not None:
        print(json.dumps(run_one(args.one)))
    else:
        main(args.sizes or list(arguments.DEFAULT_SIZES))
