"""One load, end to end: parse and validate everything, and write all of it or nothing.

`load_parsed` writes a parsed source. `load_source` parses and writes at once: nodes the parser
declares final go to the database while it reads on (the database works on one core while
Python parses on the other); if the source turns out to have errors, the write is abandoned
and the graph is as it was, exactly as if nothing had been written.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from graph.engine import GraphEngine, Statement
from loaders.plan import GraphPlan, NodesReady
from loaders.rejects import MaxRejects
from loaders.report import LoadRejected, Problem, Report
from loaders.skipping import Skipped, skip_invalid
from loaders.writer import (
    BATCH_SIZE,
    FreshKinds,
    WriteScope,
    node_statements,
    once_more_after_restart,
    reporting,
    tail_statements,
    total_rows,
    write_plan,
)

WriteProgress = Callable[[int, int | None], None]  # (rows written, rows in the load once known)


class Parsed(Protocol):
    """What a format's parser hands over: the plan, the problems, and how many records it read. A parser may
    also hand over `origins` ({(label, id): loaders.skipping.Origin}): where each plan node came from, so the
    records skipped for depending on an invalid one are reported at their own row; and `requires`
    ((dependant, required) node pairs beyond loaders.skipping.REQUIRES)."""

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
    skipped: Skipped | None = None  # --skip-invalid: the records left out, with why

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def default_dataset_id(path: Path) -> str:
    """A stable id from the source's name: `hsds-examples` for `…/hsds-examples/` or `x.json`."""
    stem = path.resolve().name if path.is_dir() else path.stem
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-").lower() or "dataset"


class TooManyRejects(Exception):
    """`--skip-invalid` would leave out more records than `--max-rejects` allows: nothing was written."""

    def __init__(self, skipped: Skipped, allowed: int, limit: MaxRejects, records: int) -> None:
        self.skipped = skipped
        count = len(skipped.records())
        super().__init__(f"{count:,} of {records:,} records would be skipped, more than --max-rejects {limit} "
                         f"allows ({allowed:,}): nothing was loaded. Is it the right file, read with the right "
                         "delimiter and encoding?")


def load_parsed(
    db: GraphEngine | None, parsed: Parsed, *, dataset_id: str, path: Path, strict: bool = False,
    replace: bool = False, dry_run: bool = False, on_write: WriteProgress | None = None,
    started: float | None = None, skip: bool = False, max_rejects: MaxRejects | None = None,
) -> LoadResult:
    """Write `parsed` unless it has errors (or warnings, when strict): then raise LoadRejected and
    write nothing. With `skip` (--skip-invalid), the records the errors name are left out with all that
    depends on them (loaders.skipping) and the rest is written, unless an error names no record
    (LoadRejected) or more records would be left out than `max_rejects` allows (TooManyRejects).
    `dry_run` validates and reports only (no database needed)."""
    started = time.perf_counter() if started is None else started
    report = parsed.report.strict() if strict else parsed.report
    skipped: Skipped | None = None
    if report.errors and skip:
        skipped = skip_invalid(parsed.plan, report.errors, getattr(parsed, "origins", None),
                               getattr(parsed, "requires", ()))
        if skipped.unattributed:
            raise LoadRejected(Report(skipped.unattributed), whole_file=True)
        if max_rejects is not None:
            allowed = max_rejects.allowed(parsed.records)
            if len(skipped.records()) > allowed:
                raise TooManyRejects(skipped, allowed, max_rejects, parsed.records)
    elif report.errors:
        raise LoadRejected(report)
    warnings = report.warnings
    if skipped is not None:  # a skipped record's warnings say nothing of what was loaded
        gone = set(skipped.records())
        warnings = [w for w in warnings if w.record is None or w.record not in gone]
    result = LoadResult(dataset_id, parsed.format, parsed.records, parsed.plan.counts(), warnings,
                        written=not dry_run, skipped=skipped)
    if not dry_run:
        if db is None:
            raise ValueError("a database is needed unless dry_run")
        total = total_rows(parsed.plan)
        write_plan(db, parsed.plan, dataset_id=dataset_id, fmt=parsed.format, path=str(path), replace=replace,
                   warnings=len(report.warnings),
                   on_progress=(lambda done: on_write(done, total)) if on_write else None)
    result.seconds = time.perf_counter() - started
    return result


class LoadCancelled(Exception):
    """The load was interrupted before it finished; nothing was written."""


_ABORT = object()  # handed to the writer when reading the source failed


def load_source(
    db: GraphEngine | None, parse: Callable[[NodesReady | None], Parsed], *, dataset_id: str, path: Path,
    strict: bool = False, replace: bool = False, dry_run: bool = False, on_write: WriteProgress | None = None,
    started: float | None = None, batch_size: int = BATCH_SIZE, skip: bool = False,
    max_rejects: MaxRejects | None = None,
) -> LoadResult:
    """Parse (`parse(on_nodes)`) and write at once, with the guarantees of `load_parsed`: on
    errors (or warnings, when strict) LoadRejected is raised and the graph is left as it was. With `skip`
    nothing is written before the whole source is read: what is skipped is known only then."""
    started = time.perf_counter() if started is None else started
    if dry_run or db is None or skip:
        return load_parsed(db, parse(None), dataset_id=dataset_id, path=path, strict=strict, replace=replace,
                           dry_run=dry_run, on_write=on_write, started=started, skip=skip, max_rejects=max_rejects)
    handoff: queue.Queue[Any] = queue.Queue()
    cancelled = threading.Event()
    failures: list[BaseException] = []
    outcome: list[tuple[Parsed, Report]] = []
    total: list[int | None] = [None]  # rows of the load, once the plan is complete

    def statements() -> Iterator[Statement]:
        """Drawn inside write_atomic (lock held): nodes as the parser hands them over, then the rest."""
        assert db is not None
        scope = WriteScope(dataset_id, replace, FreshKinds(db, enabled=not replace))
        written: dict[str, int] = {}
        while isinstance(item := handoff.get(), tuple):
            label, nodes = item
            written[label] = len(nodes)
            rows = ({"id": rid, "props": props} for rid, props in nodes.items())
            yield from node_statements(db, label, rows, scope, batch_size=batch_size)
        if item is _ABORT:
            raise LoadCancelled("reading the source failed; nothing was written")
        parsed: Parsed = item
        report = parsed.report.strict() if strict else parsed.report
        if report.errors:
            raise LoadRejected(report)
        for label, count in written.items():
            if len(parsed.plan.nodes.get(label, {})) != count:
                raise RuntimeError(f"{label}: {count} nodes were handed over before the plan was complete, "
                                   f"but it has {len(parsed.plan.nodes.get(label, {}))}")
        outcome.append((parsed, report))
        total[0] = total_rows(parsed.plan)
        yield from tail_statements(db, parsed.plan, scope, fmt=parsed.format, path=str(path),
                                   warnings=len(report.warnings), written=written, batch_size=batch_size)

    def until_cancelled(stream: Iterator[Statement]) -> Iterator[Statement]:
        for statement in stream:
            if cancelled.is_set():
                raise LoadCancelled("the load was interrupted; nothing was written")
            yield statement

    def write() -> None:
        assert db is not None
        stream = until_cancelled(statements())
        try:
            db.write_atomic(reporting(stream, lambda done: on_write(done, total[0])) if on_write else stream)
        except BaseException as exc:  # noqa: BLE001 - handed over to the caller's thread
            failures.append(exc)

    writer = threading.Thread(target=write, name="load-writer", daemon=True)
    writer.start()
    try:
        try:
            parsed = parse(lambda label, nodes: handoff.put((label, nodes)))
        except BaseException:
            handoff.put(_ABORT)
            raise
        handoff.put(parsed)
        writer.join()
    except BaseException:
        cancelled.set()  # e.g. Ctrl-C: the writer stops at its next statement and drops its staged copy
        writer.join()
        raise

    def streamed() -> LoadResult:
        if failures:
            raise failures[0]
        done, report = outcome[0]
        result = LoadResult(dataset_id, done.format, done.records, done.plan.counts(), report.warnings)
        result.seconds = time.perf_counter() - started
        return result

    # The server hung and was restarted (nothing was written): the parsed source is written again, by
    # write_plan, which has the same retry of its own.
    return once_more_after_restart(streamed, lambda: load_parsed(
        db, parsed, dataset_id=dataset_id, path=path, strict=strict, replace=replace, on_write=on_write,
        started=started))
