"""One load, end to end: parse and validate everything, then write all of it or nothing."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from graph.engine import GraphEngine
from loaders.plan import GraphPlan
from loaders.report import LoadRejected, Problem, Report
from loaders.writer import total_rows, write_plan

WriteProgress = Callable[[int, int], None]  # (rows written, rows in the load)


class Parsed(Protocol):
    """What a format's parser hands over: the plan, the problems, and how many records it read."""

    @property
    def plan(self) -> GraphPlan: ...
    @property
    def report(self) -> Report: ...
    @property
    def format(self) -> str: ...
    @property
    def records(self) -> int: ...


@dataclass
class LoadResult:
    dataset_id: str
    format: str
    records: int
    counts: dict[str, int]
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    written: bool = True

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def default_dataset_id(path: Path) -> str:
    """A stable id from the source's name: `hsds-examples` for `…/hsds-examples/` or `x.json`."""
    stem = path.resolve().name if path.is_dir() else path.stem
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-").lower() or "dataset"


def load_parsed(
    db: GraphEngine | None, parsed: Parsed, *, dataset_id: str, path: Path, strict: bool = False,
    replace: bool = False, dry_run: bool = False, on_write: WriteProgress | None = None,
    started: float | None = None,
) -> LoadResult:
    """Write `parsed` unless it has errors (or warnings, when strict): then raise LoadRejected and
    write nothing. `dry_run` validates and reports only (no database needed)."""
    started = time.perf_counter() if started is None else started
    report = parsed.report.strict() if strict else parsed.report
    if report.errors:
        raise LoadRejected(report)
    result = LoadResult(dataset_id, parsed.format, parsed.records, parsed.plan.counts(), report.warnings,
                        written=not dry_run)
    if not dry_run:
        if db is None:
            raise ValueError("a database is needed unless dry_run")
        total = total_rows(parsed.plan)
        write_plan(db, parsed.plan, dataset_id=dataset_id, fmt=parsed.format, path=str(path), replace=replace,
                   warnings=len(report.warnings),
                   on_progress=(lambda done: on_write(done, total)) if on_write else None)
    result.seconds = time.perf_counter() - started
    return result
