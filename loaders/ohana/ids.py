"""Graph ids of an Ohana dataset's records (`loaders.toolkit.ids`), and resolving the source ids that
reference them."""

from __future__ import annotations

from dataclasses import dataclass, field

from loaders.report import Report
from loaders.toolkit.ids import check_namespace


@dataclass
class Known:
    """The records of one kind read so far (source id -> graph id), and whether their file was read
    whole: a reference to an id that is not here then really dangles."""

    noun: str  # "location", for problems
    ids: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # source id -> the row it was read from
    bad: set[str] = field(default_factory=set)  # ids of records left out (reported): not reported again
    # Records with errors that never became nodes (a required value missing, an unusable row): source id -> the
    # graph id they would have. References resolve to it, so what depends on such a record names it in the plan
    # and goes with it under --skip-invalid (loaders.skipping), as it would with a record skipped for its errors.
    invalid: dict[str, str] = field(default_factory=dict)
    complete: bool = True

    def resolve(self, source_id: str, report: Report, file: str, row: int, column: str, *, required: bool,
                skipped: str = "link skipped") -> str | None:
        """The graph id a reference names; None (reported: an error when `required`, else a warning
        saying what is `skipped`) when it names no record."""
        found = self.ids.get(source_id) or self.invalid.get(source_id)
        if found is None and self.complete and source_id not in self.bad:
            if required:
                report.error(file, row, column, f"no {self.noun} with id {source_id!r}")
            else:
                report.warning(file, row, column, f"no {self.noun} with id {source_id!r}; {skipped}")
        return found


class Ids:
    """Makes the graph ids of one dataset."""

    def __init__(self, namespace: str) -> None:
        self.namespace = check_namespace(namespace)

    def __call__(self, kind: str, source_id: str) -> str:
        return f"{self.namespace}:{kind}:{source_id}"
