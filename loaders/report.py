"""Problems found while reading a source, reported as `file:row:field: message`.

A problem about one record names it (`record`: the source's kind and id, as a data steward would look
it up; `node`: the plan node it becomes, `(label, id)`), so `--skip-invalid` can leave that record out
and load the rest (loaders.skipping). A problem that names no record (an unreadable file, a missing
column) stops the load even then.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace


class Severity(enum.Enum):
    ERROR = "error"  # aborts the load; nothing is written
    WARNING = "warning"  # the record loads (maybe without the bad value); --strict makes it an error


@dataclass(frozen=True, order=True)
class Problem:
    """One problem at a place in a source file.

    `row` is the 1-based data row for CSV (the header is row 1, so the first record is row 2) and
    the 1-based record number (or NDJSON line) for JSON; 0 when the problem is about the whole
    file. `field` is the column or JSON field name, or "" when about the whole row.
    """

    file: str
    row: int
    field: str
    message: str
    severity: Severity = Severity.ERROR
    record: tuple[str, str] | None = None  # (kind, id) of the record it is about, in the source's own words
    node: tuple[str, str] | None = None  # (label, id) of the plan node that record becomes

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.field}: {self.message}"


@dataclass
class Report:
    """Everything found while reading one source; errors and warnings in the order found."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, file: str, row: int, field: str, message: str, *, record: tuple[str, str] | None = None,
              node: tuple[str, str] | None = None) -> None:
        self.problems.append(Problem(file, row, field, message, Severity.ERROR, record, node))

    def warning(self, file: str, row: int, field: str, message: str, *, record: tuple[str, str] | None = None,
                node: tuple[str, str] | None = None) -> None:
        self.problems.append(Problem(file, row, field, message, Severity.WARNING, record, node))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def strict(self) -> Report:
        """The same report with every warning promoted to an error (`--strict`)."""
        return Report([replace(p, severity=Severity.ERROR) for p in self.problems])


class LoadRejected(Exception):
    """A source had errors: nothing was written. Carries the full report."""

    def __init__(self, report: Report, *, whole_file: bool = False) -> None:
        self.report = report
        self.whole_file = whole_file  # under --skip-invalid: problems that name no record, which cannot be skipped
        errors = report.errors
        head = "\n".join(str(p) for p in errors[:20])
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        why = " (they are about the file, not one record, so --skip-invalid cannot skip them)" if whole_file else ""
        super().__init__(f"{len(errors)} error(s){why}; nothing was loaded:\n{head}{more}")
