"""`safetynet load mapped FILE… --mapping MAP.yaml`: any directory CSV, through a mapping (docs/mapping.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import database, fail, out
from cli.load import (
    DatasetOpt,
    DryRunOpt,
    MaxRejectsOpt,
    RejectsOpt,
    ReplaceOpt,
    SkipOpt,
    StrictOpt,
    fail_on_mapping,
    load_app,
    load_options,
    run_load,
)
from graph.settings import get_settings
from loaders.mapped import MappingError
from services import loading


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
    for path in [mapping, *files]:
        if not path.exists():
            fail(f"{path} does not exist", code=1)
    try:
        named = loading.mapping_dataset(mapping)
    except MappingError as exc:
        fail_on_mapping(exc)
    options, rejects_at = load_options(mapping, dataset_id, named=named, replace=replace, strict=strict,
                                       dry_run=dry_run, skip_invalid=skip_invalid, rejects=rejects,
                                       max_rejects=max_rejects)
    with database(get_settings()) as db:
        try:
            loaded = run_load(db, files[0], options, rejects_at,
                              lambda progress: loading.load_mapped(db, files, mapping, options, progress))
        except MappingError as exc:
            fail_on_mapping(exc)
    out.print(f"{loaded.details['tags']:,} taxonomy tags; {loaded.details['unplaced']:,} location(s) without "
              "coordinates (loaded without a point: found only through service areas, not by distance)",
              highlight=False)
