"""`safetynet load mapped FILE… --mapping MAP.yaml`: any directory CSV, through a mapping (docs/mapping.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from cli.common import database, err, fail, out
from cli.load import (
    DatasetOpt,
    DryRunOpt,
    MaxRejectsOpt,
    ReadProgress,
    RejectsOpt,
    ReplaceOpt,
    SkipOpt,
    StrictOpt,
    _print_join,
    load_app,
    run_load,
    skipping,
)
from graph.settings import get_settings
from loaders.load import default_dataset_id
from loaders.plan import NodesReady

if TYPE_CHECKING:
    from loaders.join_to_graph import JoinSummary
    from loaders.mapped import MappedResult


@load_app.command("mapped")
def load_mapped(
    files: Annotated[list[Path], typer.Argument(help="The CSV files the mapping names (by file name).")],
    mapping: Annotated[Path, typer.Option("--mapping", help="The mapping file (YAML; docs/mapping.md).")],
    replace: ReplaceOpt = False, strict: StrictOpt = False, dataset_id: DatasetOpt = None, dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False, rejects: RejectsOpt = None, max_rejects: MaxRejectsOpt = None,
) -> None:
    """Load CSV files of any layout as HSDS 3.0 through a mapping: which objects each row makes (organizations,
    services, locations, addresses, phones, schedules, languages, taxonomy tags) and where each field comes
    from. A mistake in the mapping is reported as MAP.yaml:LINE before any data is read; the rows are then
    validated and written as `load hsds` does, with hours, languages and eligibility read from text and service
    areas joined to the planning areas already loaded."""
    from loaders.area_matching import read_areas
    from loaders.join_to_graph import join_to_graph
    from loaders.mapped import MappingError, parse_mapped, read_mapping

    for path in [mapping, *files]:
        if not path.exists():
            fail(f"{path} does not exist", code=1)
    try:
        named = read_mapping(mapping).dataset
    except MappingError as exc:
        _mapping_failed(exc)
    dataset = dataset_id or named or default_dataset_id(mapping)
    skip = skipping(skip_invalid, rejects, max_rejects, dataset)
    parsed: list[MappedResult] = []
    joined: list[JoinSummary] = []
    with database(get_settings()) as db:
        areas = read_areas(db)

        def parse(progress: ReadProgress, on_nodes: NodesReady | None) -> MappedResult:
            try:
                result = parse_mapped(files, mapping, namespace=dataset, on_progress=progress)
            except MappingError as exc:
                _mapping_failed(exc)
            if not result.report.errors or skip is not None:  # what a skipped record brought goes with it after
                joined.append(join_to_graph(result.plan, areas))
            parsed.append(result)
            return result

        try:
            run_load(None if dry_run else db, files[0], parse, dataset_id=dataset, replace=replace, strict=strict,
                     dry_run=dry_run, skip=skip)
        finally:
            _summary(parsed, joined)


def _summary(parsed: list[MappedResult], joined: list[JoinSummary]) -> None:
    if joined:
        _print_join(joined[0])
    if parsed:
        result = parsed[0]
        out.print(f"{result.tags:,} taxonomy tags; {result.unplaced:,} location(s) without coordinates (loaded "
                  "without a point: found only through service areas, not by distance)", highlight=False)


def _mapping_failed(exc: Exception) -> NoReturn:
    for problem in getattr(exc, "problems", [str(exc)]):
        err.print(f"[red]error:[/] {problem}", highlight=False)
    fail("the mapping has mistakes (above): nothing was read or loaded. Fix the mapping and load again; "
         "docs/mapping.md describes every key.", code=1)
