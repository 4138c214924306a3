"""`safetynet load …`: one command per source format. The loading itself is services.loading; this module turns
options into `LoadOptions`, draws progress bars, and prints the outcome, the problems and the exit status."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.common import database, err, fail, out
from graph.engine import GraphEngine
from graph.errors import Conflict
from graph.settings import get_settings
from loaders.load import LoadResult, TooManyRejects, default_dataset_id
from loaders.rejects import MaxRejects, write_rejects
from loaders.report import LoadRejected
from loaders.skipping import Skipped
from services import loading
from services.loading import AreaProperties, Loaded, LoadOptions, LoadProgress
from services.settings import get_service_settings

if TYPE_CHECKING:
    from loaders.join_to_graph import JoinSummary

load_app = typer.Typer(
    help="Load source data into the graph. Everything is validated first: on any error nothing is written and "
    "each problem is reported as file:row:field: message (exit status 1). With --skip-invalid, each invalid record "
    "and all that depends on it is left out, listed in a rejects report, and the rest is loaded (exit status 3 "
    "when any was left out, 0 when none). Loading the same dataset id again is idempotent; --replace first "
    "removes what its previous load brought.",
    no_args_is_help=True,
)

ReplaceOpt = Annotated[bool, typer.Option(help="First remove what the previous load of this dataset id brought.")]
StrictOpt = Annotated[bool, typer.Option(help="Treat warnings as errors.")]
DatasetOpt = Annotated[str | None, typer.Option(help="Provenance id of this load (default: the source's name). "
                                                     "Ids of 211, Ohana and mapped records are prefixed with it.")]
DryRunOpt = Annotated[bool, typer.Option(help="Validate and report only; write nothing.")]
SkipOpt = Annotated[bool, typer.Option(
    "--skip-invalid", help="Load every record that is valid on its own; leave out each invalid one and all that "
    "depends on it (a site of a missing agency, the phones of a skipped service), listed with why in the rejects "
    "report. Exit status 3 when any was left out.")]
RejectsOpt = Annotated[Path | None, typer.Option(
    "--rejects", help="Where --skip-invalid writes its rejects report (CSV: file,row,field,severity,message,"
    "record_kind,record_id; one line per record left out). Default: DATASET.rejects.csv in the current folder.")]
MaxRejectsOpt = Annotated[str | None, typer.Option(
    "--max-rejects", help="With --skip-invalid: refuse the whole load when more records would be left out than "
    "this: a number (50) or a share of the records read (5%). A truncated or misread file then loads nothing.")]
ExitWithRejects = 3  # loaded, with records left out (--skip-invalid)


def load_options(path: Path, dataset_id: str | None, *, replace: bool, strict: bool, dry_run: bool,
                 skip_invalid: bool, rejects: Path | None, max_rejects: str | None,
                 named: str | None = None) -> tuple[LoadOptions, Path | None]:
    """The command line's options, checked (a usage error exits with status 2), and where the rejects report
    goes (None without --skip-invalid). The dataset id defaults to `named` (a mapping's), else the source's name."""
    if not path.exists():
        fail(f"{path} does not exist", code=1)
    dataset = dataset_id or named or default_dataset_id(path)
    if not skip_invalid:
        if rejects is not None or max_rejects is not None:
            fail("--rejects and --max-rejects go with --skip-invalid", code=2)
        return LoadOptions(dataset, replace=replace, strict=strict, dry_run=dry_run), None
    try:
        limit = MaxRejects.parse(max_rejects) if max_rejects is not None else None
    except ValueError as exc:
        fail(str(exc), code=2)
    options = LoadOptions(dataset, replace=replace, strict=strict, dry_run=dry_run, skip_invalid=True,
                          max_rejects=limit)
    return options, rejects or Path(f"{dataset}.rejects.csv")


@contextmanager
def progress_bars(path: Path, *, writing: bool) -> Iterator[LoadProgress]:
    """Bars for reading and writing, drawn on a terminal only."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        reading = progress.add_task(f"reading {path.name}", total=None)
        written = progress.add_task("writing", total=None, visible=writing)
        yield LoadProgress(
            reading=lambda file, records: progress.update(reading, description=f"reading {file}", completed=records),
            read=lambda records: progress.update(reading, total=records, completed=records,
                                                 description="read and validated"),
            writing=lambda done, total: progress.update(written, completed=done, total=total),
        )


def run_load(db: GraphEngine | None, path: Path, options: LoadOptions, rejects: Path | None,
             load: Callable[[LoadProgress], Loaded]) -> Loaded:
    """Run `load` with progress bars and say how it went: problems become messages and exit codes (1 when
    nothing was loaded; 3 when --skip-invalid left records out, after writing the rejects report)."""
    try:
        with progress_bars(path, writing=not options.dry_run) as progress:
            loaded = load(progress)
    except LoadRejected as exc:
        for problem in exc.report.errors:
            err.print(f"[red]error:[/] {problem}", highlight=False)
        for problem in exc.report.warnings:
            err.print(f"[yellow]warning:[/] {problem}", highlight=False)
        if exc.whole_file:
            fail(f"{len(exc.report.errors)} error(s) in {path} are about the file, not one record, so --skip-invalid "
                 "cannot leave them out: nothing was loaded. Fix them and load again.", code=1)
        fail(f"{len(exc.report.errors)} error(s) in {path}: nothing was loaded. Fix them"
             + (" (or drop --strict to accept warnings)" if options.strict else "")
             + " and load again, or load what is valid with --skip-invalid.", code=1)
    except TooManyRejects as exc:
        assert rejects is not None
        write_rejects(rejects, exc.skipped.records())
        _print_skipped(exc.skipped, written=False)
        fail(f"{exc} The records it would leave out are listed in {rejects}.", code=1)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc), code=1)
    except Conflict as exc:
        fail(str(exc))
    result = loaded.result
    _print_result(result)
    if loaded.join is not None:
        _print_join(loaded.join)
    if result.written and db is not None and loading.hsds_documents_stale(db, get_service_settings()):
        out.print("The HSDS API's ready-made documents are of the graph before this load: run "
                  "`safetynet export snapshots` to rebuild them (until then the API walks the graph).", highlight=False)
    if rejects is not None:
        records = result.skipped.records() if result.skipped else {}
        write_rejects(rejects, records)
        out.print(f"rejects report: {rejects} ({len(records):,} record(s) left out)", highlight=False)
        if records:
            if options.replace and result.written:
                out.print("With --replace, a record left out now is no longer in the graph, even if an earlier "
                          "load of this dataset had it: the graph holds what this file holds.", highlight=False)
            raise typer.Exit(ExitWithRejects)
    return loaded


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
    if result.skipped is not None:
        _print_skipped(result.skipped, written=result.written)
    verb = "loaded" if result.written else "validated (nothing written)"
    out.print(f"{result.records:,} records {verb} in {result.seconds:.2f} s "
              f"({result.records_per_second:,.0f} records/s), {len(result.warnings)} warning(s)")


def _print_skipped(skipped: Skipped, *, written: bool) -> None:
    table = Table(title="records left out (--skip-invalid)" if written else "records that would be left out")
    table.add_column("record kind")
    table.add_column("left out", justify="right")
    for kind, count in sorted(skipped.counts().items()):
        table.add_row(kind, f"{count:,}")
    out.print(table)


def _print_join(summary: JoinSummary) -> None:
    e, areas = summary.eligibility, summary.service_areas
    out.print(f"from eligibility text: {e.minimum_ages:,} minimum and {e.maximum_ages:,} maximum ages, "
              f"{e.tags:,} population tags on {e.tagged_services:,} services; {summary.residency_links:,} residency "
              f"links; {areas.matched:,} coverage areas matched to loaded areas; {summary.area_links:,} locations "
              "linked IN_AREA", highlight=False)
    if areas.ambiguous:
        err.print(f"[yellow]warning:[/] coverage areas that fit several loaded areas (not linked): "
                  f"{', '.join(areas.ambiguous[:10])}" + (" …" if len(areas.ambiguous) > 10 else ""), highlight=False)


def fail_on_mapping(exc: Exception) -> NoReturn:
    """A broken mapping (loaders.mapped.MappingError): each mistake, then exit status 1."""
    for problem in getattr(exc, "problems", [str(exc)]):
        err.print(f"[red]error:[/] {problem}", highlight=False)
    fail("the mapping has mistakes (above): nothing was read or loaded. Fix the mapping and load again; "
         "docs/mapping.md describes every key.", code=1)


# ---------------------------------------------------------------- HSDS

@load_app.command("hsds")
def load_hsds(
    path: Annotated[Path, typer.Argument(help="A folder of HSDS 3.0 CSVs (tabular package), or a JSON/NDJSON "
                                              "file or folder of full service objects.")],
    replace: ReplaceOpt = False, strict: StrictOpt = False, dataset_id: DatasetOpt = None, dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False, rejects: RejectsOpt = None, max_rejects: MaxRejectsOpt = None,
) -> None:
    """Load Open Referral HSDS 3.0 data."""
    from loaders.ohana import is_ohana_folder

    options, rejects_at = load_options(path, dataset_id, replace=replace, strict=strict, dry_run=dry_run,
                                       skip_invalid=skip_invalid, rejects=rejects, max_rejects=max_rejects)
    if path.is_dir() and is_ohana_folder(path):
        fail(f"{path} is an Ohana API CSV export, not HSDS 3.0: load it with `safetynet load ohana {path}`", code=1)
    if dry_run:  # HSDS needs nothing of the graph: no database for a dry run
        run_load(None, path, options, rejects_at, lambda progress: loading.load_hsds(None, path, options, progress))
        return
    with database(get_settings()) as db:
        run_load(db, path, options, rejects_at, lambda progress: loading.load_hsds(db, path, options, progress))


# ---------------------------------------------------------------- agency ties and referrals

@load_app.command("ties")
def load_ties(
    path: Annotated[Path, typer.Argument(help="CSV with columns from_org,to_org,type[,since,weight,source]; type "
                                              "one of REFERS_TO, PARTNERS_WITH, SHARES_DATA_WITH, FUNDS, MEMBER_OF.")],
    replace: ReplaceOpt = False, strict: StrictOpt = False, dataset_id: DatasetOpt = None, dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False, rejects: RejectsOpt = None, max_rejects: MaxRejectsOpt = None,
) -> None:
    """Load ties between agencies. Organizations are named by id or exact name (case and spacing aside); a
    MEMBER_OF target that is no organization (a situation table) becomes a collaborative."""
    options, rejects_at = load_options(path, dataset_id, replace=replace, strict=strict, dry_run=dry_run,
                                       skip_invalid=skip_invalid, rejects=rejects, max_rejects=max_rejects)
    with database(get_settings()) as db:  # even a dry run checks the file against the graph
        run_load(db, path, options, rejects_at, lambda progress: loading.load_ties(db, path, options, progress))


@load_app.command("referrals")
def load_referrals(
    path: Annotated[Path, typer.Argument(help="CSV of de-identified events: date,from_org,to_org_or_service,"
                                              "need_code,area_id,outcome (referred | unmet:<reason>).")],
    replace: ReplaceOpt = False, strict: StrictOpt = False, dataset_id: DatasetOpt = None, dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False, rejects: RejectsOpt = None, max_rejects: MaxRejectsOpt = None,
) -> None:
    """Load referral and unmet-need counts per month. Only the counts are stored, never the events; a file
    with columns or values that look like personal data is refused."""
    options, rejects_at = load_options(path, dataset_id, replace=replace, strict=strict, dry_run=dry_run,
                                       skip_invalid=skip_invalid, rejects=rejects, max_rejects=max_rejects)
    with database(get_settings()) as db:
        run_load(db, path, options, rejects_at, lambda progress: loading.load_referrals(db, path, options, progress))


# ---------------------------------------------------------------- planning areas

@load_app.command("areas")
def load_areas(
    path: Annotated[Path, typer.Argument(help="A GeoJSON FeatureCollection of WGS 84 (Multi)Polygons, one Feature "
                                              "per area.")],
    id_prop: Annotated[str | None, typer.Option(help="Property with each area's id (default: the Feature id, else "
                                                     "detected, e.g. AREA_SHORT_CODE).")] = None,
    name_prop: Annotated[str | None, typer.Option(help="Property with the name (default: detected, e.g. "
                                                       "AREA_NAME).")] = None,
    kind: Annotated[str, typer.Option(help="Kind of every area: neighbourhood, ward, district…")] = "neighbourhood",
    kind_prop: Annotated[str | None, typer.Option(help="Property giving each area's kind (wins over --kind where "
                                                       "set).")] = None,
    population_prop: Annotated[str | None, typer.Option(help="Property with the population (default: "
                                                             "`population` where present).")] = None,
    parent_prop: Annotated[str | None, typer.Option(help="Property naming each area's parent area (in this file "
                                                         "or loaded before).")] = None,
    parent_id: Annotated[str | None, typer.Option(help="Id of one area every area of the file lies within.")] = None,
    replace: ReplaceOpt = False, strict: StrictOpt = False, dataset_id: DatasetOpt = None, dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False, rejects: RejectsOpt = None, max_rejects: MaxRejectsOpt = None,
) -> None:
    """Load planning areas (neighbourhoods, wards) and link every located location in the graph IN_AREA.
    Invalid polygons are repaired with a warning. Load boundaries again with --replace when they change."""
    if parent_prop and parent_id:
        fail("give --parent-prop or --parent-id, not both", code=1)
    options, rejects_at = load_options(path, dataset_id, replace=replace, strict=strict, dry_run=dry_run,
                                       skip_invalid=skip_invalid, rejects=rejects, max_rejects=max_rejects)
    properties = AreaProperties(id_prop=id_prop, name_prop=name_prop, kind=kind, kind_prop=kind_prop,
                                population_prop=population_prop, parent_prop=parent_prop, parent_id=parent_id)
    with database(get_settings()) as db:
        run_load(db, path, options, rejects_at,
                 lambda progress: loading.load_areas(db, path, options, properties, progress))


# ---------------------------------------------------------------- 211 exports and Ohana sets

@load_app.command("ohana")
def load_ohana(
    path: Annotated[Path, typer.Argument(help="A folder of Ohana API CSVs (organizations.csv, locations.csv, "
                                              "services.csv, …) with its optional JSON category maps.")],
    replace: ReplaceOpt = False, strict: StrictOpt = False, dataset_id: DatasetOpt = None, dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False, rejects: RejectsOpt = None, max_rejects: MaxRejectsOpt = None,
) -> None:
    """Load an Ohana API CSV export (older 211 directories), with ages and populations read from its
    eligibility text and its areas joined to the planning areas already loaded."""
    options, rejects_at = load_options(path, dataset_id, replace=replace, strict=strict, dry_run=dry_run,
                                       skip_invalid=skip_invalid, rejects=rejects, max_rejects=max_rejects)
    with database(get_settings()) as db:
        run_load(db, path, options, rejects_at,
                 lambda progress: loading.load_directory_export(db, path, "ohana", options, progress))


@load_app.command("211")
def load_211(
    path: Annotated[Path, typer.Argument(help="A 211 resource-database export: one wide CSV whose rows are Agency, "
                                              "Site, Program and ProgramAtSite records (TaxonomyLevelName).")],
    replace: ReplaceOpt = False, strict: StrictOpt = False, dataset_id: DatasetOpt = None, dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False, rejects: RejectsOpt = None, max_rejects: MaxRejectsOpt = None,
) -> None:
    """Load a 211 export (iCarol/AIRS style): any column order, UTF-8 or Windows-1252, any line endings; hours read
    into schedules, AIRS codes into the taxonomy tree, private values kept for staff, ages and populations read
    from its eligibility text and its areas joined to the planning areas already loaded."""
    options, rejects_at = load_options(path, dataset_id, replace=replace, strict=strict, dry_run=dry_run,
                                       skip_invalid=skip_invalid, rejects=rejects, max_rejects=max_rejects)
    with database(get_settings()) as db:
        run_load(db, path, options, rejects_at,
                 lambda progress: loading.load_directory_export(db, path, "211", options, progress))
