"""Load throughput and peak memory of the HSDS loader on the embedded engines.

For each size, a fresh child process per engine generates the demo city with N services (seed 1, the
same data for every engine), then loads it the way `safetynet load hsds` does (parse + validate,
writing nodes as their tables are read, then the rest; all-or-nothing) into a fresh embedded server of
that engine — `--engine falkordb|neo4j|both` (both: in this one run, one after the other) — and reports
records/s and the peak resident memory of the loader process and of the database server. On Neo4j, a
load is one transaction: the peak memory Neo4j reports for it (`SHOW TRANSACTIONS`, sampled every
0.2 s) is reported too. Each engine then loads the same city again on the same server, into an empty graph: a
long-running server has compiled and planned what a freshly started one does during its first load (Neo4j's
JVM and query plans above all); the target is judged on the first. `--batch-size` sets the rows per `UNWIND`
statement (loaders/writer.py BATCH_SIZE by default), to size batches per engine.

Targets: FalkorDB ≥ 20,000 records/s and ≤ 1.5 GB peak (issue 2); Neo4j ≥ 10,000 records/s (issue 17).
The machine's own CPU ceiling is measured at the start (bench/engines.py).

Run: python bench/load.py [--engine falkordb|neo4j|both] [--batch-size N] [N ...]  (default: 10000 100000)
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
import threading
import time
from pathlib import Path
from typing import Any

import arguments  # bench/arguments.py, beside this script
import engines  # bench/engines.py, beside this script

RESULTS = Path(__file__).parent / "results" / "load.json"
TARGET_RECORDS_PER_S = {"falkordb": 20_000, "neo4j": 10_000}
TARGET_PEAK_MB = {"falkordb": 1536}  # Neo4j's memory is its configured heap: reported, no target
SAMPLE_S = 0.2


class TransactionMemory:
    """The largest memory Neo4j estimates any open transaction holds, sampled in a thread while a load runs."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._stop = threading.Event()
        self.peak_bytes = 0
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TransactionMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        from graph import neo4j_embedded

        info = None
        while info is None and not self._stop.wait(SAMPLE_S):
            info = neo4j_embedded.status(self._data_dir)
        if info is None:
            return
        with info.driver(notifications_min_severity="OFF") as driver:
            while not self._stop.wait(SAMPLE_S):
                records, _, _ = driver.execute_query(
                    "SHOW TRANSACTIONS YIELD estimatedUsedHeapMemory AS heap, currentQuery "
                    "WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN max(heap) AS heap")
                self.peak_bytes = max(self.peak_bytes, int(records[0]["heap"] or 0))


def _emptied(db: Any, engine: str, root: Path) -> Any:
    """An empty graph on the same server, schema applied: Neo4j's one database emptied, or a new FalkorDB graph."""
    from graph.connect import connect
    from graph.settings import DatabaseSettings

    if engine == "falkordb":
        return connect(DatabaseSettings(db=engines.uri(engine, root), db_name="bench-again"))
    from graph import neo4j_embedded

    info = neo4j_embedded.status(root / "neo4j")
    assert info is not None
    with info.driver(notifications_min_severity="OFF") as driver, driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS").consume()
    return db


def run_one(services: int, engine: str, batch_size: int) -> dict[str, Any]:
    """One measurement, in this process (called in a child by main)."""
    from contextlib import nullcontext

    from demo.generator import generate_demo
    from graph.connect import connect
    from graph.settings import DatabaseSettings
    from loaders.hsds import parse_hsds
    from loaders.load import load_source
    from queries import reads

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        root = Path(tmp)
        data = root / "data"
        t0 = time.perf_counter()
        generate_demo(data, services=services, seed=1)
        generate_s = time.perf_counter() - t0
        db = connect(DatabaseSettings(db=engines.uri(engine, root)))
        memory = TransactionMemory(root / "neo4j") if engine == "neo4j" else None
        try:
            t1 = time.perf_counter()
            read_s = 0.0

            def parse(on_nodes: Any) -> Any:
                nonlocal read_s
                parsed = parse_hsds(data, on_nodes=on_nodes)
                read_s = time.perf_counter() - t1
                return parsed

            with memory or nullcontext():
                result = load_source(db, parse, dataset_id="bench", path=data, started=t1,  # as `safetynet load`
                                     batch_size=batch_size)
            assert reads.service_count(db) == services
            server_mb = engines.peak_mb(engines.server_pid(engine, root))
            # the same load again on the same server, emptied: a long-running server has compiled and planned
            # what a freshly started one does during its first load (Neo4j's JVM above all)
            second = _emptied(db, engine, root)
            t2 = time.perf_counter()
            again = load_source(second, lambda on_nodes: parse_hsds(data, on_nodes=on_nodes), dataset_id="bench",
                                path=data, started=t2, batch_size=batch_size)
            assert reads.service_count(second) == services
            if second is not db:
                second.close()
        finally:
            db.close()
    loader_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "services": services, "engine": engine, "batch_size": batch_size, "records": result.records,
        "generate_s": round(generate_s, 2), "read_s": round(read_s, 2), "load_s": round(result.seconds, 2),
        "records_per_s": round(result.records_per_second),
        "again_load_s": round(again.seconds, 2), "again_records_per_s": round(again.records_per_second),
        "graph_entities": sum(result.counts.values()),
        "write_after_read_s": round(result.seconds - read_s, 2), "loader_peak_mb": round(loader_mb),
        "server_peak_mb": round(server_mb),
        "transaction_peak_mb": round(memory.peak_bytes / 2**20) if memory else None,
    }


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main(sizes: list[int], engine_names: list[str], batch_size: int) -> None:
    machine = engines.ceiling()
    rows = []
    for services in sizes:
        for engine in engine_names:
            child = subprocess.run([sys.executable, __file__, "--one", str(services), "--engine", engine,
                                    "--batch-size", str(batch_size)], capture_output=True, text=True, check=False)
            if child.returncode != 0:
                sys.exit(f"the {engine} load of {services:,} services failed:\n{child.stderr[-3000:]}")
            rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
    header = ("services", "engine", "records", "read s", "then write s", "load s (total)", "records/s",
              "again on that server: s, records/s", "nodes+rels written", "loader peak MB", "server peak MB",
              "transaction peak MB")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for r in rows:
        tx = "–" if r["transaction_peak_mb"] is None else f"{r['transaction_peak_mb']:,}"
        print(f"{r['services']:,} | {r['engine']} | {r['records']:,} | {r['read_s']} | {r['write_after_read_s']} | "
              f"{r['load_s']} | {r['records_per_s']:,} | {r['again_load_s']}, {r['again_records_per_s']:,} | "
              f"{r['graph_entities']:,} | {r['loader_peak_mb']:,} | "
              f"{r['server_peak_mb']:,} | {tx}")
    verdicts = []
    for r in rows:
        speed = r["records_per_s"] >= TARGET_RECORDS_PER_S[r["engine"]]
        peak = TARGET_PEAK_MB.get(r["engine"])
        memory = peak is None or (r["loader_peak_mb"] <= peak and r["server_peak_mb"] <= peak)
        verdicts.append({"services": r["services"], "engine": r["engine"], "records_per_s": speed, "peak": memory})
        limit = "" if peak is None else f", ≤ {peak:,} MB peak"
        print(f"targets at {r['services']:,} on {r['engine']}: ≥ {TARGET_RECORDS_PER_S[r['engine']]:,} records/s"
              f"{limit} — {_met(speed and memory)}")
    print(f"machine: {machine['cores']} cores; one core runs {machine['python_loop_mips']} M Python loop steps/s; "
          f"load average {machine['load_average_1m']} at the start; batch size {batch_size:,} rows")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"benchmark": "load", "machine": machine, "engines": engine_names,
                                   "batch_size": batch_size, "targets": {"records_per_s": TARGET_RECORDS_PER_S,
                                                                         "peak_mb": TARGET_PEAK_MB},
                                   "verdicts": verdicts, "runs": rows}, indent=2) + "\n")
    print(f"wrote {RESULTS}")


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
    engines.add_engine(parser)
    parser.add_argument("--batch-size", type=arguments.service_count, default=None, metavar="ROWS",
                        help="rows per UNWIND statement (default: loaders/writer.py's BATCH_SIZE)")
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
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project's packages
        from loaders.writer import BATCH_SIZE

        batch = args.batch_size or BATCH_SIZE
        if args.one is not None:
            print(json.dumps(run_one(args.one, args.engine, batch)))
        else:
            main(args.sizes or list(arguments.DEFAULT_SIZES), engines.chosen(args.engine), batch)
