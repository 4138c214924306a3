"""The HSDS 3.0 REST API at scale on the embedded engine: `python bench/hsds_api.py [--small] [--keep=DIR]`.

A generated demo city with 100k services (`demo.generator.generate_demo`, seed 1, as bench/search.py;
`--small`: 10k) is loaded into a fresh embedded FalkorDB the way `safetynet load` does. Then, in a
second fresh process, the real app (`api.app.create_app`) is served by uvicorn on a local port
(tests/e2e/server.py `serving`) and asked over HTTP, as the public, by one sequential keep-alive client:

- `GET /hsds/services?taxonomy_term_id=T&per_page=50&page=P`: T a typical term (the median, by number of
  services tagged with it, of the terms with at least a page of services), P random among its first
  pages (at most PAGES_ASKED);
- `GET /hsds/services/{id}`: random service ids, first by the graph walk (no ready-made documents yet);
- `GET /hsds/services?format=ndjson&full=true`: every service in full, streamed to the end (services/s),
  twice: the first export of the graph version walks the graph and writes the version's ready-made
  documents as it streams (api/hsds/snapshots.py; what `safetynet export snapshots` does after a load),
  the second streams them; a build slower than EXPORT_CAP_S is cut there and reported as partial;
- `GET /hsds/services/{id}` again, now answered from the ready-made documents;
- the read floor: every record and relationship read once through the database client, label by label,
  without building anything (the fastest any walk of the graph through this client could be).

Targets (issue 6): p95 ≤ 30 ms (term page), p95 ≤ 10 ms (by id), ≥ 5,000 services/s (export), judged on
the ready-made documents (the state after a load and its `safetynet export snapshots`); the graph walk's
numbers are reported beside them. The benchmark reports; it asserts nothing. `--keep=DIR` builds the
graph in DIR once and measures it again on later runs (the graph is rebuilt when its size differs; its
ready-made documents are removed before each run).

Writes bench/results/hsds_api.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import arguments  # noqa: E402 (bench/arguments.py, beside this script)
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




# ---------------------------------------------------------------- child 1: generate and load

def build(store: Path, data: Path, services: int) -> dict[str, Any]:
    from demo.generator import generate_demo
    from graph.connect import connect
    from graph.settings import Settings
    from loaders.hsds import parse_hsds
    from loaders.load import load_parsed
    from queries import reads

    started = time.perf_counter()
    generate_demo(data, services=services, seed=SEED)
    generate_s = time.perf_counter() - started
    db = connect(Settings(db=f"embedded://{store}"))
    try:
        started = time.perf_counter()
        load_parsed(db, parse_hsds(data), dataset_id="bench", path=data)
        load_s = time.perf_counter() - started
        assert reads.service_count(db) == services
    finally:
        db.close()  # stops the embedded server this process started
    return {"services": services, "setup_s": {"generate": round(generate_s, 1), "load": round(load_s, 1)}}


# ---------------------------------------------------------------- child 2: ask over HTTP

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


def measure(store: Path) -> dict[str, Any]:
    import httpx

    from api.app import create_app
    from api.hsds.snapshots import DIR_NAME
    from graph.connect import connect
    from graph.settings import Settings
    from tests.e2e.server import serving

    rng = random.Random(SEED)
    shutil.rmtree(store / DIR_NAME, ignore_errors=True)  # measure the graph walk first, then build them
    db = connect(Settings(db=f"embedded://{store}"))
    try:
        term, tagged = _typical_term(db)
        ids = [str(r["id"]) for r in db.read("MATCH (s:Service) RETURN s.id AS id")]
        app = create_app(Settings(db="embedded://unused", warm_planner_caches=False), engine=db)
        with serving(app) as live, httpx.Client(base_url=live.url, timeout=300) as client:
            first = client.get("/hsds/services", params={"taxonomy_term_id": term, "per_page": PER_PAGE}).json()
            pages = max(1, min(PAGES_ASKED, int(first["total_pages"])))
            term_urls = [f"/hsds/services?taxonomy_term_id={term}&per_page={PER_PAGE}&page={rng.randint(1, pages)}"
                         for _ in range(WARMUP + TERM_REQUESTS)]
            id_urls = [f"/hsds/services/{rng.choice(ids)}" for _ in range(WARMUP + BY_ID_REQUESTS)]
            results: dict[str, Any] = {}
            for name, urls in (("term_page", term_urls), ("by_id_walk", id_urls)):
                results[name] = _timed(client, urls)
                _log(f"{name}: p95 {results[name]['p95_ms']} ms")
            for name in ("export_build", "export"):
                results[name] = _export(client)
                _log(f"{name}: {results[name]}")
            results["by_id"] = _timed(client, id_urls)
            _log(f"by_id (ready-made): p95 {results['by_id']['p95_ms']} ms")
        results["read_floor"] = read_floor(db)
        _log(f"read floor: {results['read_floor']}")
    finally:
        db.close()
    return {"term": {"id": term, "tagged_services": tagged, "total_items": first["total_items"],
                     "pages_asked": pages}, **results}


def read_floor(db: Any) -> dict[str, Any]:
    """How fast the export could be at best with this database client: every record's whitelisted
    properties (graph.schema.model) and every relationship, each read exactly once, label by label, with
    no document built. An export reads at least this much."""
    from graph.schema.model import NODE_PROPERTIES

    rows = 0
    server_ms = 0.0
    started = time.perf_counter()
    for label, props in NODE_PROPERTIES.items():
        keys = ("id", *(p for p in props if p != "point"))
        rows += len(db.read(f"MATCH (n:{label}) RETURN [" + ", ".join(f"n.{k}" for k in keys) + "] AS v"))
        server_ms += db.last_server_ms or 0.0
    rows += len(db.read("MATCH (a)-[r]->(b) RETURN type(r) AS t, a.id AS a, b.id AS b, r.linkType AS lt"))
    server_ms += db.last_server_ms or 0.0
    elapsed = time.perf_counter() - started
    services = int(db.read("MATCH (s:Service) RETURN count(s) AS n")[0]["n"])
    return {"rows": rows, "seconds": round(elapsed, 1), "server_s": round(server_ms / 1000, 1),
            "services_per_s": round(services / elapsed, 1)}


# ---------------------------------------------------------------- main

def _child(step: str, *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", step, *args], stdout=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        sys.exit(f"{step} failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _code_version() -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout

    changed = git("status", "--porcelain", "--", "queries", "api", "graph").splitlines()
    return {"commit": git("rev-parse", "HEAD").strip(), "uncommitted": sorted(line[3:] for line in changed)}


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main(*, small: bool = False, keep: Path | None = None) -> None:
    services = SMALL if small else FULL
    with tempfile.TemporaryDirectory(prefix="bench-hsds-") as tmp:
        root = keep or Path(tmp)
        store, data = root / "db", root / "data"
        built_file = root / "built.json"
        built = json.loads(built_file.read_text(encoding="utf-8")) if built_file.exists() else None
        if built is None or built["services"] != services:
            if keep is not None and store.exists():
                subprocess.run(["rm", "-rf", str(store), str(data)], check=True)
            _log(f"{services:,} services: generating and loading")
            built = _child("build", str(store), str(data), str(services))
            built_file.write_text(json.dumps(built), encoding="utf-8")
        measured = _child("measure", str(store))
    term, by_id, export = measured["term_page"], measured["by_id"], measured["export"]
    walk, build = measured["by_id_walk"], measured["export_build"]
    verdicts = {"term_page_p95": term["p95_ms"] <= TARGET_TERM_P95_MS,
                "by_id_p95": by_id["p95_ms"] <= TARGET_BY_ID_P95_MS,
                "export_services_per_s": export["services_per_s"] >= TARGET_EXPORT_PER_S and not export["partial"]}
    print(f"{services:,} services (setup {built['setup_s']}); term {measured['term']['id']} "
          f"({measured['term']['total_items']:,} services, pages 1–{measured['term']['pages_asked']} asked)\n")
    header = ("request", "p50 ms", "p95 ms", "p99 ms", "requests", "target", "")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for label, row, target, key in (
            (f"/hsds/services?taxonomy_term_id=…&per_page={PER_PAGE}", term, f"p95 ≤ {TARGET_TERM_P95_MS:g} ms",
             "term_page_p95"),
            ("/hsds/services/{id} (ready-made documents)", by_id, f"p95 ≤ {TARGET_BY_ID_P95_MS:g} ms", "by_id_p95"),
            ("/hsds/services/{id} (graph walk, before they are built)", walk, "", "")):
        print(f"{label} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {row['requests']} | {target} | "
              f"{_met(verdicts[key]) if key else ''}")

    def export_line(name: str, row: dict[str, Any]) -> str:
        note = f" (cut at {EXPORT_CAP_S:g} s: partial)" if row["partial"] else ""
        return (f"{name}: {row['services']:,} services, {row['mb']} MB in {row['seconds']} s = "
                f"{row['services_per_s']:,.0f} services/s{note}")

    print("\nNDJSON export (full=true)")
    print(export_line("first of this graph version (walks the graph, writes the ready-made documents)", build))
    print(export_line("from the ready-made documents", export)
          + f" — target ≥ {TARGET_EXPORT_PER_S:,.0f}: {_met(verdicts['export_services_per_s'])}")
    floor = measured["read_floor"]
    print(f"read floor: every record and relationship read once, no document built: {floor['rows']:,} rows in "
          f"{floor['seconds']} s (the database's own time {floor['server_s']} s) = {floor['services_per_s']:,.0f} "
          "services/s at most for any export through this client")
    errors = (term["non_200"] + by_id["non_200"] + walk["non_200"] + (export["status"] != 200)
              + (build["status"] != 200))
    print(f"non-200 responses: {errors}; machine: {os.cpu_count()} cores (client, API and database share them)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "hsds_api", "machine_cores": os.cpu_count() or 0, "code": _code_version(),
        "command": "python bench/hsds_api.py" + (" --small" if services == SMALL else ""),
        "targets": {"term_page_p95_ms": TARGET_TERM_P95_MS, "by_id_p95_ms": TARGET_BY_ID_P95_MS,
                    "export_services_per_s": TARGET_EXPORT_PER_S},
        "verdicts": verdicts, **built, **measured,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


CHILD_STEPS = {"build": 3, "measure": 1}  # the child processes' steps and how many arguments each takes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = arguments.parser(__file__, __doc__)
    parser.add_argument("--small", action="store_true", help=f"{SMALL:,} services instead of {FULL:,}: a quick "
                                                             "check, not the target's scale")
    arguments.add_keep_and_child(parser, keep="build the graph in DIR once and measure it again on later runs with "
                                               "the same DIR and size")
    args = parser.parse_args(argv)
    arguments.check_child(parser, args, CHILD_STEPS)
    return args


if __name__ == "__main__":
    args = parse_args()
    if args.child:
        step, *rest = args.child
        out = build(Path(rest[0]), Path(rest[1]), int(rest[2])) if step == "build" else measure(Path(rest[0]))
        print(json.dumps(out))
    else:
        main(small=args.small, keep=args.keep)
