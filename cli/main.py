"""`safetynet`: run the API, load data, manage the embedded database, generate demo data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli.common import database, fail, out
from cli.export import export_app
from cli.keys import keys_app
from cli.load import load_app, run_load
from cli.load_mapped import load_mapped  # noqa: F401  (registers `load mapped` on load_app)
from graph import embedded, neo4j_embedded, neo4j_launcher
from graph.engine import GraphEngine
from graph.errors import BadDatabaseUri, DatabaseUnavailable
from graph.settings import DatabaseSettings, get_settings
from graph.supervisor import Supervisor, supervising, supervisor_pid
from graph.uri import EMBEDDED, Kind, parse_db_uri
from services import inventory, loading
from services.loading import AreaProperties, LoadOptions

if TYPE_CHECKING:
    from demo.planning import PlanningSummary

app = typer.Typer(
    help="Safety Net Graph: a knowledge graph of a community's human services, served as a GraphQL API.\n\n"
    "The database is chosen by SAFETYNET_DB: embedded://PATH (default embedded://.safetynet: FalkorDB, started for "
    "you), embedded-neo4j://PATH (a local Neo4j 5.26 Community, started for you; needs Java 17+ and Maven), "
    "falkordb://HOST:PORT, or bolt://… / neo4j://… for a Neo4j 5 you run (with SAFETYNET_DB_USER, "
    "SAFETYNET_DB_PASSWORD).",
    no_args_is_help=True, rich_markup_mode="rich", pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the database: the embedded server's lifecycle, and what the graph holds.",
                     no_args_is_help=True)
generate_app = typer.Typer(help="Generate datasets.", no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(db_app, name="db")
app.add_typer(generate_app, name="generate")
app.add_typer(keys_app, name="keys")
app.add_typer(export_app, name="export")

def _embedded_dir(settings: DatabaseSettings) -> tuple[Kind, Path]:
    """Which embedded engine SAFETYNET_DB names (embedded:// or embedded-neo4j://), and its directory."""
    try:
        target = parse_db_uri(settings.db)
    except BadDatabaseUri as exc:
        fail(str(exc))
    if target.kind not in EMBEDDED or target.path is None:
        fail(f"SAFETYNET_DB={settings.db} is not an embedded database; `db start|stop` manage only embedded://PATH "
             "and embedded-neo4j://PATH")
    return target.kind, target.path


# ---------------------------------------------------------------- serve / demo

def _serve(settings: DatabaseSettings, host: str, port: int, db: GraphEngine | None = None, workers: int = 1) -> None:
    """Serve until SIGINT/SIGTERM, the embedded database supervised. With `workers` > 1, that many API processes
    share the port (uvicorn's own supervisor restarts one that dies), each with its own connection to the engine
    this process started (or found) and supervises: they find it running and leave it so."""
    import uvicorn

    from api.app import create_app
    from api.serving import uvicorn_config
    from api.settings import get_api_settings

    api_settings = get_api_settings()  # the database's, and the API's own (limits, timeouts, GraphiQL's files…)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal to the handler it
    # found: make that an orderly exit, so the caller closes the database (and stops an embedded
    # server it started) instead of the process dying on the spot.
    signal.signal(signal.SIGTERM, _exit_quietly)
    out.print(f"GraphiQL: [link]http://{host}:{port}/graphql[/link]   health: http://{host}:{port}/healthz")
    target = parse_db_uri(settings.db)
    supervisor = supervising(target.kind, target.path, settings)
    if supervisor is not None:
        out.print("The embedded database is supervised: restarted if it dies or stops answering.")
    try:
        with suppress(KeyboardInterrupt):
            if workers > 1:
                from uvicorn.supervisors import Multiprocess

                config = uvicorn_config("api.app:create_app", api_settings, host, port, factory=True, workers=workers)
                out.print(f"{workers} API processes")
                Multiprocess(config, sockets=[config.bind_socket()]).run()  # stops them on SIGINT/SIGTERM
            else:
                uvicorn.Server(uvicorn_config(create_app(api_settings, engine=db), api_settings, host, port)).run()
    finally:
        if supervisor is not None:
            supervisor.stop()


def _exit_quietly(signum: int, frame: object) -> None:
    raise SystemExit(0)


MAX_WORKERS = 64  # a typo (--workers 1000) must not fork a thousand processes
HostOpt = Annotated[str, typer.Option(help="Interface to listen on.")]
PortOpt = Annotated[int, typer.Option(help="Port to listen on.")]


@app.command()
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000,
          workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help="API processes sharing the port, each "
                                                                            "with its own connection to the one engine "
                                                                            "(bench/search.py --workers 1,2 measures "
                                                                            "one against two).")] = 1) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql) on the configured database."""
    settings = get_settings()
    with database(settings) as db:
        _serve(settings, host, port, db, workers=workers)


@app.command()
def demo(
    host: HostOpt = "127.0.0.1", port: PortOpt = 8000,
    services: Annotated[int, typer.Option(help="How many demo services to generate.")] = 400,
    seed: Annotated[int, typer.Option(help="Random seed of the generator (same seed, same data).")] = 7,
) -> None:
    """Generate the demo city's data (services, ward areas, agency ties, referral counts), load it (replacing a
    previous demo load) and serve the API."""
    from demo.generator import generate_demo
    from demo.planning import write_planning_files

    settings = get_settings()
    target = parse_db_uri(settings.db)
    base = target.path if target.kind in EMBEDDED and target.path else Path(".safetynet").resolve()
    data = base / "demo-data"
    with database(settings) as db:
        summary = generate_demo(data, services=services, seed=seed)
        planning = write_planning_files(data, seed=seed)
        out.print(f"Generated {summary.services:,} services of {summary.organizations:,} organizations in {data}")
        out.print(f"Generated {planning.areas} ward areas, {planning.ties:,} agency ties and {planning.referrals:,} "
                  f"referral events in {planning.folder}")
        _load_demo(db, data, planning)
        _serve(settings, host, port, db)


def _load_demo(db: GraphEngine, data: Path, planning: PlanningSummary) -> None:
    """Load the demo city as `safetynet load hsds|areas|ties|referrals --replace` would, each under its own dataset
    id, in the order they look each other up (the referrals name the areas)."""
    from demo.planning import AREA_KIND, REFERRALS_DATASET, TIES_DATASET

    hsds, areas = LoadOptions("demo", replace=True), LoadOptions(planning.area_namespace, replace=True)
    ties, referrals = LoadOptions(TIES_DATASET, replace=True), LoadOptions(REFERRALS_DATASET, replace=True)
    run_load(db, data, hsds, None, lambda progress: loading.load_hsds(db, data, hsds, progress))
    run_load(db, planning.areas_path, areas, None, lambda progress: loading.load_areas(
        db, planning.areas_path, areas, AreaProperties(kind=AREA_KIND), progress))
    run_load(db, planning.ties_path, ties, None,
             lambda progress: loading.load_ties(db, planning.ties_path, ties, progress))
    run_load(db, planning.referrals_path, referrals, None,
             lambda progress: loading.load_referrals(db, planning.referrals_path, referrals, progress))


# ---------------------------------------------------------------- db

@db_app.command("start")
def db_start() -> None:
    """Start the embedded server for SAFETYNET_DB's directory and leave it running."""
    settings = get_settings()
    kind, data_dir = _embedded_dir(settings)
    info: embedded.ServerInfo | neo4j_embedded.ServerInfo
    try:
        if kind == "embedded-neo4j":
            info, started = neo4j_embedded.start(data_dir, settings)
        else:
            info, started = embedded.start(data_dir)
    except DatabaseUnavailable as exc:
        fail(str(exc))
    out.print(f"{'started' if started else 'already running'}: pid {info.pid}, port {info.port}, data {data_dir}")
    if settings.supervise and supervisor_pid(data_dir) is None:
        _spawn_supervisor(data_dir)


def _spawn_supervisor(data_dir: Path) -> None:
    """`safetynet db supervise` in the background, for the server `db start` leaves running: it restarts the
    server when it dies or stops answering, and exits when `db stop` stops it. Its log is DIR/supervisor.log."""
    log_file = data_dir / "supervisor.log"
    with open(log_file, "ab") as log:  # noqa: PTH123 - a file handle for the child
        subprocess.Popen([sys.executable, "-m", "cli", "db", "supervise"], stdin=subprocess.DEVNULL, stdout=log,
                         stderr=log, start_new_session=True, env=os.environ.copy())
    deadline = time.monotonic() + 10
    while supervisor_pid(data_dir) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = supervisor_pid(data_dir)
    out.print(f"supervised by pid {pid} (log {log_file})" if pid else
              f"[yellow]warning:[/] the supervisor did not start; see {log_file}")


@db_app.command("supervise")
def db_supervise() -> None:
    """Keep the embedded server running (`db start` runs this in the background): restart it when it dies or does
    not answer for SAFETYNET_HUNG_AFTER_S seconds; exit when it is stopped on purpose (`db stop`)."""
    import logging

    settings = get_settings()
    kind, data_dir = _embedded_dir(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    supervisor = Supervisor("embedded-neo4j" if kind == "embedded-neo4j" else "embedded", data_dir, settings)
    if not supervisor.run():
        out.print(f"another process supervises {data_dir} already (pid {supervisor_pid(data_dir)})")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded server (its data is saved to disk first)."""
    kind, data_dir = _embedded_dir(get_settings())
    stopped = neo4j_embedded.stop(data_dir) if kind == "embedded-neo4j" else embedded.stop(data_dir)
    out.print("stopped" if stopped else f"not running (data {data_dir})")


@db_app.command("status")
def db_status() -> None:
    """Say whether the embedded server runs, and where."""
    kind, data_dir = _embedded_dir(get_settings())
    info = neo4j_embedded.status(data_dir) if kind == "embedded-neo4j" else embedded.status(data_dir)
    if info is None:
        out.print(f"not running (data {data_dir})")
        raise typer.Exit(3)
    watcher = supervisor_pid(data_dir)
    out.print(f"running: pid {info.pid}, port {info.port}, data {data_dir}; "
              + (f"supervised by pid {watcher}" if watcher else "not supervised"))


@db_app.command("build-neo4j")
def db_build_neo4j() -> None:
    """Build the embedded Neo4j's launcher now (Java 17+ and Maven; the first `embedded-neo4j://` use does
    it otherwise), e.g. while setting up a machine or CI."""
    try:
        folder = neo4j_launcher.ensure_built()
    except neo4j_launcher.LauncherUnavailable as exc:
        fail(str(exc))
    out.print(f"built: Neo4j {neo4j_launcher.neo4j_version()} launcher in {folder}", highlight=False)


@db_app.command("stats")
def db_stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False) -> None:
    """Node counts per label and relationship counts per type."""
    with database(get_settings()) as db:
        stats = inventory.graph_stats(db)
    if as_json:
        sys.stdout.write(json.dumps(stats.model_dump(), indent=2, sort_keys=True) + "\n")
        return
    for title, counts in (("label", stats.labels), ("relationship type", stats.relationships)):
        table = Table(title=f"count per {title}")
        table.add_column(title)
        table.add_column("count", justify="right")
        for name, count in sorted(counts.items()):
            table.add_row(name, f"{count:,}")
        out.print(table)


# ---------------------------------------------------------------- generate

@generate_app.command("demo")
def generate_demo_command(
    out_dir: Annotated[Path, typer.Argument(metavar="OUT", help="Folder to write the HSDS 3.0 CSV package to (and "
                                                                "its planning files to OUT/planning).")],
    services: Annotated[int, typer.Option(help="How many services (organizations, locations … scale with it).")] = 400,
    seed: Annotated[int, typer.Option(help="Random seed (same seed and size, byte-identical output).")] = 7,
) -> None:
    """Generate the fictional city's HSDS 3.0 dataset, with ward areas, agency ties and referral events for
    planners (deterministic)."""
    from demo.generator import generate_demo
    from demo.planning import AREA_KIND, REFERRALS_DATASET, TIES_DATASET, write_planning_files

    if services < 1:
        fail("--services must be at least 1", code=1)
    summary = generate_demo(out_dir, services=services, seed=seed)
    planning = write_planning_files(out_dir, seed=seed)
    out.print(f"wrote {summary.records:,} records ({summary.services:,} services, "
              f"{summary.organizations:,} organizations, {summary.locations:,} locations) to {out_dir}")
    out.print(f"wrote planning files to {planning.folder}: {planning.areas} ward areas, {planning.ties:,} agency "
              f"ties ({len(planning.isolates)} agencies without any; police and housing tied only through "
              f"{planning.broker_name}), {planning.referrals:,} referral events. After `safetynet load hsds "
              f"{out_dir}`, load them with:", highlight=False)
    for command in (
        f"safetynet load areas {planning.areas_path} --dataset-id {planning.area_namespace} --kind {AREA_KIND}",
        f"safetynet load ties {planning.ties_path} --dataset-id {TIES_DATASET}",
        f"safetynet load referrals {planning.referrals_path} --dataset-id {REFERRALS_DATASET}",
    ):
        out.print(f"  {command}", highlight=False, markup=False)


from cli import db_backup  # noqa: E402, F401  (registers `db backup` and `db restore` on db_app)
