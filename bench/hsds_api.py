"""The HSDS 3.0 REST API at scale: `python bench/hsds_api.py [--small] [--engine falkordb|neo4j|both] [--keep=DIR]`.

A generated demo city with 100k services (`demo.generator.generate_demo`, seed 1, as bench/search.py;
`--small`: 10k) is loaded into a fresh embedded graph the way `safetynet load` does: FalkorDB
(`embedded://`, the default) or Neo4j 5.26 (`embedded-neo4j://`), as `--engine` says. `--engine both`
generates the city once, then loads and measures each engine in turn (never at once: they would share the
cores), so the two columns of the table come from one run, the same data and the same questions. Then, for
each engine in a second fresh process, the real app (`api.app.create_app`) is served by uvicorn on a local
port (tests/e2e/server.py `serving`) and asked over HTTP, as the public, by one sequential keep-alive client:

- `GET /hsds/services?taxonomy_term_id=T&per_page=50&page=P`: T a typical term (the median, by number of
  services tagged with it, of the terms with at least a page of services), P random among its first
  pages (at most PAGES_ASKED);
- `GET /hsds/services/{id}`: random service ids, first by the graph walk (no ready-made documents yet);
- `GET /hsds/services?format=ndjson&full=true`: every service in full, streamed to the end (services/s),
  twice: the first export of the graph version walks the graph and writes the version's ready-made
  documents as it streams (services/hsds/snapshots.py; what `safetynet export snapshots` does after a load),
  the second streams them; a build slower than EXPORT_CAP_S is cut there and reported as partial;
- `GET /hsds/services/{id}` again, now answered from the ready-made documents;
- the read floor: every record and relationship read once through the engine's database client, label by
  label, without building anything (the fastest any walk of the graph through this client could be), with
  the database's own share: FalkorDB's reported execution time; on Neo4j the Bolt summaries' time to the
  first record plus to the last (server side, streaming included), and the bare driver's time for the same
  reads (without the engine's conversion of records to plain rows).

The questions are drawn from seeded random numbers over the sorted ids, so every engine gets the same
ones (the table says so). Targets (issue 6): p95 ≤ 30 ms (term page), p95 ≤ 10 ms (by id), ≥ 5,000
services/s (export), judged per engine on the ready-made documents (the state after a load and its
`safetynet export snapshots`); the graph walk's numbers are reported beside them. The benchmark reports;
it asserts nothing. It measures the machine's own ceiling as it starts (bench/engines.py `ceiling`: a
fixed Python loop's rate, the load average), to compare runs on a shared machine by.

The embedded Neo4j's memory is what `safetynet` reads from the environment (SAFETYNET_NEO4J_HEAP,
_PAGECACHE, _TRANSACTION_TOTAL, _TRANSACTION_MAX; the results record them): a load is one transaction, so
a large city needs them raised, and the load says which when Neo4j refuses it. `--keep=DIR` keeps the
generated city and each engine's graph in DIR (DIR/data, and each engine's own folder beside it) and
measures them again on later runs (rebuilt when the size differs; the ready-made documents are removed
before each run).

Writes bench/results/hsds_api.json (per engine, with the size, the ceiling and the code version) and
prints a table, one column per engine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import arguments  # noqa: E402 (bench/arguments.py, beside this script)
import engines  # noqa: E402 (bench/engines.py, beside this script)
from stats import ms_summary  # noqa: E402 (bench/stats.py, beside this script)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "hsds_api.json"
FULL, SMALL = 100_000, 10_000
SEED = 1
PER_PAGE = 50
PAGES_ASKED = 20
TERM_REQUESTS, BY_ID_REQUESTS, WARMUP = 300, 500, 20
EXPORT_CAP_S = 900.0
TARGET_TERM_P95_MS, TARGET_BY_ID_P95_MS, TARGET_EXPORT_PER_S = 30.0, 10.0, 5000.0


def _log(message: str) -> None:
    print(f"[hsds bench] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- child 1: generate (once for every engine)

def generate(data: Path, services: int) -> dict[str, Any]:
    from demo.generator import generate_demo

    started = time.perf_counter()
    generate_demo(data, services=services, seed=SEED)
    return {"services": services, "generate_s": round(time.perf_counter() - started, 1)}


# ---------------------------------------------------------------- child 2: load (per engine)

def build(engine: str, root: Path, data: Path, services: int) -> dict[str, Any]:
    from graph.connect import connect
    from graph.settings import DatabaseSettings
    from loaders.hsds import parse_hsds
    from loaders.load import load_parsed
    from queries import reads

    settings = DatabaseSettings(db=engines.uri(engine, root))
    db = connect(settings)
    try:
        started = time.perf_counter()
        try:
            load_parsed(db, parse_hsds(data), dataset_id="bench", path=data)
        except Exception as exc:
            _explain_memory_refusal(exc, settings)
            raise
        load_s = time.perf_counter() - started
        assert reads.service_count(db) == services
    finally:
        db.close()  # stops the embedded server this process started
    return {"services": services, "load_s": round(load_s, 1), **engines.memory_settings(engine, settings)}


def _explain_memory_refusal(exc: Exception, settings: Any) -> None:
    """A load Neo4j refused for its transaction memory: say which settings to raise (a load is one transaction)."""
    if "MemoryPoolOutOfMemoryError" in str(exc):
        _log(f"the embedded Neo4j refused the load (one transaction) for its memory limit: "
             f"SAFETYNET_NEO4J_TRANSACTION_MAX={settings.neo4j_transaction_max}, "
             f"SAFETYNET_NEO4J_TRANSACTION_TOTAL={settings.neo4j_transaction_total}, "
             f"SAFETYNET_NEO4J_HEAP={settings.neo4j_heap}; set them larger (the heap above both) and run again")


# ---------------------------------------------------------------- child 3: ask over HTTP (per engine)

def _typical_term(db: Any) -> tuple[str, int]:
    """The median term (by services tagged with it directly) among those with at least a page of services."""
    rows = db.read("MATCH (:Service)-[:TAGGED]->(t:TaxonomyTerm) RETURN t.id AS id, count(*) AS n")
    full = sorted((int(r["n"]), str(r["id"])) for r in rows if int(r["n"]) >= PER_PAGE)
    n, term = full[len(full) // 2]
    return term, n


def _get(client: Any, url: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    response = client.get(url)
    return time.perf_counter() - started, response.status_code, response.content


def _timed(client: Any, urls: list[str]) -> dict[str, Any]:
    for url in urls[:WARMUP]:
        _get(client, url)
    answers = [_get(client, url) for url in urls[WARMUP:]]
    sizes = [len(a[2]) for a in answers]
    return {**ms_summary([a[0] for a in answers]), "non_200": sum(1 for a in answers if a[1] != 200),
            "mean_body_kb": round(sum(sizes) / len(sizes) / 1024, 1)}


def _export(client: Any) -> dict[str, Any]:
    """`/hsds/services?format=ndjson&full=true` read to the end (or to EXPORT_CAP_S)."""
    lines = size = 0
    partial = False
    started = time.perf_counter()
    with client.stream("GET", "/hsds/services", params={"format": "ndjson", "full": "true"}) as response:
        status = response.status_code
        for chunk in response.iter_raw():
            lines += chunk.count(b"\n")
            size += len(chunk)
            if time.perf_counter() - started > EXPORT_CAP_S:
                partial = True
                break
    elapsed = time.perf_counter() - started
    return {"services": lines, "seconds": round(elapsed, 2), "services_per_s": round(lines / elapsed, 1),
            "mb": round(size / 2**20, 1), "status": status, "partial": partial}


def measure(engine: str, root: Path) -> dict[str, Any]:
    import httpx

    from api.app import create_app
    from api.settings import ApiSettings
    from graph.connect import connect
    from graph.settings import DatabaseSettings
    from services.hsds.snapshots import snapshot_root
    from tests.e2e.server import serving

    load_average = round(os.getloadavg()[0], 2)
    rng = random.Random(SEED)
    engine_settings = DatabaseSettings(db=engines.uri(engine, root))
    db = connect(engine_settings)
    try:
        settings = ApiSettings(db="embedded://unused", warm_planner_caches=False)
        documents = snapshot_root(settings, db)
        if documents is not None:  # measure the graph walk first, then build them
            shutil.rmtree(documents, ignore_errors=True)
        term, tagged = _typical_term(db)
        ids = sorted(str(r["id"]) for r in db.read("MATCH (s:Service) RETURN s.id AS id"))  # same on each engine
        app = create_app(settings, engine=db)
        with serving(app) as live, httpx.Client(base_url=live.url, timeout=300) as client:
            first = client.get("/hsds/services", params={"taxonomy_term_id": term, "per_page": PER_PAGE}).json()
            pages = max(1, min(PAGES_ASKED, int(first["total_pages"])))
            term_urls = [f"/hsds/services?taxonomy_term_id={term}&per_page={PER_PAGE}&page={rng.randint(1, pages)}"
                         for _ in range(WARMUP + TERM_REQUESTS)]
            id_urls = [f"/hsds/services/{rng.choice(ids)}" for _ in range(WARMUP + BY_ID_REQUESTS)]
            results: dict[str, Any] = {}
            for name, urls in (("term_page", term_urls), ("by_id_walk", id_urls)):
                results[name] = _timed(client, urls)
                _log(f"{engine} {name}: p95 {results[name]['p95_ms']} ms")
            for name in ("export_build", "export"):
                results[name] = _export(client)
                _log(f"{engine} {name}: {results[name]}")
            results["by_id"] = _timed(client, id_urls)
            _log(f"{engine} by_id (ready-made): p95 {results['by_id']['p95_ms']} ms")
        results["read_floor"] = read_floor(engine, root, db)
        _log(f"{engine} read floor: {results['read_floor']}")
        server_mb = engines.peak_mb(engines.server_pid(engine, root))
    finally:
        db.close()
    questions = hashlib.sha256("\n".join(term_urls + id_urls).encode()).hexdigest()[:16]
    return {"load_average_1m_at_start": load_average, "questions_sha256": questions,
            "term": {"id": term, "tagged_services": tagged, "total_items": first["total_items"], "pages_asked": pages},
            **results, "api_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "server_peak_mb": round(server_mb), **engines.memory_settings(engine, engine_settings)}


def _floor_queries() -> list[str]:
    from graph.schema.model import NODE_PROPERTIES

    queries = []
    for label, props in NODE_PROPERTIES.items():
        keys = ("id", *(p for p in props if p != "point"))
        queries.append(f"MATCH (n:{label}) RETURN [" + ", ".join(f"n.{k}" for k in keys) + "] AS v")
    return [*queries, "MATCH (a)-[r]->(b) RETURN type(r) AS t, a.id AS a, b.id AS b, r.linkType AS lt"]


def read_floor(engine: str, root: Path, db: Any) -> dict[str, Any]:
    """How fast the export could be at best with this engine's database client: every record's whitelisted
    properties (graph.schema.model) and every relationship, each read exactly once, label by label, with
    no document built. An export reads at least this much. The database's own share: FalkorDB reports its
    execution time with each reply; on Neo4j the same queries are first read through a bare driver (which
    also has Neo4j plan each of them, so the timed pass through the engine reuses the plans), whose summaries
    give the server's time to the first record and to the last (streaming to the client included), and whose
    wall time is the driver's alone, without the engine's conversion of records to plain rows."""
    queries = _floor_queries()
    bare = _neo4j_floor(root, queries) if engine == "neo4j" else {}
    rows = 0
    server_ms = 0.0
    started = time.perf_counter()
    for query in queries:
        rows += len(db.read(query))
        server_ms += getattr(db, "last_server_ms", None) or 0.0
    elapsed = time.perf_counter() - started
    services = int(db.read("MATCH (s:Service) RETURN count(s) AS n")[0]["n"])
    floor = {"rows": rows, "seconds": round(elapsed, 1), "services_per_s": round(services / elapsed, 1)}
    return {**floor, **(bare or {"server_s": round(server_ms / 1000, 1)})}


def _neo4j_floor(root: Path, queries: list[str]) -> dict[str, Any]:
    import neo4j

    from graph import neo4j_embedded

    info = neo4j_embedded.status(engines.data_dir("neo4j", root))
    assert info is not None, "the embedded Neo4j server is gone"
    server_ms = 0
    with info.driver(notifications_min_severity="OFF") as driver:
        started = time.perf_counter()
        for query in queries:
            _, summary, _ = driver.execute_query(neo4j.Query(query), routing_=neo4j.RoutingControl.READ)
            server_ms += (summary.result_available_after or 0) + (summary.result_consumed_after or 0)
        driver_s = time.perf_counter() - started
    return {"server_s": round(server_ms / 1000, 1), "driver_s": round(driver_s, 1)}


# ---------------------------------------------------------------- main

def _child(step: str, *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", step, *args], stdout=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        sys.exit(f"{step} {' '.join(args[:1])} failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _code_version() -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout

    changed = git("status", "--porcelain", "--", "queries", "api", "graph", "bench").splitlines()
    return {"commit": git("rev-parse", "HEAD").strip(), "uncommitted": sorted(line[3:] for line in changed)}


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _run_engines(root: Path, services: int, names: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Generate the city once in `root` (unless kept there at this size), then load and measure each engine in
    turn, each step in a fresh process: (the generation, {engine: its load and measurements})."""
    data = root / "data"
    def generate_city() -> dict[str, Any]:
        _log(f"{services:,} services: generating")
        return _child("generate", str(data), str(services))

    generated, city_kept = engines.kept_or_built(root / "data.json", data,
                                                 lambda kept: bool(kept["services"] == services), generate_city)
    if not city_kept:
        for name in engines.ENGINES:  # a graph of the old data is stale
            (root / f"built-{name}.json").unlink(missing_ok=True)
    measured: dict[str, Any] = {}
    for name in names:
        def load(name: str = name) -> dict[str, Any]:
            _log(f"{name}: loading {services:,} services")
            return _child("build", name, str(root), str(data), str(services))

        built, kept = engines.kept_or_built(root / f"built-{name}.json", engines.data_dir(name, root),
                                            lambda b: bool(b["services"] == services), load)
        if kept:
            built = {**built, "kept": True}  # built by an earlier run: its load time is that run's
        _log(f"{name}: measuring")
        measured[name] = {**built, **_child("measure", name, str(root))}
    return generated, measured


def _verdicts(m: dict[str, Any]) -> dict[str, bool]:
    return {"term_page_p95": m["term_page"]["p95_ms"] <= TARGET_TERM_P95_MS,
            "by_id_p95": m["by_id"]["p95_ms"] <= TARGET_BY_ID_P95_MS,
            "export_services_per_s": m["export"]["services_per_s"] >= TARGET_EXPORT_PER_S
            and not m["export"]["partial"]}


def _configured(m: dict[str, Any]) -> str:
    memory = m.get("neo4j_memory")
    return (f" (heap {memory['heap']}, page cache {memory['pagecache']}, transactions {memory['transaction_max']})"
            if memory else "")


def _errors(m: dict[str, Any]) -> int:
    return (sum(int(m[key]["non_200"]) for key in ("term_page", "by_id", "by_id_walk"))
            + sum(int(m[key]["status"]) != 200 for key in ("export", "export_build")))


def _print_table(services: int, generated: dict[str, Any], measured: dict[str, Any],
                 ceiling: dict[str, float]) -> None:
    names = list(measured)
    some = measured[names[0]]
    same = len({m["questions_sha256"] for m in measured.values()}) == 1
    print(f"{services:,} services (generated in {generated['generate_s']} s); term {some['term']['id']} "
          f"({some['term']['total_items']:,} services, pages 1–{some['term']['pages_asked']} asked); "
          f"the same questions on every engine: {'yes' if same else 'NO'}")
    print(f"machine: {ceiling['cores']:g} cores (client, API and database share them), Python loop "
          f"{ceiling['python_loop_mips']} M/s, load average {ceiling['load_average_1m']} at the start\n")

    def latency(m: dict[str, Any], key: str) -> str:
        return f"{m[key]['p50_ms']:.1f} / {m[key]['p95_ms']:.1f} / {m[key]['p99_ms']:.1f}"

    def export(row: dict[str, Any]) -> str:
        note = f", cut at {EXPORT_CAP_S:g} s: partial" if row["partial"] else ""
        return f"{row['services_per_s']:,.0f}/s ({row['services']:,} in {row['seconds']} s, {row['mb']} MB{note})"

    def floor(row: dict[str, Any]) -> str:
        driver = f", bare driver {row['driver_s']} s" if "driver_s" in row else ""
        return (f"{row['services_per_s']:,.0f}/s ({row['rows']:,} rows in {row['seconds']} s; "
                f"database {row['server_s']} s{driver})")

    header = ["request", "target", *(column for n in names for column in (f"{n} (p50 / p95 / p99 ms, or rate)", ""))]
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    rows: list[tuple[str, str, Any, str]] = [
        (f"/hsds/services?taxonomy_term_id=…&per_page={PER_PAGE}", f"p95 ≤ {TARGET_TERM_P95_MS:g} ms",
         lambda m: latency(m, "term_page"), "term_page_p95"),
        ("/hsds/services/{id}, ready-made documents", f"p95 ≤ {TARGET_BY_ID_P95_MS:g} ms",
         lambda m: latency(m, "by_id"), "by_id_p95"),
        ("/hsds/services/{id}, graph walk (before the documents)", "", lambda m: latency(m, "by_id_walk"), ""),
        ("NDJSON export (full=true), ready-made documents", f"≥ {TARGET_EXPORT_PER_S:,.0f} services/s",
         lambda m: export(m["export"]), "export_services_per_s"),
        ("NDJSON export, first of the graph version (walks the graph, writes the documents)", "",
         lambda m: export(m["export_build"]), ""),
        ("read floor: every record and relationship once, no document built", "",
         lambda m: floor(m["read_floor"]), ""),
        ("load (setup)", "", lambda m: f"{m['load_s']} s" + (" (kept: an earlier run's)" if m.get("kept") else ""), ""),
        ("peak memory: API process / database server", "", lambda m: f"{m['api_peak_mb']} / {m['server_peak_mb']} MB"
         + _configured(m), ""),
        ("non-200 responses", "", lambda m: str(_errors(m)), ""),
        ("load average as the engine's measuring began", "", lambda m: str(m["load_average_1m_at_start"]), ""),
    ]
    for label, target, cell, key in rows:
        cells = [f"{cell(m)} | {_met(m['verdicts'][key]) if key else ''}" for m in measured.values()]
        print(" | ".join([label, target, *cells]))


def main(*, small: bool = False, keep: Path | None = None, engine: str = "falkordb") -> None:
    services = SMALL if small else FULL
    names = engines.chosen(engine)
    ceiling = engines.ceiling()  # before anything runs: the machine's own ceiling in this run
    _log(f"machine ceiling: {ceiling}")
    with tempfile.TemporaryDirectory(prefix="bench-hsds-") as tmp:
        root = (keep or Path(tmp)).resolve()
        root.mkdir(parents=True, exist_ok=True)
        generated, measured = _run_engines(root, services, names)
    for m in measured.values():
        m["verdicts"] = _verdicts(m)
    _print_table(services, generated, measured, ceiling)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "hsds_api", "code": _code_version(), "ceiling": ceiling,
        "command": "python bench/hsds_api.py" + (" --small" if small else "") + f" --engine {engine}",
        "size": {"services": services}, "generate_s": generated["generate_s"],
        "same_questions": len({m["questions_sha256"] for m in measured.values()}) == 1,
        "targets": {"term_page_p95_ms": TARGET_TERM_P95_MS, "by_id_p95_ms": TARGET_BY_ID_P95_MS,
                    "export_services_per_s": TARGET_EXPORT_PER_S},
        "engines": measured,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS}")


CHILD_STEPS = {"generate": 2, "build": 4, "measure": 2}  # the child processes' steps and how many arguments each


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = arguments.parser(__file__, __doc__)
    parser.add_argument("--small", action="store_true", help=f"{SMALL:,} services instead of {FULL:,}: a quick "
                                                             "check, not the target's scale")
    engines.add_engine(parser)
    arguments.add_keep_and_child(parser, keep="keep the generated city and each engine's graph in DIR and measure "
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
            out = generate(Path(rest[0]), int(rest[1]))
        elif step == "build":
            out = build(rest[0], Path(rest[1]), Path(rest[2]), int(rest[3]))
        else:
            out = measure(rest[0], Path(rest[1]))
        print(json.dumps(out))
    else:
        main(small=args.small, keep=args.keep, engine=args.engine)
