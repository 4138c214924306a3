"""The rejects report of a `--skip-invalid` load, and `--max-rejects`.

The report is a CSV with one line per skipped record (its first problem's place; every message of the record,
joined), so a data steward can sort, filter and send it back to whoever keeps the source:
`file,row,field,severity,message,record_kind,record_id`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from loaders.report import Problem

COLUMNS = ("file", "row", "field", "severity", "message", "record_kind", "record_id")
_LIMIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")


@dataclass(frozen=True)
class MaxRejects:
    """`--max-rejects N` (records) or `P%` (of the records read): a load that would skip more is refused."""

    count: int | None = None
    percent: float | None = None

    @classmethod
    def parse(cls, text: str) -> MaxRejects:
        match = _LIMIT.match(text)
        if not match:
            raise ValueError(f"--max-rejects {text!r}: give a number of records (50) or a share of them (5%)")
        value, percent = match.groups()
        if percent:
            if float(value) > 100:
                raise ValueError(f"--max-rejects {text!r}: a share is at most 100%")
            return cls(percent=float(value))
        if "." in value:
            raise ValueError(f"--max-rejects {text!r}: a number of records is a whole number")
        return cls(count=int(value))

    def allowed(self, records_read: int) -> int:
        """How many records may be skipped out of `records_read`."""
        if self.percent is not None:
            return int(records_read * self.percent / 100)
        return self.count if self.count is not None else records_read

    def __str__(self) -> str:
        return f"{self.percent:g}%" if self.percent is not None else str(self.count)


def write_rejects(path: Path, records: dict[tuple[str, str], list[Problem]]) -> None:
    """Write the rejects report: one line per skipped record, in the order the records were found."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for (kind, record_id), problems in records.items():
            first = problems[0]
            fields = list(dict.fromkeys(p.field for p in problems if p.field))
            messages = list(dict.fromkeys(p.message for p in problems))
            writer.writerow([first.file, first.row, "|".join(fields), first.severity.value, "; ".join(messages),
                             kind, record_id])
