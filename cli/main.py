"""`safetynet`: run the API, load data, manage the embedded database, generate demo data."""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.keys import keys_app
from graph import embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.errors import BadDatabaseUri, Conflict, DatabaseUnavailable
from graph.settings import Settings, get_settings
from graph.uri import parse_db_uri
from loaders.load import LoadResult, default_dataset_id, load_source
from loaders.plan import NodesReady
from loaders.report import LoadRejected
from queries import reads

app = typer.Typer(
    help="Safety Net Graph: a knowledge graph of a community's human services, served as a GraphQL API.\n\n"
    "The database is chosen by SAFETYNET_DB: embedded://PATH (default embedded://.safetynet, started for you), "
    "falkordb://HOST:PORT, or bolt://… / neo4j://… for Neo4j 5 (with SAFETYNET_DB_USER, SAFETYNET_DB_PASSWORD).",
    no_args_is_help=True, rich_markup_mode="rich", pretty_exceptions_enable=False,
)
load_app = typer.Typer(help="Load source data into the graph (validated first: on any error nothing is written).",
                       no_args_is_help=True)
db_app = typer.Typer(help="Manage the database: the embedded server's lifecycle, and what the graph holds.",
                     no_args_is_help=True)
generate_app = typer.Typer(help="Generate datasets.", no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(db_app, name="db")
app.add_typer(generate_app, name="generate")
app.add_typer(keys_app, name="keys")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def _database(settings: Settings) -> Iterator[GraphEngine]:
    """The engine for the command, with database errors turned into messages (not tracebacks)."""
    try:
        db = connect(settings)
    except (DatabaseUnavailable, BadDatabaseUri) as exc:
        _fail(str(exc))
    try:
        yield db
    except DatabaseUnavailable as exc:
        _fail(str(exc))
    finally:
        db.close()


def _embedded_dir(settings: Settings) -> Path:
    try:
        target = parse_db_uri(settings.db)
    except BadDatabaseUri as exc:
        _fail(str(exc))
    if target.kind != "embedded" or target.path is None:
        _fail(f"SAFETYNET_DB={settings.db} is not an embedded database; `db start|stop` manage only embedded://PATH")
    return target.path


# ---------------------------------------------------------------- serve / demo

def _serve(settings: Settings, host: str, port: int, db: GraphEngine | None = None) -> None:
    import uvicorn

    from api.app import create_app

    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal to the handler it
    # found: make that an orderly exit, so the caller closes the database (and stops an embedded
    # server it started) instead of the process dying on the spot.
    signal.signal(signal.SIGTERM, _exit_quietly)
    out.print(f"GraphiQL: [link]http://{host}:{port}/graphql[/link]   health: http://{host}:{port}/healthz")
    with suppress(KeyboardInterrupt):
        uvicorn.run(create_app(settings, engine=db), host=host, port=port, log_level="info")


def _exit_quietly(signum: int, frame: object) -> None:
    raise SystemExit(0)


HostOpt = Annotated[str, typer.Option(help="Interface to listen on.")]
PortOpt = Annotated[int, typer.Option(help="Port to listen on.")]


@app.command()
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql) on the configured database."""
    settings = get_settings()
    with _database(settings) as db:
        _serve(settings, host, port, db)


@app.command()
def demo(
    host: HostOpt = "127.0.0.1", port: PortOpt = 8000,
    services: Annotated[int, typer.Option(help="How many demo services to generate.")] = 400,
    seed: Annotated[int, typer.Option(help="Random seed of the generator (same seed, same data).")] = 7,
) -> None:
    """Generate the demo city's data, load it (replacing a previous demo load) and serve the API."""
    from demo.generator import generate_demo

    settings = get_settings()
    target = parse_db_uri(settings.db)
    base = target.path if target.kind == "embedded" and target.path else Path(".safetynet").resolve()
    data = base / "demo-data"
    with _database(settings) as db:
        summary = generate_demo(data, services=services, seed=seed)
        out.print(f"Generated {summary.services:,} services of {summary.organizations:,} organizations in {data}")
        _load_hsds(db, data, dataset_id="demo", replace=True, strict=False, dry_run=False)
        _serve(settings, host, port, db)


# ---------------------------------------------------------------- load

def _print_result(result: LoadResult, show_warnings: int = 30) -> None:
    table = Table(title=f"dataset {result.dataset_id} ({result.format})" + ("" if result.written else " — dry run"))
    table.add_column("nodes / relationships")
    table.add_column("count", justify="right")
    for name, count in sorted(result.counts.items()):
        table.add_row(name, f"{count:,}")
    out.print(table)
    for problem in result.warnings[:show_warnings]:
        err.print(f"[yellow]warning:[/] {problem}", highlight=False)
    if len(result.warnings) > show_warnings:
        err.print(f"[yellow]… and {len(result.warnings) - show_warnings} more warnings[/]")
    verb = "loaded" if result.written else "validated (nothing written)"
    out.print(f"{result.records:,} records {verb} in {result.seconds:.2f} s "
              f"({result.records_per_second:,.0f} records/s), {len(result.warnings)} warning(s)")


def _load_hsds(db: GraphEngine | None, path: Path, *, dataset_id: str, replace: bool, strict: bool,
               dry_run: bool) -> LoadResult:
    from loaders.hsds import ParseResult, parse_hsds

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    started = time.perf_counter()
    try:
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
            reading = progress.add_task(f"reading {path.name}", total=None)
            writing = progress.add_task("writing", total=None, visible=not dry_run)

            def parse(on_nodes: NodesReady | None) -> ParseResult:
                parsed = parse_hsds(path, on_nodes=on_nodes, on_progress=lambda file, records: progress.update(
                    reading, description=f"reading {file}", completed=records))
                progress.update(reading, total=parsed.records, completed=parsed.records,
                                description="read and validated")
                return parsed

            result = load_source(db, parse, dataset_id=dataset_id, path=path, strict=strict, replace=replace,
                                 dry_run=dry_run, started=started,
                                 on_write=lambda done, total: progress.update(writing, completed=done, total=total))
    except LoadRejected as exc:
        for problem in exc.report.errors:
            err.print(f"[red]error:[/] {problem}", highlight=False)
        for problem in exc.report.warnings:
            err.print(f"[yellow]warning:[/] {problem}", highlight=False)
        _fail(f"{len(exc.report.errors)} error(s) in {path}: nothing was loaded. Fix them"
              + (" (or drop --strict to accept warnings)" if strict else "") + " and load again.", code=1)
    except (FileNotFoundError, ValueError) as exc:
        _fail(str(exc), code=1)
    except Conflict as exc:
        _fail(str(exc))
    _print_result(result)
    return result


@load_app.command("hsds")
def load_hsds(
    path: Annotated[Path, typer.Argument(help="A folder of HSDS 3.0 CSVs (tabular package), or a JSON/NDJSON "
                                              "file or folder of full service objects.")],
    replace: Annotated[bool, typer.Option(help="First remove what the previous load of this dataset id brought.")
                       ] = False,
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors.")] = False,
    dataset_id: Annotated[str | None, typer.Option(help="Provenance id of this load (default: the source's "
                                                         "name).")] = None,
    dry_run: Annotated[bool, typer.Option(help="Validate and report only; write nothing.")] = False,
) -> None:
    """Load Open Referral HSDS 3.0 data. Errors abort the load with file:row:field messages."""
    if not path.exists():
        _fail(f"{path} does not exist", code=1)
    dataset = dataset_id or default_dataset_id(path)
    if dry_run:
        _load_hsds(None, path, dataset_id=dataset, replace=replace, strict=strict, dry_run=True)
        return
    with _database(get_settings()) as db:
        _load_hsds(db, path, dataset_id=dataset, replace=replace, strict=strict, dry_run=False)


# ---------------------------------------------------------------- db

@db_app.command("start")
def db_start() -> None:
    """Start the embedded server for SAFETYNET_DB's directory and leave it running."""
    data_dir = _embedded_dir(get_settings())
    try:
        info, started = embedded.start(data_dir)
    except DatabaseUnavailable as exc:
        _fail(str(exc))
    out.print(f"{'started' if started else 'already running'}: pid {info.pid}, port {info.port}, data {data_dir}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded server (its data is saved to disk first)."""
    data_dir = _embedded_dir(get_settings())
    out.print("stopped" if embedded.stop(data_dir) else f"not running (data {data_dir})")


@db_app.command("status")
def db_status() -> None:
    """Say whether the embedded server runs, and where."""
    data_dir = _embedded_dir(get_settings())
    info = embedded.status(data_dir)
    if info is None:
        out.print(f"not running (data {data_dir})")
        raise typer.Exit(3)
    out.print(f"running: pid {info.pid}, port {info.port}, data {data_dir}")


@db_app.command("stats")
def db_stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False) -> None:
    """Node counts per label and relationship counts per type."""
    with _database(get_settings()) as db:
        stats = reads.graph_stats(db)
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
    out_dir: Annotated[Path, typer.Argument(metavar="OUT", help="Folder to write the HSDS 3.0 CSV package to.")],
    services: Annotated[int, typer.Option(help="How many services (organizations, locations … scale with it).")] = 400,
    seed: Annotated[int, typer.Option(help="Random seed (same seed and size, byte-identical output).")] = 7,
) -> None:
    """Generate the fictional city's HSDS 3.0 dataset (deterministic)."""
    from demo.generator import generate_demo

    if services < 1:
        _fail("--services must be at least 1", code=1)
    summary = generate_demo(out_dir, services=services, seed=seed)
    out.print(f"wrote {summary.records:,} records ({summary.services:,} services, "
              f"{summary.organizations:,} organizations, {summary.locations:,} locations) to {out_dir}")
