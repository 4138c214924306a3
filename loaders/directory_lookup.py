"""What the tie and referral parsers need to know about the graph, read once before they parse.

Tie and referral files name organizations, services, areas and needs that other loads brought.
Asking the database cell by cell would make those parsers impure and slow, so `load_directory`
reads every id and name once, through named queries, into a plain frozen `Directory`; the
parsers only look things up in it and are unit-tested with a Directory built by hand.

Organization names match exactly except for whitespace and case (`normalise_name`: Unicode NFKC,
runs of whitespace collapsed, case-folded). Hand-kept spreadsheets differ from the directory in
just those ways ("Harbour light  Shelter"), while two agencies whose names differ only in case do
not occur in practice; if they did, the name is reported as ambiguous with both ids, never guessed.
An id always wins over a name: a cell that is some organization's id is that organization.

The module also reads the parsers' CSV files (`CsvRows`) the same way for both: UTF-8 with an
optional BOM, strict quoting, a header row, rows numbered as a spreadsheet shows them (the header
is row 1), cells stripped, and a malformed row reported at its number and skipped.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from graph.engine import GraphEngine
from loaders.report import Report
from queries import run

ReadProgress = Callable[[str, int], None]  # (file being read, records read so far), as the HSDS parser
PROGRESS_EVERY = 1000  # records between progress calls
NEAREST = 3  # how many near names an "unknown organization" error suggests


def normalise_name(text: str) -> str:
    """The form names are compared in: NFKC, whitespace runs collapsed, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def key_digest(*parts: str) -> str:
    """A short stable digest of a key (20 hex digits, 80 bits), for ids derived from data: the same
    key gives the same id in every load, so reloading merges instead of adding."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class Unknown:
    """No organization has the text as id or name; `nearest` are (name, id) of the closest names."""

    nearest: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Ambiguous:
    """The text is the name of several organizations (their ids, sorted)."""

    ids: tuple[str, ...]


OrganizationMatch = str | Unknown | Ambiguous  # an id when found


@dataclass(frozen=True)
class Directory:
    """The graph's organizations (id → name), service ids, area ids and taxonomy term keys (ids
    and codes), as plain data. `names` (normalised name → ids) is derived from `organizations`."""

    organizations: Mapping[str, str] = field(default_factory=dict)
    services: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    need_terms: frozenset[str] = frozenset()
    names: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    # nearest names by normalised text: a difflib search over every name costs ~0.3 s among 10,000
    # organizations, and a file names the same unknown collaborative on many rows
    _nearest: dict[str, tuple[tuple[str, str], ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_nearest", {})
        by_name: dict[str, list[str]] = defaultdict(list)
        for org_id, name in self.organizations.items():
            if name and name.strip():
                by_name[normalise_name(name)].append(org_id)
        object.__setattr__(self, "names", {key: tuple(sorted(ids)) for key, ids in by_name.items()})

    def with_organizations(self, extra: Mapping[str, str]) -> Directory:
        """This directory with more organizations (id → name), e.g. collaboratives a file creates."""
        return Directory({**self.organizations, **extra}, self.services, self.areas, self.need_terms)

    def find_organization(self, text: str) -> OrganizationMatch:
        """The organization a cell names: by id first, then by normalised name."""
        value = text.strip()
        if value in self.organizations:
            return value
        ids = self.names.get(normalise_name(value), ())
        if len(ids) == 1:
            return ids[0]
        if ids:
            return Ambiguous(ids)
        return Unknown(self.nearest_names(value))

    def nearest_names(self, text: str) -> tuple[tuple[str, str], ...]:
        """(name, id) of the organizations whose names are closest to `text` (difflib), best first."""
        wanted = normalise_name(text)
        found = self._nearest.get(wanted)
        if found is None:
            keys = difflib.get_close_matches(wanted, list(self.names), n=NEAREST, cutoff=0.6)
            found = tuple((self.organizations[org_id], org_id) for key in keys for org_id in self.names[key])[:NEAREST]
            self._nearest[wanted] = found
        return found


def organization_problem(match: Unknown | Ambiguous, *, value: str | None, or_service: bool = False) -> str:
    """What to tell the user about a cell that names no single organization (`or_service`: nor a
    service, by id). `value` is the cell as written, or None where the file's contents must not be
    repeated (referral files)."""
    if isinstance(match, Ambiguous):
        named = f"{value!r} is" if value is not None else "this is"
        return (f"{named} the name of {len(match.ids)} organizations (ids {', '.join(match.ids)}); "
                "give the id of the one meant instead of the name")
    named = f"the id or name {value!r}" if value is not None else "this id or name"
    near = ", ".join(f"{name!r} (id {org_id})" for name, org_id in match.nearest)
    hint = f"; nearest names: {near}" if near else ""
    if or_service:
        return (f"no organization in the graph has {named}, and no service this id{hint}; "
                "correct the name or give the organization's or service's id")
    return f"no organization in the graph has {named}{hint}; correct the name or give the organization's id"


def load_directory(db: GraphEngine) -> Directory:
    """Read what the parsers look up from the graph (four named queries, one round trip each)."""
    organizations = {str(r["id"]): str(r["name"] or "") for r in run.read(db, "load/organization_names")}
    services = frozenset(str(r["id"]) for r in run.read(db, "load/service_ids"))
    areas = frozenset(str(r["id"]) for r in run.read(db, "load/area_ids"))
    terms = frozenset(str(key) for r in run.read(db, "load/taxonomy_term_keys")
                      for key in (r["id"], r["code"]) if key)
    return Directory(organizations, services, areas, terms)


class CsvRows:
    """One CSV file, read row by row inside `with`: `header` (normalised column names, or None
    when the file has none: then an error is in the report) and `rows()`.

    The header is read on entering, before any data row, so a caller can refuse the file on its
    header alone (the referral parser's personal-data guard does)."""

    def __init__(self, path: Path, report: Report, on_progress: ReadProgress | None = None) -> None:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file")
        if not path.is_file():
            raise ValueError(f"{path}: not a file (give the CSV file itself)")
        self.path = path
        self.file = path.name
        self.report = report
        self.header: list[str] | None = None
        self.records = 0  # data rows read so far, good or bad (blank rows are none)
        self._on_progress = on_progress
        self._handle: IO[bytes] | None = None
        self._reader: Iterator[list[str]] | None = None

    def __enter__(self) -> CsvRows:
        self._handle = self.path.open("rb")
        self._reader = csv.reader(_decoded_lines(self._handle), strict=True)
        try:
            first = next(self._reader, None)
        except (csv.Error, _NotUtf8) as exc:
            self._unreadable(1, exc)
            return self
        if first is None or not any(cell.strip() for cell in first):
            self.report.error(self.file, 1, "", "the file is empty; the first row must be the header")
            return self
        self.header = [cell.strip().lower() for cell in first]
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._handle is not None:
            self._handle.close()

    def check_header(self, required: Collection[str], optional: Collection[str], *, extra: str) -> bool:
        """Report missing required columns and repeated ones (errors) and columns of neither kind
        (a warning ending in `extra`, which says what happens to them); False on errors."""
        if self.header is None:
            return False
        ok = True
        seen: set[str] = set()
        for column in self.header:
            if column in seen:
                self.report.error(self.file, 1, column, "the column appears more than once; keep one")
                ok = False
            seen.add(column)
        for column in required:
            if column not in seen:
                also = f" (optional: {', '.join(optional)})" if optional else ""
                self.report.error(self.file, 1, column,
                                  f"missing required column; the header must have {', '.join(required)}{also}")
                ok = False
        for column in self.header:
            if column not in required and column not in optional:
                self.report.warning(self.file, 1, column or "(blank)", f"not a column of this format; {extra}")
        return ok

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, {column: stripped cell}) for each data row; blank rows are skipped, and so
        is a row with the wrong number of cells or a NUL character (reported). Reading stops at
        text that is not UTF-8 or CSV that cannot be parsed (reported at its row)."""
        if self.header is None or self._reader is None:
            return
        header = self.header
        row_number = 1
        while True:
            try:
                cells = next(self._reader, None)
            except (csv.Error, _NotUtf8) as exc:
                self._unreadable(row_number + 1, exc)
                break
            if cells is None:
                break
            row_number += 1
            if not any(cell.strip() for cell in cells):
                continue
            self.records += 1
            if self._on_progress and self.records % PROGRESS_EVERY == 0:
                self._on_progress(self.file, self.records)
            if len(cells) != len(header):
                self.report.error(self.file, row_number, "", f"the row has {len(cells)} cells but the header has "
                                  f"{len(header)} columns; check the quoting and the separators")
                continue
            nul = next((column for column, cell in zip(header, cells, strict=True) if "\x00" in cell), None)
            if nul is not None:
                self.report.error(self.file, row_number, nul, "contains a NUL character; remove it")
                continue
            yield row_number, {column: cell.strip() for column, cell in zip(header, cells, strict=True)}
        if self._on_progress:
            self._on_progress(self.file, self.records)

    def _unreadable(self, row: int, exc: Exception) -> None:
        if isinstance(exc, _NotUtf8):
            self.report.error(self.file, row, "", f"line {exc.line} of the file is not UTF-8 text; "
                              "save the file as UTF-8 CSV and load it again")
        else:
            self.report.error(self.file, row, "", f"not valid CSV ({exc}); check the quoting")


class _NotUtf8(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(f"line {line} is not UTF-8")
        self.line = line


def _decoded_lines(handle: IO[bytes]) -> Iterator[str]:
    """The file's lines as text, decoded one by one so that bad bytes are blamed on their line
    (a text-mode file decodes ahead in blocks and would blame an earlier row)."""
    for number, raw in enumerate(handle, start=1):
        try:
            yield (raw[len(codecs.BOM_UTF8):] if number == 1 and raw.startswith(codecs.BOM_UTF8) else raw).decode()
        except UnicodeDecodeError:
            raise _NotUtf8(number) from None
