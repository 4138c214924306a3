"""`safetynet db backup OUT` and `safetynet db restore IN`: the graph to one portable file and back (graph.backup).

Registered on `db_app` by cli/main.py importing this module (at its end, once `db_app` exists)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.common import database, err, fail, out
from cli.main import db_app
from graph import backup as graph_backup
from graph.errors import Conflict
from graph.settings import DatabaseSettings, get_settings
from graph.uri import parse_db_uri
from services import inventory

BACKUP_SHORT = "Back up the whole graph, online, to one file (not for bolt://… servers)."
BACKUP_HELP = (
    "Back up the whole graph, online, to one file: every node and relationship with its properties, as one version "
    "of the graph. A load that commits meanwhile makes the backup start again, so a backup never mixes two versions "
    "(and never makes a load wait).\n\n"
    "The file is gzip'd JSON lines (readable only by you) with a header (format version, engine, graph version, "
    "counts) and a SHA-256 of its content; `safetynet db restore` reads it into either engine.\n\n"
    "For a Neo4j server (bolt://, neo4j://) it prints the `neo4j-admin database dump` command line to use instead, "
    "and does nothing."
)
RESTORE_SHORT = "Restore a backup of `safetynet db backup` (into an empty database, or --force)."
RESTORE_HELP = (
    "Restore a backup made by `safetynet db backup` (from either engine) into the database SAFETYNET_DB names.\n\n"
    "The whole file is checked first (its format version, its SHA-256, its counts): a damaged, foreign or newer file "
    "is refused before anything is written. The restore is one unit, written as a load is: readers see the old "
    "graph or the restored one, and on any failure the database is left as it was. The database must be empty "
    "unless --force.\n\n"
    "For a Neo4j server (bolt://, neo4j://) it prints the `neo4j-admin database load` command line to use instead, "
    "and does nothing."
)


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)


def _refuse_neo4j_server(settings: DatabaseSettings, command: str, path: Path) -> None:
    """A Neo4j server someone runs (bolt://, neo4j://) is backed up with Neo4j's own tool: say how, and stop."""
    if parse_db_uri(settings.db).kind != "neo4j":
        return
    name = settings.neo4j_database or "neo4j"
    folder = path.resolve().parent
    if command == "backup":
        line = f"neo4j stop && neo4j-admin database dump {name} --to-path={folder} && neo4j start"
        what = f"it writes {folder / (name + '.dump')}"
    else:
        line = (f"neo4j stop && neo4j-admin database load {name} --from-path={folder} --overwrite-destination=true "
                "&& neo4j start")
        what = f"it reads {folder / (name + '.dump')}"
    err.print(f"[bold red]error:[/] `safetynet db {command}` works on the embedded databases (embedded://, "
              f"embedded-neo4j://) and FalkorDB servers; SAFETYNET_DB={settings.db} is a Neo4j server, whose own "
              "tool makes a consistent copy of its store, indexes and constraints included. On the server's machine, "
              "as the user Neo4j runs as (Community Edition dumps and loads only a stopped Neo4j), run:",
              highlight=False)
    err.print(f"  {line}", highlight=False, markup=False)
    err.print(f"({what}; with docker compose, stop the neo4j service and run the neo4j-admin command in a "
              "`docker compose run --rm neo4j …` container.) Nothing was done.", highlight=False, markup=False)
    raise typer.Exit(2)


def _counts_table(header: graph_backup.Header, title: str) -> Table:
    table = Table(title=title)
    table.add_column("label / relationship type")
    table.add_column("count", justify="right")
    for name, count in (*header.nodes.items(), *header.relationships.items()):
        table.add_row(name, f"{count:,}")
    return table


@db_app.command("backup", help=BACKUP_HELP, short_help=BACKUP_SHORT)
def db_backup(
    out_file: Annotated[Path, typer.Argument(metavar="OUT", help="The backup file to write (e.g. "
                                             "safetynet-2026-12-07.jsonl.gz); it must not exist yet.")],
) -> None:
    """Back up the whole graph, online, to one file (see BACKUP_HELP)."""
    settings = get_settings()
    _refuse_neo4j_server(settings, "backup", out_file)
    with database(settings) as db, _progress() as progress:
        task = progress.add_task(f"backing up to {out_file.name}", total=None)
        try:
            header = graph_backup.backup(
                db, out_file, version=inventory.graph_version,
                on_start=lambda total: progress.update(task, total=total, completed=0),
                on_progress=lambda done: progress.update(task, completed=done))
        except graph_backup.BackupError as exc:
            fail(str(exc), code=1)
    out.print(_counts_table(header, f"backed up (graph version {header.graph_version})"))
    out.print(f"wrote {header.records:,} records to {out_file} ({out_file.stat().st_size:,} bytes)", highlight=False)


@db_app.command("restore", help=RESTORE_HELP, short_help=RESTORE_SHORT)
def db_restore(
    in_file: Annotated[Path, typer.Argument(metavar="IN", help="A file written by `safetynet db backup`.")],
    force: Annotated[bool, typer.Option("--force", help="Replace everything the database holds with the backup "
                                                        "(without it, a database that is not empty is refused).")]
    = False,
) -> None:
    """Restore a backup into an empty database, or replace everything with --force (see RESTORE_HELP)."""
    settings = get_settings()
    _refuse_neo4j_server(settings, "restore", in_file)
    try:
        header = graph_backup.verify(in_file)
    except graph_backup.BackupError as exc:
        fail(str(exc), code=1)
    with database(settings) as db, _progress() as progress:
        task = progress.add_task(f"restoring {in_file.name}", total=header.records)
        try:
            graph_backup.restore(db, in_file, force=force, version=inventory.graph_version,
                                 on_progress=lambda done: progress.update(task, completed=done))
        except graph_backup.NotEmpty as exc:
            fail(str(exc), code=1)
        except graph_backup.BackupError as exc:
            fail(str(exc), code=1)
        except Conflict as exc:
            fail(f"{exc}; nothing was restored", code=1)
    out.print(_counts_table(header, f"restored (graph version {header.graph_version}, backed up "
                                    f"{header.created} from {header.engine})"))
    out.print(f"restored {header.records:,} records from {in_file}", highlight=False)
