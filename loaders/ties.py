"""Agency ties: a CSV of `from_org,to_org,type,since,weight,source` → relationships between organizations.

Planners map who refers to, partners with, shares data with, funds or belongs to whom. Each row is
one tie; `type` is one of `graph.schema.model.TIE_TYPES` (case, spaces and hyphens are forgiven:
"refers to" is REFERS_TO). `since` is an ISO date, year-month or year, kept at the precision given
(`2019`, `2019-03`, `2019-03-01`: strings, so they sort and compare); `weight` a number ≥ 0;
`source` (who says so) is kept as written. Only from_org, to_org and type are required columns.

Organizations are named by id or by exact name (whitespace and case aside; see
loaders.directory_lookup): an unknown name is an error listing the nearest known names, an
ambiguous one an error listing the candidate ids.

Collaboratives: the target of MEMBER_OF may be a collaborative the graph does not hold yet (a
situation table, a coalition). When a MEMBER_OF target names no organization, it becomes one:
`Organization {id: f"{namespace}:collaborative:{slug}", name, sector: "collaborative"}`, the slug
being the name in lower-case ASCII with dashes. Later rows, and later loads, find it by that name.
Every load re-states the collaboratives of its namespace that it uses, so a `--replace` (which
removes what the previous load of the dataset brought) does not leave its ties without an end.
A new collaborative whose name is close to a known organization's, or that looks like an id, is
warned about: it is more likely a typo than a new body.

Each tie's id is derived from (from, type, to) and the namespace, so reloading merges onto the
same relationship. PARTNERS_WITH and SHARES_DATA_WITH are mutual: A→B and B→A are the same tie,
stored once from the smaller id to the larger. A tie to itself is an error; a repeated tie is
merged with a warning (the first non-empty since, weight and source win; differences are named).

Each row is one record, `("tie", "row N")`, for `--skip-invalid`: a row with an error becomes no
relationship (nothing of it is in the plan: not its properties, not a collaborative only it names),
and the rest load. Problems about the file (its header, text that stops the reading) name no record
and stop the load. A new collaborative is warned about at the first row whose tie is loaded with it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Final

from graph.schema.model import TIE_TYPES
from loaders.directory_lookup import (
    Ambiguous,
    CsvRows,
    Directory,
    ReadProgress,
    Unknown,
    key_digest,
    organization_problem,
)
from loaders.plan import GraphPlan
from loaders.report import Problem, Report

FORMAT: Final[str] = "agency-ties"
REQUIRED: Final[tuple[str, ...]] = ("from_org", "to_org", "type")
OPTIONAL: Final[tuple[str, ...]] = ("since", "weight", "source")
MUTUAL: Final[frozenset[str]] = frozenset({"PARTNERS_WITH", "SHARES_DATA_WITH"})
COLLABORATIVE_SECTOR: Final[str] = "collaborative"
EARLIEST_YEAR, LATEST_YEAR = 1800, 2100

_SINCE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LOOKS_LIKE_ID = re.compile(r"^\S*\d\S*$")  # one word with a digit in it
# loaders.directory_lookup.CsvRows: a problem that stopped the reading (the rest of the file is unread) is about
# the file, not one row; its other row problems (a wrong number of cells, a NUL) are about their row's record.
_READING_STOPPED: Final[tuple[str, ...]] = ("not valid CSV", "line ")


@dataclass
class TiesResult:
    """The parsed file (satisfies loaders.load.Parsed)."""

    plan: GraphPlan
    report: Report
    format: str = FORMAT
    records: int = 0


@dataclass
class _Row:
    row: int
    from_text: str
    to_text: str
    type: str
    props: dict[str, Any]


@dataclass
class _Tie:
    row: int
    from_id: str
    to_id: str
    type: str
    props: dict[str, Any] = field(default_factory=dict)


def collaborative_id(namespace: str, name: str) -> str | None:
    """The id a collaborative named `name` gets; None when the name has no letter or digit."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
    return f"{namespace}:collaborative:{slug}" if slug else None


def tie_id(namespace: str, from_id: str, tie_type: str, to_id: str) -> str:
    return f"{namespace}:tie:{key_digest(from_id, tie_type, to_id)}"


def parse_tie_type(text: str) -> str | None:
    """`refers to`, `Refers-To`, `REFERS_TO` → REFERS_TO; None when not a tie type."""
    candidate = re.sub(r"[^A-Z0-9]+", "_", text.strip().upper()).strip("_")
    return candidate if candidate in TIE_TYPES else None


def parse_since(text: str) -> str | None:
    """An ISO date, year-month or year, checked and kept at its precision; None when invalid."""
    match = _SINCE.match(text)
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return None
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    return text


def parse_weight(text: str) -> float | None:
    """A finite number ≥ 0; None otherwise."""
    try:
        weight = float(text)
    except ValueError:
        return None
    return weight if math.isfinite(weight) and weight >= 0 else None


def parse_ties(
    path: Path, *, namespace: str, directory: Directory, on_progress: ReadProgress | None = None,
    strict: bool = False,
) -> TiesResult:
    """Read and check a tie table against `directory`; pure (no database). Problems with the data
    are in the report, never raised (load nothing if it has errors). `strict` (--strict): what would
    be a warning about a row (a repeated tie merged, a doubtful new collaborative) is an error, and the
    row is built into nothing, so --skip-invalid leaves it out whole."""
    if not namespace.strip():
        raise ValueError("namespace must not be empty: it keeps the ids of different sources apart")
    report = Report()
    result = TiesResult(GraphPlan(), report)
    with CsvRows(path, report, on_progress) as table:
        if not table.check_header(REQUIRED, OPTIONAL, extra="ignored"):
            return result
        rows = []
        for row, cells in table.rows():
            parsed = _read_row(table.file, row, cells, report)
            if parsed is not None:
                rows.append(parsed)
        result.records = table.records
    lookup, created, notes, rejected = _collaboratives(table.file, rows, namespace, directory, report, strict)
    ties = _resolve(table.file, [r for r in rows if r.row not in rejected], namespace, lookup, report)
    _build_plan(result.plan, table.file, ties, namespace, lookup, created, notes, report, strict)
    report.problems = row_records(report.problems, "tie")
    report.problems.sort(key=lambda p: (p.file, p.row, p.field))
    return result


def row_records(problems: list[Problem], kind: str, *, about_file: Iterable[Problem] = ()) -> list[Problem]:
    """Each problem on a data row of a CSV read with CsvRows names that row's record, `(kind, "row N")`, so
    `--skip-invalid` can leave it out. Problems about the file are kept as they are, naming none: the header's
    (row 1), the file's (row 0), the text that stopped the reading, and those `about_file` lists."""
    whole_file = {id(p) for p in about_file}
    out = []
    for p in problems:
        if (p.record is None and p.row >= 2 and not p.message.startswith(_READING_STOPPED)
                and id(p) not in whole_file):
            p = replace(p, record=(kind, f"row {p.row}"))
        out.append(p)
    return out


def _read_row(file: str, row: int, cells: dict[str, str], report: Report) -> _Row | None:
    ok = True
    for column in ("from_org", "to_org"):
        if not cells[column]:
            report.error(file, row, column, "empty; give the organization's id or exact name")
            ok = False
    tie_type = parse_tie_type(cells["type"])
    if tie_type is None:
        report.error(file, row, "type", f"{cells['type']!r} is not a tie type; use one of {', '.join(TIE_TYPES)}")
        ok = False
    props: dict[str, Any] = {}
    if since := cells.get("since", ""):
        props["since"] = parse_since(since)
        if props["since"] is None:
            report.error(file, row, "since", f"{since!r} is not a date; give an ISO date (2019-03-01), "
                         f"year-month (2019-03) or year (2019) between {EARLIEST_YEAR} and {LATEST_YEAR}")
            ok = False
    if weight := cells.get("weight", ""):
        props["weight"] = parse_weight(weight)
        if props["weight"] is None:
            report.error(file, row, "weight", f"{weight!r} is not a number ≥ 0")
            ok = False
    if source := cells.get("source", ""):
        props["source"] = source
    if not ok or tie_type is None:
        return None
    return _Row(row, cells["from_org"], cells["to_org"], tie_type, props)


def _collaboratives(
    file: str, rows: list[_Row], namespace: str, directory: Directory, report: Report, strict: bool = False,
) -> tuple[Directory, dict[str, str], dict[str, str], set[int]]:
    """The directory with the collaboratives this file creates (MEMBER_OF targets that name no
    organization), those (id → name), what to warn about some of them (id → message: said at the
    first row whose tie is loaded with it, see _build_plan), and the rows rejected because no id
    can be made."""
    created: dict[str, str] = {}
    notes: dict[str, str] = {}
    rejected: set[int] = set()
    for row in rows:
        if row.type != "MEMBER_OF" or not isinstance(directory.find_organization(row.to_text), Unknown):
            continue
        new_id = collaborative_id(namespace, row.to_text)
        if new_id is None:
            report.error(file, row.row, "to_org", f"{row.to_text!r} names no organization and has no letter or "
                         "digit to make a collaborative's id from; give an organization's id or a name")
            rejected.add(row.row)
            continue
        if new_id in created or new_id in directory.organizations:
            continue
        name = " ".join(row.to_text.split())
        created[new_id] = name
        nearest = directory.nearest_names(name)
        if nearest:
            near = ", ".join(f"{n!r} (id {i})" for n, i in nearest)
            notes[new_id] = (f"no organization is named {name!r}, so it becomes the new collaborative {new_id}; "
                             f"if one of {near} was meant, correct the name")
        elif _LOOKS_LIKE_ID.match(name):
            notes[new_id] = (f"{name!r} looks like an id, but no organization has it; it becomes the new "
                             f"collaborative {new_id}")
    if strict:  # a doubtful collaborative is not made: every row naming it is in error
        for row in rows:
            doubtful = collaborative_id(namespace, row.to_text) if row.type == "MEMBER_OF" else None
            if doubtful in notes and doubtful in created:
                report.error(file, row.row, "to_org", notes[doubtful])
                rejected.add(row.row)
        for new_id in notes:
            created.pop(new_id, None)
        notes = {}
    return directory.with_organizations(created), created, notes, rejected


def _resolve(file: str, rows: list[_Row], namespace: str, lookup: Directory, report: Report) -> list[_Tie]:
    ties = []
    for row in rows:
        ends: list[str] = []
        for column, text in (("from_org", row.from_text), ("to_org", row.to_text)):
            match = lookup.find_organization(text)
            if isinstance(match, Unknown) and row.type == "MEMBER_OF" and column == "to_org":
                # a collaborative of this namespace, spelt differently from its stored name
                alias = collaborative_id(namespace, text)
                if alias is not None and alias in lookup.organizations:
                    match = alias
            if isinstance(match, Unknown | Ambiguous):
                report.error(file, row.row, column, organization_problem(match, value=text))
                continue
            ends.append(match)
        if len(ends) < 2:
            continue
        from_id, to_id = ends
        if from_id == to_id:
            report.error(file, row.row, "to_org", f"a tie from an organization to itself ({from_id}); "
                         "name two different organizations")
            continue
        if row.type in MUTUAL and to_id < from_id:
            from_id, to_id = to_id, from_id
        ties.append(_Tie(row.row, from_id, to_id, row.type, row.props))
    return ties


def _build_plan(
    plan: GraphPlan, file: str, ties: list[_Tie], namespace: str, lookup: Directory, created: dict[str, str],
    notes: dict[str, str], report: Report, strict: bool = False,
) -> None:
    merged: dict[tuple[str, str, str], _Tie] = {}
    for tie in ties:
        key = (tie.from_id, tie.type, tie.to_id)
        first = merged.get(key)
        if first is None:
            merged[key] = tie
            continue
        mutual = " (a mutual tie: either direction is the same)" if tie.type in MUTUAL else ""
        if strict:  # an error: the repeated row brings nothing to the tie
            report.error(file, tie.row, "", f"the same {tie.type} tie as row {first.row}{mutual}")
            continue
        differing = sorted(k for k, v in tie.props.items() if k in first.props and first.props[k] != v)
        for prop, value in tie.props.items():
            first.props.setdefault(prop, value)
        note = f"; kept row {first.row}'s {', '.join(differing)}" if differing else ""
        report.warning(file, tie.row, "", f"the same {tie.type} tie as row {first.row}{mutual}; merged{note}")
    prefix = f"{namespace}:collaborative:"
    used = {end for tie in merged.values() for end in (tie.from_id, tie.to_id) if end.startswith(prefix)}
    for org_id in sorted(used & notes.keys()):  # at the first row that brings it (a row with errors brings nothing)
        first_row = min(tie.row for tie in ties if org_id in (tie.from_id, tie.to_id))
        report.warning(file, first_row, "to_org", notes[org_id])
    for org_id in sorted(used):
        name = created.get(org_id) or lookup.organizations[org_id]
        plan.add_node("Organization", org_id, {"name": name, "sector": COLLABORATIVE_SECTOR})
    for (from_id, tie_type, to_id), tie in merged.items():
        plan.add_relationship(("Organization", tie_type, "Organization"), from_id, to_id, dict(tie.props),
                              id=tie_id(namespace, from_id, tie_type, to_id))
    if not merged and not report.errors:
        report.warning(file, 0, "", "the file has no ties")
