"""Planner analytics at scale on the embedded engine: `python bench/analytics.py [--small]`.

`--keep=DIR` builds the graph in DIR once and measures it again on later runs.

A generated planning graph (demo.planning_scale: 10k organizations, 50k ties, 100k services, 500
areas, 50k referral events; `--small` a tenth) is loaded into a fresh embedded FalkorDB the way the
`safetynet load …` commands do. Then, in a second fresh process (so its peak memory is the
analytics', not the load's), each planner question is asked through `api.planning` — the functions
the GraphQL resolvers call — cold (as the first request after a load in a running server: every
question asked once, then the per-graph caches of areas, agencies, the agency network and the
taxonomy emptied before each) and warm (median of 5 runs), then once end to
end over HTTP GraphQL with a planner key:

- silos for one need (the need with the most services) within 2 hops,
- agencyNetwork for all organizations,
- coverage for one need (E2SFCA, 5 km, areas' populations).

Target (issue 5): each ≤ 3 s, peak memory ≤ 2 GB. Writes bench/results/analytics.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import arguments  # noqa: E402 (bench/arguments.py, beside this script)

RESULTS = Path(__file__).parent / "results" / "analytics.json"
FULL = {"organizations": 10_000, "ties": 50_000, "services": 100_000, "areas": 500, "referrals": 50_000}
SMALL = {key: value // 10 for key, value in FULL.items()}
TARGET_S, TARGET_MB = 3.0, 2048
REPEATS = 5
SEED = 7


def _peak_mb(pid: int | None = None) -> float:
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build(store: Path, data: Path, size: dict[str, int]) -> dict[str, Any]:
    """Generate the files and load them (child process 1)."""
    from demo.planning_scale import generate_planning_graph_files
    from graph.connect import connect
    from graph.settings import Settings
    from loaders.areas import parse_areas
    from loaders.areas_links import existing_area_ids, located_locations
    from loaders.directory_lookup import load_directory
    from loaders.hsds import parse_hsds
    from loaders.load import load_source
    from loaders.referrals import parse_referrals
    from loaders.ties import parse_ties

    summary = generate_planning_graph_files(data, seed=SEED, **size)
    timings = {"generate": summary.seconds}
    db = connect(Settings(db=f"embedded://{store}"))
    try:
        started = time.perf_counter()
        load_source(db, lambda on_nodes: parse_hsds(data), dataset_id="bench", path=data, started=started)
        timings["load services"] = time.perf_counter() - started
        known, located = existing_area_ids(db), located_locations(db)
        started = time.perf_counter()
        load_source(db, lambda on_nodes: parse_areas(summary.areas_path, namespace=summary.area_namespace,
                                                     known_areas=known, locations=located),
                    dataset_id=summary.area_namespace, path=summary.areas_path, started=started)
        timings["load areas"] = time.perf_counter() - started
        directory = load_directory(db)
        started = time.perf_counter()
        load_source(db, lambda on_nodes: parse_ties(summary.ties_path, namespace="ties", directory=directory),
                    dataset_id="ties", path=summary.ties_path, started=started)
        timings["load ties"] = time.perf_counter() - started
        if summary.referrals:
            directory = load_directory(db)
            started = time.perf_counter()
            load_source(db, lambda on_nodes: parse_referrals(summary.referrals_path, namespace="referrals",
                                                             directory=directory),
                        dataset_id="referrals", path=summary.referrals_path, started=started)
            timings["load referrals"] = time.perf_counter() - started
    finally:
        db.close()
    return {"graph": {"organizations": summary.organizations, "services": summary.services,
                      "locations": summary.locations, "areas": summary.areas, "ties": summary.ties,
                      "referral_events": summary.referrals}, "setup_s": {k: round(v, 1) for k, v in timings.items()}}


def measure(store: Path) -> dict[str, Any]:
    """Ask each question cold, warm and over HTTP (child process 2)."""
    import httpx

    from api import planning
    from api.app import create_app
    from api.auth import KeyStore, Role
    from graph import embedded
    from graph.connect import connect
    from graph.settings import Settings
    from queries import analytics as reads
    from queries.search import DERIVED
    from tests.e2e.server import serving

    db = connect(Settings(db=f"embedded://{store}"))
    try:
        need = _busiest_need(reads.service_reach(db, terms=None))
        questions: dict[str, Any] = {
            "silos (one need, 2 hops)": (
                lambda: planning.silos(db, need=[need], area=None, area_kind=None, sector=None, max_hops=2,
                                       need_level=None, same_population=False, max_pairs=20),
                f'{{ silos(need: ["{need}"], first: 20) {{ totalCount nodes {{ a {{ id }} b {{ id }} overlap }} }} }}'),
            "agencyNetwork (all)": (
                lambda: planning.agency_network(db, sector=None, area=None),
                "{ agencyNetwork { nodes ties density components brokers { organization { id } betweenness } "
                "articulationPointCount bridgeCount modularity communities { size } } }"),
            "coverage (one need, E2SFCA 5 km)": (
                lambda: planning.coverage(db, need=[need], area_kind=None, catchment_km=5.0,
                                          method=planning.AccessMethod.E2SFCA, steps=None,
                                          demand_basis=planning.DemandBasis.POPULATION, desert_below=0.5,
                                          from_month=None, to_month=None),
                f'{{ coverage(need: ["{need}"], catchmentKm: 5) '
                '{ sites deserts areas { area { id } score } } }'),
        }
        rows = []
        with tempfile.TemporaryDirectory(prefix="bench-keys-") as keys_dir:
            store_keys = KeyStore(Path(keys_dir) / "keys.json")
            key, _ = store_keys.add(name="bench-planner", role=Role.PLANNER)
            # no background warm-up: "cold" must measure a request that finds the caches empty
            app = create_app(Settings(db="embedded://unused", warm_planner_caches=False), engine=db)
            app.state.key_store = KeyStore(store_keys.path)
            with serving(app) as live, httpx.Client(base_url=live.url, timeout=120) as client:
                for call, _ in questions.values():  # the process's own first-use costs (connections, code paths)
                    call()
                for name, (call, query) in questions.items():
                    DERIVED.forget(db)  # cold: as the first request after a load (the graph's caches empty)
                    started = time.perf_counter()
                    call()
                    cold = time.perf_counter() - started
                    warm = []
                    for _ in range(REPEATS):
                        started = time.perf_counter()
                        call()
                        warm.append(time.perf_counter() - started)
                    started = time.perf_counter()  # the same question over HTTP, warm, as a planner would ask it
                    answer = client.post("/graphql", json={"query": query},
                                         headers={"Authorization": f"Bearer {key}"}).json()
                    http = time.perf_counter() - started
                    if "errors" in answer:
                        raise RuntimeError(f"{name}: {answer['errors']}")
                    rows.append({"question": name, "cold_s": round(cold, 3),
                                 "warm_median_s": round(statistics.median(warm), 3),
                                 "warm_max_s": round(max(warm), 3), "http_s": round(http, 3)})
        info = embedded.status(store)
        server_mb = _peak_mb(info.pid) if info else float("nan")
    finally:
        db.close()
    return {"need": need, "rows": rows, "api_peak_mb": round(_peak_mb()), "server_peak_mb": round(server_mb)}


def _busiest_need(rows: list[Any]) -> str:
    counts = Counter(n for row in rows for n in row.needs)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _child(step: str, *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", step, *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    if done.returncode != 0:
        sys.exit(f"{step} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(*, small: bool = False, keep: Path | None = None) -> None:
    size = SMALL if small else FULL
    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as tmp:
        root = keep or Path(tmp)
        store, data = root / "db", root / "data"
        built_file = root / "built.json"
        if keep and built_file.exists():  # --keep=DIR: build once, measure again on the same graph
            built = json.loads(built_file.read_text(encoding="utf-8"))
        else:
            built = _child("build", str(store), str(data), json.dumps(size))
            built_file.write_text(json.dumps(built), encoding="utf-8")
        measured = _child("measure", str(store))
    result = {**built, **measured, "targets": {"seconds": TARGET_S, "peak_mb": TARGET_MB}}
    graph = built["graph"]
    print(f"graph: {graph['organizations']:,} organizations, {graph['ties']:,} ties, {graph['services']:,} services, "
          f"{graph['locations']:,} locations, {graph['areas']} areas, {graph['referral_events']:,} referral events")
    print(f"setup: {built['setup_s']}; need: {measured['need']}\n")
    header = ("question", "cold s", "warm median s", "warm max s", "HTTP s", f"≤ {TARGET_S:g} s")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for r in measured["rows"]:
        worst = max(r["cold_s"], r["warm_max_s"], r["http_s"])
        print(" | ".join(str(x) for x in (r["question"], r["cold_s"], r["warm_median_s"], r["warm_max_s"],
                                           r["http_s"], "met" if worst <= TARGET_S else "NOT met")))
    peak = max(measured["api_peak_mb"], measured["server_peak_mb"])
    print(f"\npeak memory: API process {measured['api_peak_mb']} MB, server {measured['server_peak_mb']} MB "
          f"(≤ {TARGET_MB} MB each: {'met' if peak <= TARGET_MB else 'NOT met'})")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


CHILD_STEPS = {"build": 3, "measure": 1}  # the child processes' steps and how many arguments each takes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = arguments.parser(__file__, __doc__)
    parser.add_argument("--small", action="store_true",
                        help=f"a tenth of the graph ({SMALL['organizations']:,} organizations, {SMALL['services']:,} "
                             "services, …): a quick check, not the target's scale")
    arguments.add_keep_and_child(parser, keep="build the graph in DIR once and measure it again on later runs with "
                                               "the same DIR")
    args = parser.parse_args(argv)
    arguments.check_child(parser, args, CHILD_STEPS)
    return args


if __name__ == "__main__":
    args = parse_args()
    if args.child:
        step, *rest = args.child
        out = build(Path(rest[0]), Path(rest[1]), json.loads(rest[2])) if step == "build" else measure(Path(rest[0]))
        print(json.dumps(out))
    else:
        main(small=args.small, keep=args.keep)
