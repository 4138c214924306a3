"""`safetynet export …`: the graph written out in a standard format."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from cli.common import database, err, fail, out
from graph.settings import get_settings
from services.settings import get_service_settings

export_app = typer.Typer(help="Export the graph in a standard format.", no_args_is_help=True)


@export_app.command("hsds")
def export_hsds_command(
    out_dir: Annotated[Path, typer.Argument(
        metavar="OUT", help="Folder to write to: created, and it must be empty if it exists.")],
    fmt: Annotated[str, typer.Option(
        "--format", help="csv: the HSDS 3.0 tabular data package (one CSV per HSDS table and datapackage.json). "
                         "json: services.ndjson, one full HSDS service object per line (organization, sites, "
                         "locations, phones, schedules, attributes… nested), and organizations.ndjson for "
                         "organizations without services. JSON holds only the taxonomy terms that tag something.",
    )] = "csv",
    staff: Annotated[bool, typer.Option(
        "--staff", help="Include what only staff may see (private phone numbers and addresses, staff-only records). "
                        "HSDS cannot mark them private: the export then holds them like any other value, so it is "
                        "written readable by you only (folder 0700, files 0600); share it only with staff. Default: "
                        "the public view, exactly what the public HSDS API shows.",
    )] = False,
) -> None:
    """Export the graph as an Open Referral HSDS 3.0 dataset, readable by `safetynet load hsds OUT` and by other
    HSDS tools. Every dataset loaded is exported together; provenance (which load brought a record) and values the
    project derived itself are not HSDS fields and are left out."""
    from services.hsds.export import ExportError, check_target, export_hsds

    try:
        check_target(out_dir, fmt)
    except ExportError as exc:
        fail(str(exc), code=1)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with database(get_settings()) as db, Progress(*columns, console=err, transient=True,
                                                  disable=not err.is_terminal) as progress:
        tasks: dict[str, TaskID] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(f"exporting {stage}", total=total)
            progress.update(tasks[stage], completed=done, total=total)

        try:
            summary = export_hsds(db, out_dir, fmt="json" if fmt == "json" else "csv", staff=staff,
                                  on_progress=on_progress)
        except ExportError as exc:
            fail(str(exc), code=1)
        except OSError as exc:
            fail(f"cannot write to {out_dir}: {exc.strerror or exc}", code=1)
    table = Table(title=f"HSDS 3.0 {summary.format} export ({'staff' if staff else 'public'} view)")
    table.add_column("file")
    table.add_column("records" if summary.format == "json" else "rows", justify="right")
    for name in summary.files:
        if name in summary.rows:
            table.add_row(name, f"{summary.rows[name]:,}")
    out.print(table)
    if summary.left_out:
        err.print(f"[yellow]warning:[/] {summary.left_out:,} services left out: their organization is staff-only "
                  "(export with --staff to include them)", highlight=False)
    out.print(f"{summary.services:,} services exported to {summary.folder} in {summary.seconds:.2f} s "
              f"({summary.services_per_second:,.0f} services/s)", highlight=False)


@export_app.command("snapshots")
def export_snapshots_command(
    role: Annotated[str, typer.Option(
        "--role", help="public: what the HSDS API shows without a key; staff: what it shows staff; both.",
    )] = "both",
    summary: Annotated[bool, typer.Option(
        "--summary/--no-summary", help="Also build the documents of `/hsds/services?format=ndjson` without "
                                       "full=true (each service with its organization's and program's own fields).",
    )] = False,
) -> None:
    """Build the HSDS API's ready-made service documents for the graph as it is now, so that
    `/hsds/services/{id}` and the full NDJSON export (`/hsds/services?format=ndjson&full=true`) answer from
    them instead of walking the graph. Run it after a load: the API otherwise builds them during the first
    such export after each load (every load makes the previous ones stale). They are kept in
    SAFETYNET_HSDS_SNAPSHOT_DIR (default: PATH/hsds-snapshots for embedded://PATH)."""
    from domain.roles import Role
    from services.hsds.snapshots import Shape, SnapshotStore, audience_of, build

    if role not in ("public", "staff", "both"):
        fail(f"--role must be public, staff or both, not {role!r}", code=2)
    callers = [Role.PUBLIC, Role.STAFF] if role == "both" else [Role.STAFF if role == "staff" else Role.PUBLIC]
    audiences = [audience_of(caller) for caller in callers]
    shapes: list[Shape] = ["full", "summary"] if summary else ["full"]
    settings = get_service_settings()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with database(settings) as db, Progress(*columns, console=err, transient=True,
                                            disable=not err.is_terminal) as progress:
        store = SnapshotStore.of(settings, db)
        if store.root is None:
            fail("SAFETYNET_HSDS_SNAPSHOTS is off, so the API would not use them: unset it to build them", code=1)
        for audience in audiences:
            for shape in shapes:
                task = progress.add_task(f"{audience} {shape} documents", total=None)

                def on_progress(done: int, total: int, task: TaskID = task) -> None:
                    progress.update(task, completed=done, total=total)

                started = time.perf_counter()
                try:
                    documents = build(db, store, audience, shape, on_progress=on_progress)
                except OSError as exc:
                    fail(f"cannot write to {store.root}: {exc.strerror or exc}", code=1)
                if documents is None:
                    fail("the graph changed while the documents were built (a load ran): run this again", code=1)
                out.print(f"{audience} {shape}: {documents:,} services ready "
                          f"({time.perf_counter() - started:.1f} s)", highlight=False)
        out.print(f"kept in {store.root}", highlight=False)
