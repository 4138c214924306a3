"""De-identified referral events → monthly aggregates; the events themselves are never stored.

A file of events `date,from_org,to_org_or_service,need_code,area_id,outcome` (one row per referral
or unmet need, no person in it) becomes two kinds of counts:

- `ReferralFlow {month, need, count}`: referrals from one organization to one organization or
  service for one need in one month, `(Organization)-[:SENT]->(flow)-[:RECEIVED_BY]->(Organization|Service)`.
  Every event that names a recipient counts, whatever its outcome: a referral to a full shelter
  was still made, and shows the demand on it.
- `NeedCount {month, need, outcome, count}`: events per area, need, month and outcome,
  `(count)-[:IN_AREA]->(Area)`.

Only the month (`YYYY-MM`) of a date is kept, and nothing of a row but its share of these counts.
Ids derive from the namespace and the key (`{namespace}:flow:{digest}`,
`{namespace}:needcount:{digest}`), so reloading a file sets the same counts again, never adds.
Give each source its own namespace (its dataset id): counts of different namespaces add up.

Privacy comes first. Before any row is read, the header is checked for columns that look like
personal data (names, birth dates, addresses and postal codes, phones, emails, health-card, SIN
or SSN numbers, client and case ids); such a file is refused with one error per column saying why
and what to do. Every cell is then scanned for obvious personal values (emails, phone and
health-card numbers, SIN/SSN-like numbers, full postal codes), except cells that are ids or names
the graph already holds. Problems never repeat a cell's value, only its row and column: reports
end up in logs and tickets, and must not carry what the file should not have held.

Cells: `date` an ISO date (a time after it is allowed, and so is a bare `YYYY-MM`); `from_org` an
organization's id or exact name (as in loaders.ties); `to_org_or_service` an organization id, a
service id or an organization name, and may be empty only for an unmet need; `need_code` a
TaxonomyTerm id or code of the graph (kept as written; unchecked, with a warning, when the graph
has no terms); `area_id` an Area of the graph; `outcome` `referred` or `unmet:<reason>`, the reason
a short code (`unmet:waitlist`, `unmet:Not eligible` → `unmet:not-eligible`).

Each row is one record, `("referral event", "row N")`, for `--skip-invalid`: a row with an error is
counted nowhere (no ReferralFlow or NeedCount includes it) and the other rows' counts load. Personal
data is never skipped over: a column or a value that looks like it is about the file (it was exported
wrongly), names no record, and stops the load even with `--skip-invalid`.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Final

from loaders.directory_lookup import (
    CsvRows,
    Directory,
    OrganizationMatch,
    ReadProgress,
    key_digest,
    normalise_name,
    organization_problem,
)
from loaders.plan import GraphPlan
from loaders.report import Problem, Report
from loaders.ties import row_records

FORMAT: Final[str] = "referral-aggregates"
COLUMNS: Final[tuple[str, ...]] = ("date", "from_org", "to_org_or_service", "need_code", "area_id", "outcome")
REFERRED: Final[str] = "referred"
UNMET_PREFIX: Final[str] = "unmet:"
MAX_REASON = 40
RECORD_KIND: Final[str] = "referral event"

# --- the personal-data guard ------------------------------------------------------------------

# Words in a column name that make it about an organization, place or need, not a person:
# `org_name`, `service_name`, `agency_phone` are fine.
_NOT_A_PERSON = frozenset({
    "org", "organization", "organisation", "agency", "service", "program", "programme", "provider", "area",
    "neighbourhood", "neighborhood", "ward", "district", "region", "need", "taxonomy", "term", "site",
    "location", "collaborative",
})
_PERSON_WORDS = frozenset({
    "client", "patient", "resident", "person", "individual", "caller", "case", "participant", "customer", "user",
})
_ID_WORDS = frozenset({"id", "number", "no", "num", "nbr", "ref", "reference", "key", "code", "file", "uid", "uuid"})
_NAME_WORDS = frozenset({
    "name", "firstname", "lastname", "fullname", "givenname", "familyname", "middlename", "maidenname",
    "surname", "forename", "nickname", "initials",
})
_BIRTH_WORDS = frozenset({"dob", "birth", "birthdate", "birthday", "born", "dateofbirth"})
_ADDRESS_WORDS = frozenset({
    "address", "addr", "street", "apartment", "apt", "suite", "postal", "postcode", "postalcode", "zip", "zipcode",
    "latitude", "longitude", "lat", "lon", "lng", "coordinates", "geolocation",
})
_PHONE_WORDS = frozenset({"phone", "telephone", "tel", "mobile", "cell", "cellphone", "fax", "sms"})
_HEALTH_WORDS = frozenset({"ohip", "hcn", "phn", "mrn", "healthcard", "medicare", "medicaid", "ramq"})
_SIN_WORDS = frozenset({"sin", "ssn", "nas"})
_HEALTH_COMPACT = ("healthcard", "healthnumber", "healthinsurance", "medicalrecord", "ohip")
_SIN_COMPACT = ("socialinsurance", "socialsecurity")
_OTHER_ID_COMPACT = ("passport", "driverlicen", "driverslicen")


def personal_data_kind(column: str) -> str | None:
    """What kind of personal data a column's name suggests, or None when it looks safe.
    Decided on its words (`client_name` → client, name) and on the name without separators
    (`clientName` → clientname), so spelling styles do not slip through."""
    words = set(re.split(r"[^a-z0-9]+", column.lower())) - {""}
    compact = re.sub(r"[^a-z0-9]+", "", column.lower())
    about_organization = bool(words & _NOT_A_PERSON)
    if words & _BIRTH_WORDS or "birth" in compact or compact == "dob":
        return "a date of birth"
    if words & _HEALTH_WORDS or any(part in compact for part in _HEALTH_COMPACT):
        return "a health-card number"
    if words & _SIN_WORDS or any(part in compact for part in _SIN_COMPACT):
        return "a SIN or SSN"
    if any(part in compact for part in _OTHER_ID_COMPACT):
        return "a government id number"
    if "email" in compact or "mail" in words:
        return None if about_organization else "an email address"
    if words & _PHONE_WORDS or "phone" in compact:
        return None if about_organization else "a phone number"
    if words & _ADDRESS_WORDS or any(part in compact for part in ("address", "postalcode", "postcode", "zipcode")):
        return None if about_organization else "an address or precise location"
    if words & _NAME_WORDS or (compact.endswith("name") and compact[:-4] in _PERSON_WORDS):
        return None if about_organization else "a person's name"
    if words & _PERSON_WORDS and (words & _ID_WORDS or len(words) == 1):
        return "an id of a person or case (it links events to one person)"
    if compact in {p + i for p in _PERSON_WORDS for i in _ID_WORDS}:
        return "an id of a person or case (it links events to one person)"
    return None


_EDGE = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"  # not inside a longer word or number
_PII_VALUE = re.compile(
    r"(?P<email>[^\s@]+@[^\s@]+\.[A-Za-z]{2,})"
    rf"|(?P<health>{_EDGE[0]}\d{{4}}[\s-]?\d{{3}}[\s-]?\d{{3}}[\s-]?[A-Za-z]{{2}}{_EDGE[1]}"
    rf"|{_EDGE[0]}\d{{4}}[\s-]\d{{3}}[\s-]\d{{3}}{_EDGE[1]})"
    rf"|(?P<phone>{_EDGE[0]}(?:\+?1[\s.-]?)?(?:\(\d{{3}}\)\s?|\d{{3}}[\s.-]?)\d{{3}}[\s.-]?\d{{4}}{_EDGE[1]})"
    rf"|(?P<sin>{_EDGE[0]}(?:\d{{3}}[\s-]?\d{{3}}[\s-]?\d{{3}}|\d{{3}}-\d{{2}}-\d{{4}}){_EDGE[1]})"
    rf"|(?P<postal>{_EDGE[0]}[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d{_EDGE[1]})",
    re.IGNORECASE,
)
_VALUE_KINDS: Final[dict[str, str]] = {
    "email": "an email address", "health": "a health-card number", "phone": "a phone or health-card number",
    "sin": "a SIN or SSN", "postal": "a full postal code",
}


@lru_cache(maxsize=8192)  # values repeat (dates, codes): scan each distinct one once
def personal_value_kind(cell: str) -> str | None:
    """What kind of personal data a cell's value looks like, or None."""
    match = _PII_VALUE.search(cell)
    return _VALUE_KINDS[match.lastgroup] if match and match.lastgroup else None


# --- results ----------------------------------------------------------------------------------


@dataclass
class ReferralsResult:
    """The parsed file (satisfies loaders.load.Parsed): aggregates only, no event."""

    plan: GraphPlan
    report: Report
    format: str = FORMAT
    records: int = 0


FlowKey = tuple[str, str, str, str, str]  # (from org id, recipient label, recipient id, need, month)
NeedKey = tuple[str, str, str, str]  # (area id, need, month, outcome)


def flow_id(namespace: str, key: FlowKey) -> str:
    return f"{namespace}:flow:{key_digest(*key)}"


def need_count_id(namespace: str, key: NeedKey) -> str:
    return f"{namespace}:needcount:{key_digest(*key)}"


_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@lru_cache(maxsize=4096)
def parse_month(text: str) -> str | None:
    """`2024-03-15`, `2024-03-15T09:30:00-05:00` or `2024-03` → `2024-03`; None when not an ISO date."""
    head, sep, _ = text.partition("T") if "T" in text else text.partition(" ")
    match = _DATE.match(head)
    if not match or (sep and match.group(3) is None):
        return None
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    try:
        date(year, month, day)
        if sep:
            datetime.fromisoformat(text)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}"


@lru_cache(maxsize=1024)
def parse_outcome(text: str) -> str | None:
    """`referred`, or `unmet:` and a short reason code, normalised (`Unmet: Wait list` → `unmet:wait-list`)."""
    value = text.strip().lower()
    if value == REFERRED:
        return REFERRED
    if not value.startswith(UNMET_PREFIX):
        return None
    reason = re.sub(r"[\s_]+", "-", value[len(UNMET_PREFIX):].strip())
    if not reason or len(reason) > MAX_REASON or not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", reason):
        return None
    return UNMET_PREFIX + reason


# --- parsing ----------------------------------------------------------------------------------


def parse_referrals(
    path: Path, *, namespace: str, directory: Directory, on_progress: ReadProgress | None = None,
) -> ReferralsResult:
    """Read, check and aggregate a referral-event file against `directory`; pure (no database).
    Problems are in the report, never raised (load nothing if it has errors); a file whose header
    looks like personal data is refused before any row is read."""
    if not namespace.strip():
        raise ValueError("namespace must not be empty: it keeps the ids of different sources apart")
    report = Report()
    result = ReferralsResult(GraphPlan(), report)
    with CsvRows(path, report, on_progress) as table:
        if table.header is None or _refuse_personal_columns(table.file, table.header, report):
            return result
        if not table.check_header(COLUMNS, (), extra="dropped (never stored); remove it from the export"):
            return result
        rows = _Rows(table.file, directory, report)
        for row, cells in table.rows():
            rows.add(row, cells)
        result.records = table.records
    if not directory.need_terms and result.records:
        report.warning(table.file, 0, "need_code", "the graph has no taxonomy terms, so need codes were not "
                       "checked; load the taxonomy first to have them checked")
    # the counts hold the valid rows only (a row with an error is added to none), so a --skip-invalid load
    # writes them as they are; without it, any error stops the load before anything is written
    _build_plan(result.plan, namespace, rows.flows, rows.needs)
    report.problems = row_records(report.problems, RECORD_KIND, about_file=rows.personal)
    report.problems.sort(key=lambda p: (p.file, p.row, p.field))
    return result


def _refuse_personal_columns(file: str, header: list[str], report: Report) -> bool:
    refused = False
    for column in header:
        kind = personal_data_kind(column)
        if kind is not None:
            report.error(file, 1, column, f"the column looks like personal data ({kind}), so the file was not read: "
                         "this loader takes de-identified events only. Drop the column from the export (or "
                         "aggregate the events to counts before sharing them) and load the file again")
            refused = True
    return refused


class _Rows:
    """Checks rows one by one and adds each good one to the counts; keeps nothing else of it."""

    def __init__(self, file: str, directory: Directory, report: Report) -> None:
        self.file = file
        self.directory = directory
        self.report = report
        self.flows: Counter[FlowKey] = Counter()
        self.needs: Counter[NeedKey] = Counter()
        self._known = directory.organizations.keys() | directory.services | directory.areas | directory.need_terms
        # a file names the same few organizations and needs over and over: look each text up once
        self._organizations: dict[str, OrganizationMatch] = {}
        self._nearest_needs: dict[str, list[str]] = {}
        self.personal: list[Problem] = []  # problems about personal values: about the file, never one record

    def add(self, row: int, cells: dict[str, str]) -> None:
        if self._personal_values(row, cells):
            return  # nothing else is said about the row: any message might hint at the value
        problems = len(self.report.problems)  # (`report.errors` would copy the list on every row)
        month = parse_month(cells["date"])
        if month is None:
            self._error(row, "date", "not an ISO date; give YYYY-MM-DD (only its month is kept)")
        from_id = self._organization(row, "from_org", cells["from_org"])
        outcome = parse_outcome(cells["outcome"])
        if outcome is None:
            self._error(row, "outcome", f"give '{REFERRED}' or 'unmet:' and a short reason code of letters, digits "
                        f"and dashes (at most {MAX_REASON}), e.g. unmet:waitlist")
        recipient = self._recipient(row, cells["to_org_or_service"], outcome)
        need = self._need(row, cells["need_code"])
        area = self._area(row, cells["area_id"])
        if len(self.report.problems) > problems:
            return
        assert month and from_id and outcome and need and area
        if recipient is not None:
            self.flows[(from_id, *recipient, need, month)] += 1
        self.needs[(area, need, month, outcome)] += 1

    def _error(self, row: int, column: str, message: str) -> None:
        self.report.error(self.file, row, column, message)

    def _personal_values(self, row: int, cells: dict[str, str]) -> bool:
        """Report each cell that looks like personal data, as about the whole file (kept in `personal`, so
        parse_referrals names no record for them): it stops the load even with --skip-invalid."""
        found = False
        for column, cell in cells.items():
            if not cell or cell in self._known:
                continue
            kind = personal_value_kind(cell)
            if kind is not None and normalise_name(cell) not in self.directory.names:
                self._error(row, column, f"the value looks like {kind} (not repeated here); referral files must be "
                            "de-identified: remove personal data from the export and load the file again")
                self.personal.append(self.report.problems[-1])
                found = True
        return found

    def _organization(self, row: int, column: str, text: str) -> str | None:
        if not text:
            self._error(row, column, "empty; give the organization's id or exact name")
            return None
        match = self._find_organization(text)
        if isinstance(match, str):
            return match
        self._error(row, column, organization_problem(match, value=None))
        return None

    def _recipient(self, row: int, text: str, outcome: str | None) -> tuple[str, str] | None:
        """("Organization" | "Service", id), or None when empty (allowed for an unmet need only)."""
        column = "to_org_or_service"
        if not text:
            if outcome == REFERRED:
                self._error(row, column, "empty, but the outcome is 'referred'; name the organization or service "
                            "the referral went to")
            return None
        is_org, is_service = text in self.directory.organizations, text in self.directory.services
        if is_org and is_service:
            self._error(row, column, "this id is both an organization's and a service's; the graph should not "
                        "have that — report it to whoever loaded the directory")
            return None
        if is_service:
            return "Service", text
        match = self._find_organization(text)
        if isinstance(match, str):
            return "Organization", match
        self._error(row, column, organization_problem(match, value=None, or_service=True))
        return None

    def _find_organization(self, text: str) -> OrganizationMatch:
        if text not in self._organizations:
            self._organizations[text] = self.directory.find_organization(text)
        return self._organizations[text]

    def _need(self, row: int, text: str) -> str | None:
        if not text:
            self._error(row, "need_code", "empty; give the need's taxonomy code or term id")
            return None
        terms = self.directory.need_terms
        if terms and text not in terms:
            if text not in self._nearest_needs:
                self._nearest_needs[text] = difflib.get_close_matches(text, sorted(terms), n=3, cutoff=0.6)
            near = self._nearest_needs[text]
            hint = f"; nearest: {', '.join(near)}" if near else ""
            self._error(row, "need_code", f"not a taxonomy code or term id the graph knows{hint}")
            return None
        return text

    def _area(self, row: int, text: str) -> str | None:
        if not text:
            self._error(row, "area_id", "empty; give the id of the planning area the need arose in")
            return None
        if text not in self.directory.areas:
            hint = "" if self.directory.areas else " (the graph has no areas yet: load the planning areas first)"
            self._error(row, "area_id", f"not the id of an Area in the graph{hint}")
            return None
        return text


def _build_plan(plan: GraphPlan, namespace: str, flows: Counter[FlowKey], needs: Counter[NeedKey]) -> None:
    """The counts as nodes; ids from the keys, so a reload sets the same nodes' counts."""
    for key in sorted(flows):
        from_id, label, to_id, need, month = key
        node = flow_id(namespace, key)
        plan.add_node("ReferralFlow", node, {"month": month, "need": need, "count": flows[key]})
        plan.add_relationship(("Organization", "SENT", "ReferralFlow"), from_id, node, id=f"{node}:sent")
        plan.add_relationship(("ReferralFlow", "RECEIVED_BY", label), node, to_id, id=f"{node}:received")
    for need_key in sorted(needs):
        area, need, month, outcome = need_key
        node = need_count_id(namespace, need_key)
        plan.add_node("NeedCount", node, {"month": month, "need": need, "outcome": outcome,
                                          "count": needs[need_key]})
        plan.add_relationship(("NeedCount", "IN_AREA", "Area"), node, area, id=f"{node}:area")
