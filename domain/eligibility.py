"""Whether a resident may use a service, judged from what the service records (a pure function).

`assess` checks, in this order, age limits, eligibility populations, languages and — only when
the service has no structured criteria — its eligibility text, and says why in short English a
211 navigator reads. Any INELIGIBLE finding wins, then any UNKNOWN, else ELIGIBLE. The reasons
mention the resident's own facts (their age, their languages): they are part of the answer to the
person asking and must never be logged.

A value the source marks private (`staffOnly`: an eligibility text that names a hidden population,
say) may still decide the answer for someone who is not staff — an age limit in a private text still
keeps a child out of an adults' shelter — but is never shown: the reasons neither quote a private
text nor state a number, group or area read from one (`ServiceFacts.unpublished`, `unpublished`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from domain.geo import Shape, parse_extent
from domain.search_model import Eligibility, EligibilityStatus, GeoPoint

NO_REQUIREMENTS: Final = "no eligibility requirements"
NOTHING_RECORDED: Final = "no eligibility requirements recorded"
_INTERPRETATION_CHARS: Final = 120
_DESCRIPTION_CHARS: Final = 160

# Free text that clearly says anyone may come. Every clause of the text (split at . ; !) must
# match one of these in full, so "Open to everyone living in Ward 3" is not taken as open to all.
_OPEN_TO_ALL: Final = tuple(re.compile(p) for p in (
    r"none",
    r"(there are )?no (eligibility )?(requirements?|restrictions?|criteria)( apply)?",
    r"(open|available) to (all|everyone|everybody|anyone|anybody|the( general)? public)",
    r"(all|everyone|everybody|anyone|anybody) (is |are )?welcome",
    r"(everyone|everybody|anyone|anybody) (is|can be) eligible",
))
_CLAUSE_BREAK: Final = re.compile(r"[.;!]+")


@dataclass(frozen=True)
class Population:
    """An eligibility-tagged taxonomy term of a service (who it is for)."""

    id: str
    code: str | None
    name: str


@dataclass(frozen=True)
class Residency:
    """An area whose residents alone the service is for (Service RESIDENTS_OF Area, read from its
    eligibility text at load time); `extent` is the area's GeoJSON, when it has one."""

    id: str
    name: str
    extent: str | None = None


@dataclass(frozen=True)
class ServiceFacts:
    minimum_age: int | None = None
    maximum_age: int | None = None
    languages: tuple[str, ...] = ()  # codes the service is offered in; () = not recorded
    populations: tuple[Population, ...] = ()  # who it is for; () = no population restriction
    eligibility_description: str | None = None
    interpretation_services: str | None = None
    # Some criteria were read from the eligibility text at load time, not stated by the source: the
    # text may say more than was read, so the reasons quote it.
    derived: bool = False
    residency: tuple[Residency, ...] = ()  # () = open to residents of anywhere
    # Facts the caller may not be told (see `unpublished`): they still decide, the reasons do not state them.
    unpublished: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ResidentFacts:
    age: int | None = None
    languages: tuple[str, ...] = ()  # () = not given
    # ids AND codes of the resident's population terms plus all their ancestors; None = not given
    populations: frozenset[str] | None = None
    location: GeoPoint | None = None  # where the resident lives (or is), for residency rules

    def __repr__(self) -> str:  # never let resident facts reach a log line by accident
        return "ResidentFacts(<redacted>)"


Finding = tuple[EligibilityStatus, str]

# Facts read from the eligibility text at load time (`derivedFields`), private when the text is.
_READ_FROM_TEXT: Final = frozenset({"minimumAge", "maximumAge", "populations", "residency"})
_JUDGED: Final = frozenset({"eligibilityDescription", "interpretationServices", *_READ_FROM_TEXT})


def unpublished(staff_only: object, derived_fields: object, *, staff: bool) -> frozenset[str]:
    """The service facts a caller may not be told: for staff none; otherwise those the source marked
    private, and, when the eligibility text is private, whatever was read from it."""
    if staff:
        return frozenset()
    private = set(staff_only) if isinstance(staff_only, list | tuple) else set()
    if "eligibilityDescription" in private and isinstance(derived_fields, list | tuple):
        private |= set(derived_fields)
    return frozenset(private & _JUDGED)


def assess(service: ServiceFacts, resident: ResidentFacts | None) -> Eligibility:
    """The resident's eligibility for the service, with one reason per criterion the service records."""
    findings = [
        f for f in (_age(service, resident), _populations(service, resident), _languages(service, resident),
                    _residency(service, resident), _free_text(service))
        if f is not None
    ]
    if not findings:
        return Eligibility("ELIGIBLE", (NOTHING_RECORDED,))
    statuses = {status for status, _ in findings}
    status: EligibilityStatus = (
        "INELIGIBLE" if "INELIGIBLE" in statuses else "UNKNOWN" if "UNKNOWN" in statuses else "ELIGIBLE"
    )
    return Eligibility(status, tuple(reason for _, reason in findings))


def _limits(service: ServiceFacts) -> tuple[int | None, int | None]:
    """The age limits; a minimum of 0 (or less) excludes nobody and is no limit."""
    low = service.minimum_age if service.minimum_age is not None and service.minimum_age > 0 else None
    return low, service.maximum_age


def _age(service: ServiceFacts, resident: ResidentFacts | None) -> Finding | None:
    low, high = _limits(service)
    if low is None and high is None:
        return None
    age = resident.age if resident else None
    if service.unpublished & {"minimumAge", "maximumAge"}:
        if age is None:
            return "UNKNOWN", "has age limits (not published); the resident's age is not given"
        if (low is not None and age < low) or (high is not None and age > high):
            return "INELIGIBLE", f"age {age} is outside its age limits (not published)"
        return "ELIGIBLE", f"age {age} is within its age limits (not published)"
    if age is None:
        if low is not None and high is not None:
            ages = f"{low}–{high}"
        else:
            ages = f"{low} and over" if low is not None else f"{high} and under"
        return "UNKNOWN", f"for ages {ages}; the resident's age is not given"
    if low is not None and age < low:
        return "INELIGIBLE", f"age {age} is below the minimum age {low}"
    if high is not None and age > high:
        return "INELIGIBLE", f"age {age} is above the maximum age {high}"
    if low is not None and high is not None:
        return "ELIGIBLE", f"age {age} is within the ages {low}–{high}"
    if low is not None:
        return "ELIGIBLE", f"age {age} meets the minimum age {low}"
    return "ELIGIBLE", f"age {age} does not exceed the maximum age {high}"


def _populations(service: ServiceFacts, resident: ResidentFacts | None) -> Finding | None:
    if not service.populations:
        return None
    names = ", ".join(p.name for p in service.populations)
    if "populations" in service.unpublished:
        names = "certain groups (not published)"
    if resident is None or resident.populations is None:
        return "UNKNOWN", f"for: {names}; the resident's populations are not given"
    theirs = resident.populations
    matched = [p.name for p in service.populations if p.id in theirs or (p.code and p.code in theirs)]
    if matched and "populations" in service.unpublished:
        return "ELIGIBLE", "for certain groups (not published); the resident is in one"
    if matched:
        return "ELIGIBLE", f"for: {', '.join(matched)} (the resident is)"
    return "INELIGIBLE", f"for: {names} — the resident is in none of these"


@lru_cache(maxsize=256)
def _shape(extent: str) -> Shape | None:
    return parse_extent(extent)


def _residency(service: ServiceFacts, resident: ResidentFacts | None) -> Finding | None:
    if not service.residency:
        return None
    names = ", ".join(area.name for area in service.residency)
    if "residency" in service.unpublished:
        names = "certain areas (not published)"
    where = resident.location if resident else None
    if where is None:
        return "UNKNOWN", f"for residents of {names}; where the resident lives is not given"
    shapes = [_shape(area.extent) if area.extent else None for area in service.residency]
    if any(shape is not None and shape.covers(where) for shape in shapes):
        return "ELIGIBLE", f"for residents of {names} (the resident's location is within)"
    if any(shape is None for shape in shapes):
        return "UNKNOWN", f"for residents of {names}; not every one of these areas has a boundary to check"
    return "INELIGIBLE", f"for residents of {names} — the resident's location is outside"


def _language_key(code: str) -> str:
    """The primary language subtag, case-folded: "fr-CA" and "FR" both speak "fr"."""
    return re.split(r"[-_]", code.strip(), maxsplit=1)[0].casefold()


def _unique(codes: tuple[str, ...]) -> list[str]:
    """Non-blank codes, stripped, first spelling kept of those equal but for case."""
    seen: dict[str, str] = {}
    for code in codes:
        if code.strip():
            seen.setdefault(code.strip().casefold(), code.strip())
    return list(seen.values())


def _languages(service: ServiceFacts, resident: ResidentFacts | None) -> Finding | None:
    offered = sorted(_unique(service.languages), key=str.casefold)
    spoken = _unique(resident.languages) if resident else []
    if not offered or not spoken:
        return None
    keys = {_language_key(code) for code in spoken}
    common = [code for code in offered if _language_key(code) in keys]
    listed = f"offered in: {', '.join(offered)}"
    if common:
        return "ELIGIBLE", f"{listed} — including {', '.join(common)}"
    missing = f"{listed} — not in: {', '.join(spoken)}"
    interpretation = "" if "interpretationServices" in service.unpublished else _clip(
        service.interpretation_services or "", _INTERPRETATION_CHARS)
    # A language barrier is not a bar: navigators bring interpreters (or the service has them), so
    # no common language makes eligibility UNKNOWN, never INELIGIBLE, and the reason says so.
    return "UNKNOWN", f"{missing}; interpretation: {interpretation}" if interpretation else missing


def _free_text(service: ServiceFacts) -> Finding | None:
    low, high = _limits(service)
    text = _clip(service.eligibility_description or "", _DESCRIPTION_CHARS)
    if not text:
        return None
    private = "eligibilityDescription" in service.unpublished
    if service.derived:
        if private:
            return "ELIGIBLE", "criteria read from its eligibility text, which is not published and may say more"
        return "ELIGIBLE", f"criteria read from the eligibility text, which may say more: '{text}'"
    if low is not None or high is not None or service.populations:
        return None
    if says_open_to_all(service.eligibility_description or ""):
        return "ELIGIBLE", "no eligibility requirements stated" if private else NO_REQUIREMENTS
    if private:
        return "UNKNOWN", "eligibility is described in words that are not published: ask the service"
    return "UNKNOWN", f"eligibility is described in words only: '{text}'"


def says_open_to_all(text: str) -> bool:
    """Whether eligibility text clearly says there are no requirements (every clause says so)."""
    clauses = [" ".join(c.split()) for c in _CLAUSE_BREAK.split(text.casefold())]
    clauses = [c.strip(" ,:-") for c in clauses if c.strip(" ,:-")]
    return bool(clauses) and all(any(p.fullmatch(c) for p in _OPEN_TO_ALL) for c in clauses)


def _clip(text: str, limit: int) -> str:
    """The text on one line, at most `limit` characters, ending in "…" when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
