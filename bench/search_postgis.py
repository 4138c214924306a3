"""The front-line search (need + nearby + age) on PostgreSQL/PostGIS, on OUR data and OUR questions.

The search issue's target is "raw p95 ≤ 1.5 × the PostGIS figure on the same data". The official
peer (shared/tools/peer_postgis.py) runs PostGIS on its own flat toy data (one need, one point per
service); this runs it on what bench/search.py measures our FalkorDB search on, so the two compare:

- data: the demo city with N services (seed 1, as bench/search.py), parsed, flattened into search
  sites exactly as the load does (`loaders.search_sites.search_site_rows`: one row per located
  location of a service, one without a point for a service reached only through its service areas),
  COPY'd into a table with a geography point (GiST), the direct need terms (text[], GIN) and the
  service-area extent keys (text[], GIN), then ANALYZEd;
- questions: bench/search.py's own `questions()` (20 warm-up, 300 timed), the same seed;
- answer: what our search answers: the distinct services with a site tagged with the need or a
  term below it, whose age limits admit the resident, and which is within 5 km of the point or
  belongs to a service whose service area covers it; their total count, and the first 20 ordered
  by their nearest such site's distance (no site with a point last), ties by service id.

The need closure (from demo.taxonomy.NEED_TERMS) and the extent keys covering the point
(`domain.geo.AreaIndex.covering_keys`, as our search does in Python, cached) are worked out
before the clock starts; their Python cost is reported apart. Each question is timed end to end
from Python: one statement, execute + fetchall, over a Unix socket with psycopg 3 (which prepares a
statement after its fifth use, as a driver would). Several SQL formulations are first measured
side by side (each question asked of all of them in turn, so that other work on the machine weighs
on them alike); the fastest by p95 is then measured alone, each question once, as bench/search.py
measures ours: that is the PostGIS figure. All are reported. The server runs with
`jit = off`: PostGIS declares its functions costly, so at 100k services the planner's estimate
for the busier questions passes jit_above_cost and it would JIT-compile what are index lookups of
a millisecond or so — a setting anyone serving this query would make.

Prerequisites (Debian): apt-get install -y postgresql-15 postgresql-15-postgis-3
                 (pip):  pip install "psycopg[binary]"   (into the project's venv)
It starts its own throwaway PostgreSQL server on a free port in a temporary directory (as the
postgres user when run as root) and stops it on exit.

Run: python bench/search_postgis.py [N ...]        (default: 10000 100000)
Writes bench/results/search_postgis.json and prints a table (with bench/results/search.json's
total counts alongside, where that file has the same size, to check both answer the same).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import arguments  # bench/arguments.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = Path(__file__).parent / "results" / "search_postgis.json"
OURS = Path(__file__).parent / "results" / "search.json"
PG_BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"), Path("/usr/local/bin"))
SERVER_SETTINGS = {"jit": "off", "listen_addresses": "''"}
INSTALL_HINT = ('install PostgreSQL 15 with PostGIS 3 (Debian: apt-get install -y postgresql-15 '
                'postgresql-15-postgis-3) and psycopg 3 into the venv (pip install "psycopg[binary]")')


def _bench_search() -> ModuleType:
    """bench/search.py as a module (bench is not a package): its questions and statistics."""
    spec = importlib.util.spec_from_file_location("bench_search", Path(__file__).parent / "search.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


BENCH = _bench_search()
SEED: int = BENCH.SEED
PAGE: int = BENCH.PAGE
RADIUS_M: float = BENCH.RADIUS_KM * 1000

Params = dict[str, Any]  # one question as SQL parameters: terms, keys, lat, lon, age, meters, page


def _log(message: str) -> None:
    print(f"[search_postgis bench] {message}", file=sys.stderr, flush=True)


def _fail(message: str) -> None:
    print(f"search_postgis: {message}", file=sys.stderr)
    sys.exit(2)


# ---------------------------------------------------------------- the SQL

_FILTER = """needs && %(terms)s::text[]
      AND (min_age IS NULL OR min_age <= %(age)s) AND (max_age IS NULL OR max_age >= %(age)s)"""
_POINT = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography"
_PAGE_OF_HITS = """SELECT service, d, count(*) OVER () AS total FROM hits
ORDER BY d NULLS LAST, service LIMIT %(page)s"""


def _group_window(spheroid: bool) -> str:
    """One pass over the matching sites (the planner ORs the point and area indexes), the nearest
    site per service, then the page with the count of all rows as a window."""
    s = "true" if spheroid else "false"
    return f"""WITH hits AS (
  SELECT service, min(ST_Distance(geog, {_POINT}, {s})) AS d
  FROM sites
  WHERE {_FILTER}
    AND (ST_DWithin(geog, {_POINT}, %(meters)s, {s}) OR area_keys && %(keys)s::text[])
  GROUP BY service)
{_PAGE_OF_HITS}"""


def _union_branches(spheroid: bool) -> str:
    """The near sites and the covered sites as two index-friendly branches, merged per service."""
    s = "true" if spheroid else "false"
    return f"""WITH matched AS (
  SELECT service, ST_Distance(geog, {_POINT}, {s}) AS d FROM sites
  WHERE {_FILTER} AND ST_DWithin(geog, {_POINT}, %(meters)s, {s})
  UNION ALL
  SELECT service, ST_Distance(geog, {_POINT}, {s}) AS d FROM sites
  WHERE {_FILTER} AND area_keys && %(keys)s::text[]
), hits AS (SELECT service, min(d) AS d FROM matched GROUP BY service)
{_PAGE_OF_HITS}"""


def _distinct_on(spheroid: bool) -> str:
    """Each service's nearest matching site by DISTINCT ON, then the page and the window count."""
    s = "true" if spheroid else "false"
    return f"""WITH hits AS (
  SELECT DISTINCT ON (service) service, ST_Distance(geog, {_POINT}, {s}) AS d
  FROM sites
  WHERE {_FILTER}
    AND (ST_DWithin(geog, {_POINT}, %(meters)s, {s}) OR area_keys && %(keys)s::text[])
  ORDER BY service, d NULLS LAST)
{_PAGE_OF_HITS}"""


# name → SQL. Sphere = PostGIS's mean-radius sphere (6371008.8 m), the haversine our search uses;
# spheroid = WGS 84, PostGIS's default for geography and what the official peer measured.
FORMULATIONS: dict[str, str] = {
    "group_window_sphere": _group_window(spheroid=False),
    "group_window_spheroid": _group_window(spheroid=True),
    "union_branches_sphere": _union_branches(spheroid=False),
    "distinct_on_sphere": _distinct_on(spheroid=False),
}
REFERENCE = "group_window_sphere"  # the others' answers are checked against this one's

SCHEMA = """
CREATE TABLE sites (
  id text PRIMARY KEY,
  service text COLLATE "C" NOT NULL,
  location text,
  geog geography(Point, 4326),
  min_age int,
  max_age int,
  needs text[] NOT NULL,
  area_keys text[] NOT NULL
)"""
INDEXES = (
    "CREATE INDEX sites_geog ON sites USING gist (geog)",
    "CREATE INDEX sites_needs ON sites USING gin (needs)",
    "CREATE INDEX sites_area_keys ON sites USING gin (area_keys)",
)


# ---------------------------------------------------------------- the server

def _pg_bin(name: str) -> Path:
    for directory in PG_BIN_DIRS:
        if (directory / name).exists():
            return directory / name
    found = shutil.which(name)
    if found is None:
        _fail(f"{name} not found (looked in {', '.join(map(str, PG_BIN_DIRS))} and PATH): {INSTALL_HINT}")
    return Path(str(found))


def _as_postgres(cmd: Sequence[str]) -> list[str]:
    """PostgreSQL refuses to run as root: drop to the postgres user when we are root."""
    return ["su", "postgres", "-c", shlex.join(cmd)] if os.geteuid() == 0 else list(cmd)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server in a temporary directory (Unix socket only); yields its DSN."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    tmp = Path(tempfile.mkdtemp(prefix="bench-postgis-"))
    os.chmod(tmp, 0o777)  # the postgres user writes here when we run as root
    pgdata, port = tmp / "pg", _free_port()
    options = " ".join([f"-p {port}", f"-k {tmp}", *(f"-c {k}={v}" for k, v in SERVER_SETTINGS.items())])
    started = False
    try:
        try:
            subprocess.run(_as_postgres([str(initdb), "-D", str(pgdata), "-A", "trust", "-U", "postgres",
                                         "-E", "UTF8", "--locale=C"]), check=True, stdout=subprocess.DEVNULL)
            subprocess.run(_as_postgres([str(pg_ctl), "-D", str(pgdata), "-o", options, "-l", str(tmp / "pg.log"),
                                         "-w", "start"]), check=True, stdout=subprocess.DEVNULL)
        except subprocess.CalledProcessError as exc:
            log = tmp / "pg.log"
            tail = log.read_text()[-3000:] if log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start ({exc}):\n{tail}") from exc
        started = True
        yield f"host={tmp} port={port} dbname=postgres user=postgres"
    finally:
        if started:
            subprocess.run(_as_postgres([str(pg_ctl), "-D", str(pgdata), "-m", "fast", "-w", "stop"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(tmp, ignore_errors=True)


def versions(conn: Any) -> dict[str, str]:
    row = conn.execute("SELECT current_setting('server_version'), PostGIS_Lib_Version(), "
                       "PostGIS_GEOS_Version(), PostGIS_PROJ_Version()").fetchone()
    return {"postgresql": row[0], "postgis": row[1], "geos": row[2], "proj": row[3]}


def ensure_postgis(conn: Any) -> None:
    import psycopg

    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg.Error as exc:
        _fail(f"the postgis extension is not available ({exc.__class__.__name__}: {exc}): {INSTALL_HINT}")


# ---------------------------------------------------------------- the data

def demo_sites(services: int, directory: Path) -> tuple[list[dict[str, Any]], list[tuple[str, str]], float]:
    """(search-site rows, (service-area id, extent) pairs, seconds) of the demo city with N services."""
    from demo.generator import generate_demo
    from loaders.hsds import parse_hsds
    from loaders.search_sites import search_site_rows

    t = time.perf_counter()
    generate_demo(directory, services=services, seed=SEED)
    plan = parse_hsds(directory).plan
    rows = list(search_site_rows(plan))
    areas = [(row["id"], str(row["props"]["extent"])) for row in plan.nodes.get("ServiceArea", {}).values()
             if row["props"].get("extent")]
    return rows, areas, time.perf_counter() - t


def load_sites(conn: Any, rows: Iterable[Mapping[str, Any]]) -> float:
    """A fresh `sites` table: COPY, indexes, ANALYZE. Returns the seconds taken."""
    conn.execute("DROP TABLE IF EXISTS sites")
    t = time.perf_counter()
    conn.execute(SCHEMA)
    with conn.cursor() as cur, cur.copy(
            "COPY sites (id, service, location, geog, min_age, max_age, needs, area_keys) FROM STDIN") as copy:
        for r in rows:
            point = None if r["latitude"] is None else f"SRID=4326;POINT({r['longitude']} {r['latitude']})"
            copy.write_row((r["id"], r["service"], r.get("location"), point, r["minAge"], r["maxAge"],
                            list(r["needs"]), list(r["areaKeys"])))
    for statement in INDEXES:
        conn.execute(statement)
    conn.execute("ANALYZE sites")
    return time.perf_counter() - t


def need_closures() -> dict[str, list[str]]:
    """Each need term → itself and every term below it (as `services.search.need_terms` on the graph)."""
    from demo.taxonomy import NEED_TERMS

    children: dict[str, list[str]] = {}
    for term in NEED_TERMS:
        if term.parent_id:
            children.setdefault(term.parent_id, []).append(term.id)

    def below(term_id: str) -> Iterator[str]:
        yield term_id
        for child in children.get(term_id, ()):
            yield from below(child)

    return {t.id: sorted(set(below(t.id))) for t in NEED_TERMS}


def question_params(qs: Sequence[Mapping[str, Any]],
                    areas: Iterable[tuple[str, str]]) -> tuple[list[Params], list[float]]:
    """The questions as SQL parameters, and the Python seconds per question spent on covering keys."""
    from domain.geo import AreaIndex
    from domain.search_model import GeoPoint

    closures, index = need_closures(), AreaIndex(areas)
    out, prep = [], []
    for q in qs:
        t = time.perf_counter()
        keys = index.covering_keys(GeoPoint(q["latitude"], q["longitude"]))
        prep.append(time.perf_counter() - t)
        out.append({"terms": closures[q["need"]], "keys": keys, "lat": q["latitude"], "lon": q["longitude"],
                    "age": q["age"], "meters": RADIUS_M, "page": PAGE})
    return out, prep


# ---------------------------------------------------------------- the measurement

def ask(conn: Any, sql: str, params: Params) -> tuple[float, int, list[str]]:
    """(seconds, total count, the page's service ids) for one question, end to end from Python."""
    t = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    elapsed = time.perf_counter() - t
    return elapsed, (int(rows[0][2]) if rows else 0), [r[0] for r in rows]


def measure(conn: Any, sql: str, warmup: Sequence[Params], timed: Sequence[Params]) -> dict[str, Any]:
    """One formulation alone, each question once, as bench/search.py asks ours: the headline figure."""
    for p in warmup:
        ask(conn, sql, p)
    answers = [ask(conn, sql, p) for p in timed]
    return {**BENCH.ms_summary([a[0] for a in answers]), "total_count": count_summary([a[1] for a in answers]),
            "seconds": [a[0] for a in answers]}


def compare(conn: Any, formulations: Mapping[str, str], warmup: Sequence[Params],
            timed: Sequence[Params]) -> dict[str, dict[str, Any]]:
    """All formulations on each question in turn (who goes first rotates), so that other work on the
    machine weighs on them alike; each one's summary and how often it answers as REFERENCE does."""
    names = list(formulations)
    for name in names:
        for p in warmup:
            ask(conn, formulations[name], p)
    answers: dict[str, list[tuple[float, int, list[str]]]] = {name: [] for name in names}
    for i, p in enumerate(timed):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            answers[name].append(ask(conn, formulations[name], p))
    reference = [a[1:] for a in answers[REFERENCE]]
    return {name: {**BENCH.ms_summary([a[0] for a in got]),
                   "same_answer_as_reference": sum(1 for a, b in zip(got, reference, strict=True) if a[1:] == b)}
            for name, got in answers.items()}


def count_summary(totals: Sequence[int]) -> dict[str, int]:
    return {"p50": BENCH.pct(totals, 50), "p95": BENCH.pct(totals, 95), "max": max(totals),
            "zero": sum(1 for n in totals if n == 0)}


def plan_of(conn: Any, sql: str, params: Params) -> str:
    """The plan PostgreSQL ran for one question (for the record: which indexes it used)."""
    with conn.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, params)
        return "\n".join(r[0] for r in cur.fetchall())


def run_size(conn: Any, services: int) -> dict[str, Any]:
    asked = BENCH.questions(BENCH.WARMUP + BENCH.QUESTIONS)
    with tempfile.TemporaryDirectory(prefix="bench-postgis-data-") as tmp:
        _log(f"{services:,} services: generating and parsing")
        rows, areas, build_s = demo_sites(services, Path(tmp))
    _log(f"{len(rows):,} search sites; loading")
    load_s = load_sites(conn, rows)
    params, prep = question_params(asked, areas)
    warmup, timed = params[:BENCH.WARMUP], params[BENCH.WARMUP:]
    _log(f"{len(FORMULATIONS)} formulations, interleaved")
    results = compare(conn, FORMULATIONS, warmup, timed)
    for name, r in results.items():
        _log(f"  {name}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, {r['same_answer_as_reference']} same answers")
    fastest = min(results, key=lambda name: (results[name]["p95_ms"], results[name]["p50_ms"]))
    _log(f"{fastest} alone")
    best = measure(conn, FORMULATIONS[fastest], warmup, timed)
    seconds = best.pop("seconds")
    slowest = max(range(len(timed)), key=lambda i: seconds[i])
    return {
        "services": services, "sites": len(rows), "located_sites": sum(1 for r in rows if r["latitude"] is not None),
        "questions": len(timed), "warmup": len(warmup), "generate_and_parse_s": round(build_s, 1),
        "load_s": round(load_s, 2), "formulation": fastest,
        **{k: best[k] for k in ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms")},
        "total_count": best["total_count"],
        "python_covering_keys": BENCH.ms_summary(prep[BENCH.WARMUP:]),
        "formulations": results,
        "plan_of_slowest_question": plan_of(conn, FORMULATIONS[fastest], timed[slowest]),
    }


# ---------------------------------------------------------------- main

def _require_psycopg() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _fail(f'psycopg 3 is not installed; install it with: {sys.executable} -m pip install "psycopg[binary]"')


def _our_totals() -> dict[int, dict[str, Any]]:
    """bench/results/search.json's total counts by size (our search's answers), where present."""
    try:
        runs = json.loads(OURS.read_text())["runs"]
    except (OSError, ValueError, KeyError):
        return {}
    return {int(r["services"]): r.get("total_count", {}) for r in runs}


def print_table(rows: Sequence[Mapping[str, Any]]) -> None:
    ours = _our_totals()
    header = ("services", "sites", "load s", "p50 / p95 / p99 ms", "formulation", "totalCount p50 / p95",
              "ours (search.json) p50 / p95")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for r in rows:
        mine, theirs = r["total_count"], ours.get(r["services"], {})
        print(f"{r['services']:,} | {r['sites']:,} | {r['load_s']:.1f} | "
              f"{r['p50_ms']:.3f} / {r['p95_ms']:.3f} / {r['p99_ms']:.3f} | {r['formulation']} | "
              f"{mine['p50']} / {mine['p95']} | {theirs.get('p50', '–')} / {theirs.get('p95', '–')}")
    print()
    for r in rows:
        print(f"formulations at {r['services']:,} (same answer as {REFERENCE} out of {r['questions']}):")
        for name, f in r["formulations"].items():
            print(f"  {name}: p50 {f['p50_ms']:.3f} ms, p95 {f['p95_ms']:.3f} ms, p99 {f['p99_ms']:.3f} ms "
                  f"({f['same_answer_as_reference']} same)")
        print(f"  (Python, covering extent keys before the SQL: p50 {r['python_covering_keys']['p50_ms']} ms)")


def main(sizes: list[int]) -> None:
    _require_psycopg()
    import psycopg

    load_average = os.getloadavg()
    rows = []
    with postgres_server() as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        ensure_postgis(conn)
        server = versions(conn)
        settings = {k: conn.execute(f"SELECT current_setting('{k}')").fetchone()[0]  # type: ignore[index]
                    for k in ("jit", "shared_buffers", "work_mem", "max_parallel_workers_per_gather")}
        for services in sizes:
            rows.append(run_size(conn, services))
    print_table(rows)
    print(f"machine: {os.cpu_count()} cores; PostgreSQL {server['postgresql']}, PostGIS {server['postgis']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "search_postgis", "machine_cores": os.cpu_count() or 0,
        "load_average_at_start": [round(x, 2) for x in load_average],
        "command": f"python bench/search_postgis.py {' '.join(map(str, sizes))}",
        "versions": server, "server_settings": settings,
        "question": {"count": BENCH.QUESTIONS, "warmup": BENCH.WARMUP, "seed": SEED, "radius_m": RADIUS_M,
                     "first": PAGE, "same_as": "bench/search.py questions()"},
        "formulations_sql": FORMULATIONS, "reference_formulation": REFERENCE,
        "runs": rows,
    }, indent=2) + "\n")
    print(f"wrote {RESULTS}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = arguments.parser(__file__, __doc__)
    arguments.add_sizes(parser, "flatten into search sites and ask on PostGIS, one table each")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main(parse_args().sizes or list(arguments.DEFAULT_SIZES))
