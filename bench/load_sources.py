"""Load times of the real-world formats on the embedded engine: `python bench/load.py sources`.

In a fresh child process and a fresh embedded FalkorDB server, the way the `safetynet load …`
commands do it (parse and validate, join to the graph, write all or nothing), one after another
into one graph: the Baltimore Ohana set, the DC 211 export, Toronto's neighbourhoods (linking every
location loaded so far), generated agency ties among the loaded organizations, and generated
de-identified referral events. Reads ../shared/data. Target (issue 4): Baltimore and DC each
under 10 s. Writes bench/results/load_sources.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import arguments  # noqa: E402 (bench/arguments.py, beside this script)

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
RESULTS = Path(__file__).parent / "results" / "load_sources.json"
TARGET_S = 10.0
TARGETS = ("ohana", "211")
TIES = 20_000
REFERRAL_EVENTS = 200_000
SEED = 5


def _server_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _ties_file(path: Path, organizations: list[str], rng: random.Random) -> Path:
    types = ("REFERS_TO", "PARTNERS_WITH", "SHARES_DATA_WITH", "FUNDS")
    seen: set[tuple[str, str, str]] = set()
    lines = ["from_org,to_org,type,since,weight,source"]
    while len(lines) <= TIES:
        a, b = rng.sample(organizations, 2)
        kind = rng.choice(types)
        if kind in ("PARTNERS_WITH", "SHARES_DATA_WITH"):
            a, b = min(a, b), max(a, b)
        if (a, b, kind) in seen:
            continue
        seen.add((a, b, kind))
        lines.append(f"{a},{b},{kind},{rng.randint(2005, 2026)},{rng.randint(1, 5)},bench")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _referrals_file(path: Path, organizations: list[str], areas: list[str], needs: list[str],
                    rng: random.Random) -> Path:
    lines = ["date,from_org,to_org_or_service,need_code,area_id,outcome"]
    outcomes = ["referred"] * 8 + ["unmet:wait-list", "unmet:no-service-nearby"]
    for _ in range(REFERRAL_EVENTS):
        a, b = rng.sample(organizations, 2)
        lines.append(f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},{a},{b},{rng.choice(needs)},"
                     f"{rng.choice(areas)},{rng.choice(outcomes)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_all() -> list[dict[str, Any]]:
    """Every step, in this process (called in a child by main)."""
    from graph import embedded
    from graph.connect import connect
    from graph.settings import DatabaseSettings
    from loaders.airs211 import parse_211
    from loaders.area_matching import read_areas
    from loaders.areas import parse_areas
    from loaders.areas_links import existing_area_ids, located_locations
    from loaders.directory_lookup import load_directory
    from loaders.join_to_graph import join_to_graph
    from loaders.load import LoadResult, Parsed, load_source
    from loaders.ohana import parse_ohana
    from loaders.referrals import parse_referrals
    from loaders.ties import parse_ties

    rng = random.Random(SEED)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-sources-") as tmp:
        store = Path(tmp) / "db"
        db = connect(DatabaseSettings(db=f"embedded://{store}"))
        try:
            def step(name: str, path: Path, parse: Any) -> LoadResult:
                started = time.perf_counter()
                result = load_source(db, parse, dataset_id=name, path=path, started=started)
                rows.append({"source": name, "path": str(path.relative_to(SHARED)) if path.is_relative_to(SHARED)
                             else path.name, "records": result.records, "seconds": round(result.seconds, 2),
                             "records_per_s": round(result.records_per_second),
                             "graph_entities": sum(result.counts.values()), "warnings": len(result.warnings)})
                return result

            # What a parse needs from the graph is read before the load starts, as the CLI does: the
            # parse runs beside the writer, which holds the engine meanwhile.
            def directory_parse(parser: Any, path: Path, name: str) -> Any:
                areas = read_areas(db)

                def parse(on_nodes: Any) -> Parsed:
                    parsed: Parsed = parser(path, namespace=name)
                    join_to_graph(parsed.plan, areas)
                    return parsed
                return parse

            baltimore = SHARED / "baltimore-211"
            step("ohana", baltimore, directory_parse(parse_ohana, baltimore, "baltimore-211"))
            dc = SHARED / "dc-211" / "211.csv"
            step("211", dc, directory_parse(parse_211, dc, "dc-211"))
            toronto = SHARED / "toronto" / "toronto_neighbourhoods.geojson"
            known, located = existing_area_ids(db), located_locations(db)
            step("areas", toronto, lambda on_nodes: parse_areas(toronto, namespace="toronto", known_areas=known,
                                                                locations=located))
            directory = load_directory(db)
            organizations = sorted(directory.organizations)
            ties = _ties_file(Path(tmp) / "ties.csv", organizations, rng)
            step("ties", ties, lambda on_nodes: parse_ties(ties, namespace="ties", directory=directory))
            areas = sorted(existing_area_ids(db))
            needs = sorted(t for t in directory.need_terms if t.startswith("airs:"))[:200] or ["need-food"]
            events = _referrals_file(Path(tmp) / "referrals.csv", organizations, areas, needs, rng)
            directory = load_directory(db)
            step("referrals", events, lambda on_nodes: parse_referrals(events, namespace="referrals",
                                                                       directory=directory))
            info = embedded.status(store)
            server_mb = _server_peak_mb(info.pid) if info else float("nan")
        finally:
            db.close()
    loader_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for row in rows:
        row["loader_peak_mb"], row["server_peak_mb"] = round(loader_mb), round(server_mb)
    return rows


def main() -> None:
    if not SHARED.is_dir():
        sys.exit(f"needs the shared data folder {SHARED} (beside the checkout)")
    child = subprocess.run([sys.executable, __file__, "--child"], capture_output=True, text=True, check=True)
    rows: list[dict[str, Any]] = json.loads(child.stdout.strip().splitlines()[-1])
    header = ("source", "file", "records", "seconds", "records/s", "nodes+rels", "warnings", "target")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for r in rows:
        target = (f"< {TARGET_S:g} s: {'met' if r['seconds'] < TARGET_S else 'NOT met'}"
                  if r["source"] in TARGETS else "—")
        print(f"{r['source']} | {r['path']} | {r['records']:,} | {r['seconds']} | {r['records_per_s']:,} | "
              f"{r['graph_entities']:,} | {r['warnings']:,} | {target}")
    print(f"peak memory: loader {rows[-1]['loader_peak_mb']:,} MB, database server {rows[-1]['server_peak_mb']:,} MB; "
          f"machine: {os.cpu_count()} cores")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"benchmark": "load-sources", "machine_cores": os.cpu_count() or 0,
                                   "target_s": TARGET_S, "runs": rows}, indent=2) + "\n")
    print(f"wrote {RESULTS}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = arguments.parser(__file__, __doc__)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # the child process that loads
    return parser.parse_args(argv)


if __name__ == "__main__":
    if parse_args().child:
        print(json.dumps(run_all()))
    else:
        main()
