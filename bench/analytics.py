"""Planner analytics at scale: `python bench/analytics.py [--small] [--engine falkordb|neo4j|both] [--keep=DIR]`.

A generated planning graph (demo.planning_scale: 10k organizations, 50k ties, 100k services, 500
areas, 50k referral events; `--small` a tenth) is loaded into a fresh embedded graph the way the
`safetynet load …` commands do: FalkorDB (`embedded://`, the default) or Neo4j 5.26
(`embedded-neo4j://`), as `--engine` says. `--engine both` generates the files once, then loads and
measures each engine in turn (never at once: they would share the cores), so the two columns of the
table come from one run, the same graph and the same questions. Then, for each engine in a second fresh
process (so its peak memory is the analytics', not the load's), each planner question is asked through
`services.planning` — the functions the GraphQL resolvers call — cold (as the first request after a load in
a running server: every question asked once, then the per-graph caches of areas, agencies, the agency
network and the taxonomy emptied before each) and warm (median of 5 runs), then once end to end over
HTTP GraphQL with a planner key:

- silos for one need (the need with the most services) within 2 hops,
- agencyNetwork for all organizations,
- coverage for one need (E2SFCA, 5 km, areas' populations).

Target (issue 5): each ≤ 3 s (cold, warm and over HTTP), peak memory ≤ 2 GB (the API process and the
database server). The embedded Neo4j's memory is what `safetynet` reads from the environment
(SAFETYNET_NEO4J_HEAP, _PAGECACHE, _TRANSACTION_TOTAL, _TRANSACTION_MAX; recorded in the results): its
resident memory follows the heap and page cache it is given, and a load is one transaction, so a large
graph needs them raised (the load says which when Neo4j refuses it). It measures the machine's own ceiling as
it starts (bench/engines.py `ceiling`: a fixed Python loop's rate, the load average), to compare runs on a
shared machine by. `--keep=DIR` keeps the generated files and each engine's graph in DIR and measures
them again on later runs (rebuilt when the size differs).

Writes bench/results/analytics.json (per engine, with the size, the ceiling and the code version) and
prints a table, one column group per engine.
"""

from __future__ import annotations

import argparse
import dataclasses
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
import engines  # noqa: E402 (bench/engines.py, beside this script)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "analytics.json"
FULL = {"organizations": 10_000, "ties": 50_000, "services": 100_000, "areas": 500, "referrals": 50_000}
SMALL = {key: value // 10 for key, value in FULL.items()}
TARGET_S, TARGET_MB = 3.0, 2048
REPEATS = 5
SEED = 7


def _log(message: str) -> None:
    print(f"[analytics bench] {message}", file=sys.stderr, flush=True)


def generate(data: Path, size: dict[str, int]) -> dict[str, Any]:
    """Write the planning graph's files (child process 1, once for every engine): what was written."""
    from demo.planning_scale import generate_planning_graph_files

    summary = generate_planning_graph_files(data, seed=SEED, organizations=size["organizations"], ties=size["ties"],
                                            services=size["services"], areas=size["areas"],
                                            referrals=size["referrals"])
    return {**dataclasses.asdict(summary), "folder": str(summary.folder)}


def build(engine: str, root: Path, generated: dict[str, Any]) -> dict[str, Any]:
    """Load the files into `engine` (child process 2, per engine)."""
    from demo.planning_scale import ScaleSummary
    from graph.connect import connect
    from graph.settings import DatabaseSettings
    from loaders.areas import parse_areas
    from loaders.areas_links import existing_area_ids, located_locations
    from loaders.directory_lookup import load_directory
    from loaders.hsds import parse_hsds
    from loaders.load import load_source
    from loaders.referrals import parse_referrals
    from loaders.ties import parse_ties
    from queries import reads

    summary = ScaleSummary(**{**generated, "folder": Path(generated["folder"])})
    data = summary.folder
    timings: dict[str, float] = {}
    settings = DatabaseSettings(db=engines.uri(engine, root))
    db = connect(settings)
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
        assert reads.service_count(db) == summary.services
    except Exception as exc:
        if "MemoryPoolOutOfMemoryError" in str(exc):  # a load is one transaction
            _log(f"the embedded Neo4j refused a load (one transaction) for its memory limit: "
                 f"SAFETYNET_NEO4J_TRANSACTION_MAX={settings.neo4j_transaction_max}, "
                 f"SAFETYNET_NEO4J_TRANSACTION_TOTAL={settings.neo4j_transaction_total}, "
                 f"SAFETYNET_NEO4J_HEAP={settings.neo4j_heap}; set them larger (the heap above both) and run again")
        raise
    finally:
        db.close()
    return {"size": _size(generated), "setup_s": {k: round(v, 1) for k, v in timings.items()},
            **engines.memory_settings(engine, settings)}


def measure(engine: str, root: Path) -> dict[str, Any]:
    """Ask each question cold, warm and over HTTP (child process 3, per engine)."""
    import httpx

    from api.app import create_app
    from api.settings import ApiSettings
    from domain.roles import Role
    from graph.connect import connect
    from graph.settings import DatabaseSettings
    from services import planning
    from services import planning_reads as reads
    from services.derived import DERIVED
    from services.keys import KeyStore
    from tests.e2e.server import serving

    load_average = round(os.getloadavg()[0], 2)
    engine_settings = DatabaseSettings(db=engines.uri(engine, root))
    db = connect(engine_settings)
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
            app = create_app(ApiSettings(db="embedded://unused", warm_planner_caches=False), engine=db,
                             key_store=KeyStore(store_keys.path))
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
                    _log(f"{engine} {rows[-1]}")
        server_mb = engines.peak_mb(engines.server_pid(engine, root))
    finally:
        db.close()
    return {"load_average_1m_at_start": load_average, "need": need, "rows": rows,
            "api_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "server_peak_mb": round(server_mb), **engines.memory_settings(engine, engine_settings)}


def _busiest_need(rows: list[Any]) -> str:
    counts = Counter(n for row in rows for n in row.needs)
    return str(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0])


def _size(generated: dict[str, Any]) -> dict[str, int]:
    return {"organizations": generated["organizations"], "services": generated["services"],
            "locations": generated["locations"], "areas": generated["areas"], "ties": generated["ties"],
            "referral_events": generated["referrals"]}


def _child(step: str, *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", step, *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        sys.exit(f"{step} {' '.join(args[:1])} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _code_version() -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout

    changed = git("status", "--porcelain", "--", "queries", "api", "analytics", "graph", "bench").splitlines()
    return {"commit": git("rev-parse", "HEAD").strip(), "uncommitted": sorted(line[3:] for line in changed)}


def _run_engines(root: Path, size: dict[str, int], names: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Generate the files once in `root` (unless kept there at this size), then load and measure each engine in
    turn, each step in a fresh process: (what was generated, {engine: its load and measurements})."""
    def generate_files() -> dict[str, Any]:
        _log(f"generating {size}")
        return {"requested": size, "generated": _child("generate", str(root / "data"), json.dumps(size))}

    files, files_kept = engines.kept_or_built(root / "data.json", root / "data",
                                              lambda kept: bool(kept["requested"] == size), generate_files)
    if not files_kept:
        for name in engines.ENGINES:  # a graph of the old files is stale
            (root / f"built-{name}.json").unlink(missing_ok=True)
    generated: dict[str, Any] = files["generated"]
    measured: dict[str, Any] = {}
    for name in names:
        def load(name: str = name) -> dict[str, Any]:
            _log(f"{name}: loading")
            return _child("build", name, str(root), json.dumps(generated))

        built, kept = engines.kept_or_built(root / f"built-{name}.json", engines.data_dir(name, root),
                                            lambda b: bool(b["size"] == _size(generated)), load)
        if kept:
            built = {**built, "kept": True}  # built by an earlier run: its load time is that run's
        _log(f"{name}: measuring")
        measured[name] = {**built, **_child("measure", name, str(root))}
    return generated, measured


def _verdicts(m: dict[str, Any]) -> dict[str, bool]:
    verdicts = {r["question"]: max(r["cold_s"], r["warm_max_s"], r["http_s"]) <= TARGET_S for r in m["rows"]}
    return {**verdicts, "peak_memory": max(m["api_peak_mb"], m["server_peak_mb"]) <= TARGET_MB}


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _print_table(generated: dict[str, Any], measured: dict[str, Any], ceiling: dict[str, float]) -> None:
    g = _size(generated)
    needs = {m["need"] for m in measured.values()}
    print(f"graph: {g['organizations']:,} organizations, {g['ties']:,} ties, {g['services']:,} services, "
          f"{g['locations']:,} locations, {g['areas']} areas, {g['referral_events']:,} referral events "
          f"(generated in {generated['seconds']:.1f} s); need: {', '.join(sorted(needs))}; the same questions on "
          f"every engine: {'yes' if len(needs) == 1 else 'NO'}")
    print(f"machine: {ceiling['cores']:g} cores (API and database share them), Python loop "
          f"{ceiling['python_loop_mips']} M/s, load average {ceiling['load_average_1m']} at the start\n")
    names = list(measured)
    header = ["question", "target",
              *(column for n in names for column in (f"{n}: cold / warm median / warm max / HTTP s", ""))]
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for i, row in enumerate(measured[names[0]]["rows"]):
        cells = []
        for m in measured.values():
            r = m["rows"][i]
            cells.append(f"{r['cold_s']:.2f} / {r['warm_median_s']:.2f} / {r['warm_max_s']:.2f} / {r['http_s']:.2f} | "
                         f"{_met(m['verdicts'][r['question']])}")
        print(" | ".join([row["question"], f"≤ {TARGET_S:g} s each", *cells]))

    def memory(m: dict[str, Any]) -> str:
        neo4j = m.get("neo4j_memory")
        configured = (f" (heap {neo4j['heap']}, page cache {neo4j['pagecache']}, transactions "
                      f"{neo4j['transaction_max']})" if neo4j else "")
        return f"{m['api_peak_mb']} / {m['server_peak_mb']} MB{configured} | {_met(m['verdicts']['peak_memory'])}"

    print(" | ".join(["peak memory: API process / database server", f"≤ {TARGET_MB} MB each",
                      *(memory(m) for m in measured.values())]))
    def setup(m: dict[str, Any]) -> str:
        kept = " (kept: an earlier run's)" if m.get("kept") else ""
        return ", ".join(f"{k.removeprefix('load ')} {v} s" for k, v in m["setup_s"].items()) + kept + " | "

    print(" | ".join(["load (setup)", "", *(setup(m) for m in measured.values())]))
    print(" | ".join(["load average as the engine's measuring began", "",
                      *(f"{m['load_average_1m_at_start']} | " for m in measured.values())]))


def main(*, small: bool = False, keep: Path | None = None, engine: str = "falkordb") -> None:
    size = SMALL if small else FULL
    ceiling = engines.ceiling()  # before anything runs: the machine's own ceiling in this run
    _log(f"machine ceiling: {ceiling}")
    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as tmp:
        root = (keep or Path(tmp)).resolve()
        root.mkdir(parents=True, exist_ok=True)
        generated, measured = _run_engines(root, size, engines.chosen(engine))
    for m in measured.values():
        m["verdicts"] = _verdicts(m)
    _print_table(generated, measured, ceiling)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "analytics", "code": _code_version(), "ceiling": ceiling,
        "command": "python bench/analytics.py" + (" --small" if small else "") + f" --engine {engine}",
        "size": _size(generated), "generate_s": round(generated["seconds"], 1),
        "same_questions": len({m["need"] for m in measured.values()}) == 1,
        "targets": {"seconds": TARGET_S, "peak_mb": TARGET_MB}, "engines": measured,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS}")


CHILD_STEPS = {"generate": 2, "build": 3, "measure": 2}  # the child processes' steps and how many arguments each


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = arguments.parser(__file__, __doc__)
    parser.add_argument("--small", action="store_true",
                        help=f"a tenth of the graph ({SMALL['organizations']:,} organizations, {SMALL['services']:,} "
                             "services, …): a quick check, not the target's scale")
    engines.add_engine(parser)
    arguments.add_keep_and_child(parser, keep="keep the generated files and each engine's graph in DIR and measure "
                                               "them again on later runs with the same DIR and size")
    args = parser.parse_args(argv)
    arguments.check_child(parser, args, CHILD_STEPS)
    if args.child and args.child[0] != "generate" and args.child[1] not in engines.ENGINES:
        parser.error(f"--child {args.child[0]} takes an engine first: one of {', '.join(engines.ENGINES)}")
    return args


if __name__ == "__main__":
    args = parse_args()
    if args.child:
        step, *rest = args.child
        if step == "generate":
            out = generate(Path(rest[0]), json.loads(rest[1]))
        elif step == "build":
            out = build(rest[0], Path(rest[1]), json.loads(rest[2]))
        else:
            out = measure(rest[0], Path(rest[1]))
        print(json.dumps(out))
    else:
        main(small=args.small, keep=args.keep, engine=args.engine)
