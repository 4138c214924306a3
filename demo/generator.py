"""Deterministic demo data: the safety net of Maple Harbour, Ontario, as an HSDS 3.0 tabular package.

`generate_demo(out, services=400, seed=7)` writes one CSV per HSDS table (named and headed exactly
like the official example package) plus `datapackage.json`. The same (services, seed) always gives
byte-identical files: all randomness comes from one `random.Random(seed)`, dates are fixed in 2026,
and rows are streamed to disk as they are made (only organizations, their sites and which
organization provides each service stay in memory): 100,000 services take 15-20 s and ~110 MB.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import accumulate, repeat
from pathlib import Path
from typing import IO, Any, Final, TypeVar

from demo import city
from demo.catalogue import (
    ACCESSIBILITY,
    APPLICATION,
    DEPARTMENTS,
    DOCUMENTS,
    FEES,
    GENERAL_TITLES,
    LANGUAGE_NOTES,
    LANGUAGES,
    OTHER_LANGUAGE_WEIGHTS,
    OTHER_LANGUAGES,
    PLACE_HEADS,
    PLACE_TAILS,
    PLACES,
    SAINTS,
    SECTORS,
    Sector,
    ServiceTemplate,
)
from demo.schedules import SCHEDULE_KINDS, TWENTY_FOUR_SEVEN, Slot, describe, shift
from demo.tables import FIELD_TYPES, REFERENCES, TABLES
from demo.taxonomy import ALL_TERMS, POPULATION_PHRASES, TAXONOMIES, VERSION

__all__ = ["DemoSummary", "generate_demo"]

T = TypeVar("T")

CRISIS_LINE: Final = "need-crisis-line"
_CRISIS_PHONE: Final = f"{TWENTY_FOUR_SEVEN[:-1]}; toll-free, free from any phone."
_TIMEZONE: Final = str(city.UTC_OFFSET)
# RFC 4122 version 4 / variant 1 bits, applied to 128 random bits.
_UUID_CLEAR: Final = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET: Final = (0x4000 << 64) | (0x8000 << 48)
ASSURER_EMAIL: Final = f"records@{city.DOMAIN}"
_STATUS: Final[tuple[str, ...]] = ("active", "inactive", "temporarily closed", "defunct")
_STATUS_CUM: Final[list[float]] = list(accumulate((0.93, 0.025, 0.02, 0.025)))
_WARD_CUM: Final[list[float]] = list(accumulate(w.population for w in city.WARDS))
_SECTOR_CUM: Final[list[float]] = list(accumulate(s.weight for s in SECTORS))
_LANG_CUM: Final[list[float]] = list(accumulate(OTHER_LANGUAGE_WEIGHTS))
_ATTENDING: Final[dict[str, str]] = {
    "in_person": "In person",
    "hybrid": "In person, or by phone or video",
    "phone": "By phone",
    "virtual": "By phone, text or online chat",
    "mobile": "Staff come to you (outreach)",
}
_PLACED: Final = frozenset({"in_person", "hybrid", "mobile"})
_MAX_SITES: Final = 8
_ACCREDITATIONS: Final = ("Accredited by Accreditation Canada.", "Accredited by CARF Canada.")
_ALERTS: Final[tuple[str, ...]] = (
    "Closed on statutory holidays.",
    "Hours are extended during extreme cold and heat alerts.",
    "Please call ahead: hours may change over the holidays.",
)
_WAITS: Final[dict[str, tuple[str, ...]]] = {
    "referral": ("2 to 4 weeks", "Waitlist of 3 to 6 months", "About 1 week"),
    "intake": ("About 1 week", "2 to 3 weeks"),
    "walk_in": ("No wait", "Usually under 30 minutes"),
    "call_anytime": ("No wait",),
}


@dataclass
class DemoSummary:
    """What `generate_demo` wrote: headline counts and rows per CSV file."""

    services: int
    organizations: int
    locations: int
    records: int
    files: dict[str, int]


def generate_demo(out: Path, *, services: int = 400, seed: int = 7) -> DemoSummary:
    """Write the Maple Harbour demo package (HSDS 3.0 CSVs + datapackage.json) into `out`.

    Exactly `services` services from about `services / 4` organizations (never fewer than one per
    sector). Existing package files in `out` are overwritten; other files are left alone.
    """
    if services < 0:
        raise ValueError("services must be >= 0")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with _Package(out) as package:
        gen = _Generator(package, random.Random(seed))
        gen.run(services)
        counts = dict(package.counts)
    _write_descriptor(out, services=services, seed=seed)
    return DemoSummary(
        services=counts["services"],
        organizations=counts["organizations"],
        locations=counts["locations"],
        records=sum(counts.values()),
        files={f"{stem}.csv": n for stem, n in counts.items()},
    )


# --------------------------------------------------------------------------------------------- output


class _Package:
    """One open CSV file per HSDS table: `row(stem, **columns)` by name, `line(stem, *fields)` by position.

    Rows are written as RFC 4180 CSV with CRLF line ends and minimal quoting, byte-for-byte what
    `csv.writer` produces, but several times faster for long text fields.
    """

    def __init__(self, out: Path) -> None:
        self._out = out
        self._stack = ExitStack()
        self._write: dict[str, Callable[[str], object]] = {}
        self._columns: dict[str, tuple[str, ...]] = {}
        self._known: dict[str, frozenset[str]] = {}
        self._width: dict[str, int] = {}
        self.counts: dict[str, int] = {}

    def __enter__(self) -> _Package:
        for stem, (_, columns) in TABLES.items():
            handle: IO[str] = self._stack.enter_context(
                (self._out / f"{stem}.csv").open("w", encoding="utf-8", newline="", buffering=1 << 20)
            )
            handle.write(",".join(columns) + "\r\n")
            self._write[stem] = handle.write
            self._columns[stem] = columns
            self._known[stem] = frozenset(columns)
            self._width[stem] = len(columns)
            self.counts[stem] = 0
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def row(self, stem: str, **values: str) -> None:
        """Write one row; absent columns are empty."""
        if not self._known[stem].issuperset(values):
            raise KeyError(f"{stem}.csv has no columns {sorted(set(values) - self._known[stem])}")
        fields = list(map(values.get, self._columns[stem], _EMPTY))
        joined = _SEP.join(fields)
        if "," in joined or '"' in joined or "\n" in joined or "\r" in joined:
            joined = ",".join(
                ['"' + f.replace('"', '""') + '"' if ("," in f or '"' in f or "\n" in f or "\r" in f) else f
                 for f in fields]
            )
        else:
            joined = joined.replace(_SEP, ",")
        self._write[stem](joined + "\r\n")
        self.counts[stem] += 1

    def raw(self, stem: str, text: str) -> None:
        """Write one row already joined and CSV-safe (the hottest tables)."""
        self._write[stem](text + "\r\n")
        self.counts[stem] += 1

    def line(self, stem: str, *fields: str) -> None:
        """Write one row given every field in column order, each already CSV-safe (ids, codes, `_q(text)`).

        The fast path for the big tables: no keyword dict, no per-field quoting decisions."""
        assert len(fields) == self._width[stem], f"{stem}.csv takes {self._width[stem]} fields, not {len(fields)}"
        self._write[stem](",".join(fields) + "\r\n")
        self.counts[stem] += 1


@lru_cache(maxsize=16384)
def _q(text: str) -> str:
    """`text` as one CSV field: quoted when it holds a comma, a quote or a line break (as `csv` would)."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


_EMPTY: Final = repeat("")
_SEP: Final = "\x1f"  # ASCII unit separator: never part of generated text


def _write_descriptor(out: Path, *, services: int, seed: int) -> None:
    resources = []
    for stem, (name, columns) in TABLES.items():
        fields = [{"name": c, **FIELD_TYPES.get(c, {"type": "string"})} for c in columns]
        foreign_keys = [
            {"fields": c, "reference": {"resource": "" if REFERENCES[c] == name else REFERENCES[c], "fields": "id"}}
            for c in columns
            if c in REFERENCES
        ]
        schema: dict[str, Any] = {"fields": fields, "primaryKey": "id"}
        if foreign_keys:
            schema["foreignKeys"] = foreign_keys
        resources.append({
            "name": name, "path": f"{stem}.csv", "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "schema": schema,
        })
    descriptor = {
        "profile": "tabular-data-package",
        "name": "maple-harbour-safety-net-demo",
        "title": "Maple Harbour safety net (synthetic demo data)",
        "description": (
            f"Fictional human services of {city.CITY}, Ontario, in Open Referral HSDS 3.0 tabular form: "
            f"{services} services, generated with seed {seed}. Every name, address and phone number is invented."
        ),
        "version": "1.0.0",
        "homepage": f"https://data.{city.DOMAIN}/",
        "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/",
                      "title": "CC0 1.0"}],
        "keywords": ["HSDS", "Open Referral", "human services", "demo"],
        "resources": resources,
    }
    (out / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------- generation


@dataclass
class _Location:
    id: str
    name: str
    ward: city.Ward | None  # None for virtual locations
    label: str = ""  # tells the organization's sites apart: the ward, and the street when needed


@dataclass(frozen=True)
class _Offers:
    """The service templates a kind of organization offers, with cumulative weights."""

    templates: tuple[ServiceTemplate, ...]
    cum: list[float]
    placed: tuple[ServiceTemplate, ...]  # those tied to a site or ward, which can be offered again elsewhere
    capacity: int  # services an organization of this kind can offer without one twice in the same place

    @classmethod
    def of(cls, sector: Sector, names: tuple[str, ...]) -> _Offers:
        templates = tuple(t for t in sector.services if not names or t.name in names)
        placed = tuple(t for t in templates if t.mode in _PLACED and CRISIS_LINE not in t.needs)
        mobile = sum(t.mode == "mobile" for t in placed)
        # each once, then again at each of up to _MAX_SITES sites, or in each other ward for outreach
        capacity = len(templates) + (_MAX_SITES - 1) * (len(placed) - mobile) + (len(city.WARDS) - 1) * mobile
        return cls(templates, list(accumulate(t.weight for t in templates)), placed, capacity)


@dataclass
class _Org:
    id: str
    name: str
    sector: Sector
    ward: city.Ward
    host: str
    flagship: bool
    offers: _Offers
    physical: list[_Location] = field(default_factory=list)
    virtual: _Location | None = None
    programs: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # names of the service templates it already offers
    places: dict[str, set[str]] = field(default_factory=dict)  # template name -> sites / wards used for it

    @property
    def website(self) -> str:
        return f"https://{self.host}"


def _uuids(rng: random.Random) -> Iterator[str]:
    """Version-4 UUIDs drawn from the seeded generator."""
    bits = rng.getrandbits
    while True:
        h = "%032x" % (bits(128) & _UUID_CLEAR | _UUID_SET)
        yield f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_OFFSETS: Final = (-60, -30, 0, 0, 0, 0, 30)  # minutes: not every office opens at nine


@lru_cache(maxsize=1024)
def _schedule_fields(slot: Slot, offset: int, attending: str) -> str:
    """The schedules.csv fields from valid_from to attending_type, CSV-ready."""
    opens, closes = shift(slot.opens, offset), shift(slot.closes, offset)
    return ",".join((
        slot.valid_from, slot.valid_to, slot.dtstart, _TIMEZONE, "", "", "MO", slot.freq, str(slot.interval),
        _q(slot.byday), "", "", "", _q(describe(slot, opens, closes)), opens, closes, "", _q(attending),
    ))


@lru_cache(maxsize=64)
def _shiftable(slots: tuple[Slot, ...]) -> bool:
    return all(s.shiftable for s in slots)


@lru_cache(maxsize=256)
def _language_fields(code: str, note: str) -> str:
    return f"{LANGUAGES[code]},{code},{_q(note)}"


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


@lru_cache(maxsize=4096)
def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")


def _acronym(name: str) -> str:
    words = [w for w in re.split(r"[\s\-–]+", name) if w and w[0].isupper() and w not in {"St."}]
    return "".join(w[0] for w in words)


class _Generator:
    def __init__(self, package: _Package, rng: random.Random) -> None:
        self.p = package
        self.rng = rng
        self.rand = rng.random  # `self.rand() < p` is a coin that comes up heads with probability p
        self.uid: Callable[[], str] = partial(next, _uuids(rng))  # a fresh id per call
        self.orgs: list[_Org] = []
        self.names: dict[str, int] = {}
        self.by_sector: dict[str, list[str]] = {s.key: [] for s in SECTORS}
        self.offers: dict[tuple[str, tuple[str, ...]], _Offers] = {
            (s.key, names): _Offers.of(s, names) for s in SECTORS for names in ((), *(k for _, k in s.kinds))
        }
        # name, description, extent, extent_type, uri of each named area, CSV-ready
        self.areas: dict[str, tuple[str, ...]] = {
            "city": (_q(f"City of {city.CITY}"), _q(f"Everyone in {city.CITY}, in all {len(city.WARDS)} wards."),
                     _q(city.geojson_polygon(city.CITY_POLYGON)), "geojson", city.CITY_URI),
        }
        for w in city.WARDS:
            self.areas[w.key] = (_q(f"{w.name} ward"), _q(f"Residents of the {w.name} ward of {city.CITY}."),
                                 _q(city.geojson_polygon(w.polygon())), "geojson", w.uri)
        self.external_seq = 0

    # -- small helpers -----------------------------------------------------------------------------

    def attribute(self, link_id: str, term: str, link_type: str, entity: str) -> None:
        self.p.raw("attributes", f"{self.uid()},{link_id},{term},{link_type},{entity},")

    def language(self, code: str, note: str, *, service_id: str = "", location_id: str = "",
                 phone_id: str = "") -> None:
        self.p.raw("languages", f"{self.uid()},{service_id},{location_id},{phone_id},{_language_fields(code, note)}")

    def phone(self, number: str, kind: str, description: str, *, extension: str = "", location_id: str = "",
              service_id: str = "", organization_id: str = "", contact_id: str = "", sal_id: str = "") -> str:
        phone_id = self.uid()
        self.p.line("phones", phone_id, location_id, service_id, organization_id, contact_id, sal_id, number,
                    extension, kind, _q(description))
        return phone_id

    def below(self, n: int) -> int:
        """A uniform integer in [0, n) (cheaper than `randrange`)."""
        return int(self.rng.random() * n)

    def between(self, low: int, high: int) -> int:
        """A uniform integer in [low, high] (cheaper than `randint`)."""
        return low + int(self.rng.random() * (high - low + 1))

    def pick(self, seq: tuple[T, ...] | list[T]) -> T:
        return seq[int(self.rng.random() * len(seq))]

    def weighted(self, seq: Sequence[T], cum: Sequence[float]) -> T:
        return seq[bisect(cum, self.rng.random() * cum[-1])]

    def ward(self) -> city.Ward:
        return self.weighted(city.WARDS, _WARD_CUM)

    def local_phone(self) -> str:
        return f"{self.pick(('613', '343'))}-555-01{self.below(100):02d}"

    def toll_free(self) -> str:
        return f"1-{self.pick(('800', '833', '844', '855', '866', '877', '888'))}-555-01{self.below(100):02d}"

    def person(self) -> tuple[str, str]:
        first, last = self.pick(city.FIRST_NAMES), self.pick(city.LAST_NAMES)
        return f"{first} {last}", f"{_slug(first).replace('-', '')}.{_slug(last).replace('-', '')}"

    def day_2026(self, months: tuple[int, int] = (1, 6)) -> str:
        return f"2026-{self.between(*months):02d}-{self.between(1, 28):02d}"

    def postal_code(self, ward: city.Ward) -> str:
        letter = city.POSTAL_LETTERS[self.below(len(city.POSTAL_LETTERS))]
        return f"{ward.fsa} {self.below(10)}{letter}{self.below(10)}"

    def point_in(self, ward: city.Ward) -> tuple[float, float]:
        """A point clustered around the ward centre, always inside the ward circle."""
        limit = ward.radius_km * 0.92
        while True:
            dx, dy = self.rng.gauss(0, ward.radius_km / 2.2), self.rng.gauss(0, ward.radius_km / 2.2)
            if dx * dx + dy * dy <= limit * limit:
                return city.to_lonlat(ward.x_km + dx, ward.y_km + dy)

    # -- the run -----------------------------------------------------------------------------------

    def run(self, services: int) -> None:
        self.taxonomies()
        # Plan first: each organization's sector and kind (the flagships first), then which one provides
        # each service (one each, the rest weighted to broad organizations), so that organizations
        # with many services get enough sites for them.
        n_orgs = max(len(SECTORS), services // 4)
        plans: list[tuple[Sector, _Offers, str]] = []
        for i in range(n_orgs):
            if i < len(SECTORS):
                plans.append((SECTORS[i], self.offers[SECTORS[i].key, ()], ""))
            else:
                sector = self.weighted(SECTORS, _SECTOR_CUM)
                pattern, kind = self.pick(sector.kinds)
                plans.append((sector, self.offers[sector.key, kind], pattern))
        org_cum = list(accumulate(len(offers.templates) * (1 if pattern else 2) for _, offers, pattern in plans))
        provider = list(range(min(services, n_orgs)))
        counts = [1] * len(provider) + [0] * (n_orgs - len(provider))
        for _ in range(services - len(provider)):
            for _attempt in range(20):  # phone-only organizations fill up; then draw another
                k = bisect(org_cum, self.rand() * org_cum[-1])
                if counts[k] < plans[k][1].capacity:
                    break
            provider.append(k)
            counts[k] += 1
        for (sector, offers, pattern), count in zip(plans, counts, strict=True):
            self.organization(sector, offers, pattern, services=count)
        del plans, counts
        for i, k in enumerate(provider):
            org = self.orgs[k]
            template = org.sector.services[0] if i < len(SECTORS) else self.template(org)
            self.service(org, template, guaranteed=i < len(SECTORS))
        for name, _ in TABLES.values():
            self.p.row("meta_table_descriptions", id=self.uid(), name=name, language="en", character_set="UTF-8")

    def template(self, org: _Org) -> ServiceTemplate:
        """One of the services this kind of organization offers, preferably one it does not offer yet."""
        offers = org.offers
        for _ in range(4):
            template = self.weighted(offers.templates, offers.cum)
            if template.name not in org.used:
                return template
        unused = [t for t in offers.templates if t.name not in org.used]
        if unused:
            return self.pick(unused)
        # a repeat: offered again at another site or in another ward, never a second identical phone line
        room = [t for t in offers.placed if len(org.places.get(t.name, ())) < self.room(org, t)]
        return self.pick(room or offers.placed or offers.templates)

    @staticmethod
    def room(org: _Org, t: ServiceTemplate) -> int:
        """How many distinct places the organization has for this service: its sites, or the wards."""
        return len(city.WARDS) if t.mode == "mobile" else len(org.physical)

    def taxonomies(self) -> None:
        for t in TAXONOMIES:
            self.p.row("taxonomies", id=t.id, name=t.name, description=t.description, uri=t.uri, version=VERSION)
        for term in ALL_TERMS:
            self.p.row(
                "taxonomy_terms", id=term.id, code=term.code, name=term.name, description=term.description,
                parent_id=term.parent_id, taxonomy=term.taxonomy.name, language="en",
                taxonomy_id=term.taxonomy.id, term_uri=term.uri,
            )

    # -- organizations -----------------------------------------------------------------------------

    def org_name(self, pattern: str, ward: city.Ward) -> str:
        """A name from the kind's pattern, unique in the package: the ward, a well-known place or saint, or a
        compound place name (Cedarbrook, Westdale); only at very large scales a numbered branch."""
        base = ""
        for attempt in range(12):
            roll = self.rand() if attempt < 4 else 1.0
            place = ward.name if roll < 0.2 else self.pick(PLACES) if roll < 0.5 else \
                self.pick(PLACE_HEADS) + self.pick(PLACE_TAILS)
            saint = self.pick(SAINTS) if roll < 0.5 and self.rand() < 0.4 else place
            base = pattern.format(p=place, s=saint, c=city.CITY)
            if base not in self.names:
                break
        n = self.names.get(base, 0)
        self.names[base] = n + 1
        return base if n == 0 else f"{base} No. {n + 1}"

    def organization(self, sector: Sector, offers: _Offers, pattern: str, *, services: int) -> None:
        """One organization; `pattern` names it (empty for the sector's flagship)."""
        rng = self.rng
        flagship = not pattern
        ward = self.weighted(city.WARDS, _WARD_CUM) if not flagship else city.WARDS[2]
        if flagship:
            name, alternate = sector.flagship, sector.flagship_alt
            self.names[name] = 1
        else:
            name = self.org_name(pattern, ward)
            alternate = _acronym(name) if self.rand() < 0.3 and len(_acronym(name)) >= 3 else ""
        host = f"{_slug(name)[:50].strip('-')}.{city.DOMAIN}"
        org = _Org(self.uid(), name, sector, ward, host, flagship, offers)
        self.orgs.append(org)
        if flagship:
            legal = sector.flagship_legal
            year = self.between(1850, 1900) if not sector.charity else self.between(1955, 1995)
        else:
            legal = "Registered charity" if self.rand() < 0.6 else "Non-profit corporation"
            year = self.between(1960, 2022)
        where = "across the city" if flagship else f"from its main office in {ward.name}"
        parent = ""
        siblings = self.by_sector[sector.key]
        if not flagship and siblings and self.rand() < (0.3 if sector.key == "police" else 0.04):
            parent = siblings[0] if sector.key == "police" else self.pick(siblings)
        siblings.append(org.id)
        self.p.row(
            "organizations", id=org.id, name=name, alternate_name=alternate,
            description=f"{name} provides {sector.about} to people in {city.CITY}, {where}. Founded in {year}.",
            email=f"info@{host}", website=org.website, year_incorporated=str(year), legal_status=legal,
            uri=f"https://data.{city.DOMAIN}/organizations/{org.id}", parent_organization_id=parent,
        )
        self.attribute(org.id, f"sector-{sector.key}", "sector", "organization")
        if legal == "Registered charity":
            self.p.row(
                "organization_identifiers", id=self.uid(), organization_id=org.id, identifier_scheme="CA-CRA",
                identifier_type="Registered charity (business) number",
                identifier=f"{self.between(10**8, 10**9 - 1)}RR0001",
            )
        if flagship and sector.key == "police":
            self.phone("911", "voice", "Emergency: police, fire and ambulance.", organization_id=org.id)
        main = "Non-emergency line." if flagship and sector.key == "police" else "Main office."
        self.phone(self.local_phone(), "voice", main, organization_id=org.id)
        if self.rand() < 0.25:
            self.phone(self.local_phone(), "fax", "Fax.", organization_id=org.id)
        if self.rand() < 0.5:
            person, handle = self.person()
            self.p.row("contacts", id=self.uid(), organization_id=org.id, name=person, title="Executive Director",
                       department="Administration", email=f"{handle}@{host}")
        if self.rand() < 0.5:
            for funder in rng.sample(sector.funders, k=min(len(sector.funders), self.between(1, 2))):
                self.p.line("funding", self.uid(), org.id, "", _q(funder))
        programs = list(sector.programs) if flagship else (
            [self.pick(sector.programs)] if sector.programs and self.rand() < 0.25 else []
        )
        for program, description in programs:
            program_id = self.uid()
            org.programs.append(program_id)
            self.p.row("programs", id=program_id, organization_id=org.id, name=program, description=description)
        self.locations(org, services)

    def locations(self, org: _Org, services: int) -> None:
        at_sites = sum(t.mode != "mobile" for t in org.offers.placed)  # kinds of service offered at a site
        if org.sector.key == "crisis":  # phone lines: an office only where something is offered in person
            n_physical = 1 if at_sites else 0
        else:
            n_physical = self.between(2, 3) if org.flagship else self.weighted((1, 2, 3), [0.6, 0.9, 1.0])
        # enough sites that a service offered several times is offered in a different place each time
        repeats = services - len(org.offers.templates)
        if repeats > 0 and at_sites:
            n_physical = max(n_physical, min(_MAX_SITES, 1 + -(-repeats // at_sites)))
        for k in range(n_physical):
            self.physical_location(org, org.ward if k == 0 else self.ward(), main=k == 0)
        if org.sector.virtual_share >= 1.0 or self.rand() < org.sector.virtual_share:
            loc = _Location(self.uid(), f"{org.name} – Phone and Online", None)
            org.virtual = loc
            self.p.row(
                "locations", id=loc.id, location_type="virtual", url=org.website, organization_id=org.id,
                name=loc.name, description="Services by phone, text and online; there is no walk-in location.",
            )

    def physical_location(self, org: _Org, ward: city.Ward, *, main: bool) -> None:
        rng = self.rng
        street = self.pick(ward.streets) if self.rand() < 0.7 else self.pick(city.ARTERIALS)
        labels = {site.label for site in org.physical}
        label = ward.name
        while label in labels:  # a second site in the ward: tell them apart by the street address
            number = self.between(1, 120) * (10 if self.rand() < 0.5 else 1) + self.between(0, 9)
            label = f"{ward.name} ({number} {street})"
        name = org.name if main else f"{org.name} – {label}"
        loc = _Location(self.uid(), name, ward, label)
        org.physical.append(loc)
        lon, lat = self.point_in(ward)
        cross = self.pick(city.ARTERIALS if street in ward.streets else ward.streets)
        routes = sorted(rng.sample(range(1, 21), 2))
        external = ""
        if self.rand() < 0.5:
            self.external_seq += 1
            external = f"MH-{self.external_seq:07d}"
        self.p.row(
            "locations", id=loc.id, location_type="physical", url=org.website if main else "",
            organization_id=org.id, name=name,
            description=f"{org.name}'s {'main office' if main else 'site'} in {ward.name}.",
            transportation=f"{city.TRANSIT} routes {routes[0]} and {routes[1]} stop at {street} and {cross}.",
            latitude=f"{lat:.6f}", longitude=f"{lon:.6f}", external_identifier=external,
            external_identifier_type="City of Maple Harbour civic address ID" if external else "",
        )
        if label == ward.name:
            number = self.between(1, 120) * (10 if self.rand() < 0.5 else 1) + self.between(0, 9)
        self.p.row(
            "addresses", id=self.uid(), location_id=loc.id, address_1=f"{number} {street}",
            address_2=self.pick(("Suite 200", "Unit 3", "2nd Floor", "Lower Level", "Suite 105"))
            if self.rand() < 0.3 else "",
            city=city.CITY, region=ward.name, state_province=city.PROVINCE, postal_code=self.postal_code(ward),
            country=city.COUNTRY, address_type="physical",
        )
        if main and self.rand() < 0.1:
            self.p.row(
                "addresses", id=self.uid(), location_id=loc.id, attention=org.name,
                address_1=f"PO Box {self.between(100, 2999)}", address_2="Station Main", city=city.CITY,
                region=ward.name, state_province=city.PROVINCE, postal_code=self.postal_code(ward),
                country=city.COUNTRY, address_type="postal",
            )
        if self.rand() < 0.4:
            for description, details in rng.sample(ACCESSIBILITY, k=self.between(1, 2)):
                self.p.row("accessibility", id=self.uid(), location_id=loc.id, description=description,
                           details=details)
        if self.rand() < 0.3:
            self.phone(self.local_phone(), "voice", "Front desk.", location_id=loc.id)
        if self.rand() < 0.1:
            code = self.pick(("fr", *OTHER_LANGUAGES))
            self.language(code, "Front desk staff speak this language.", location_id=loc.id)
        if self.rand() < 0.3:
            kind = self.pick(("office", "office_830", "extended"))
            self.schedule(SCHEDULE_KINDS[kind], location_id=loc.id, attending="In person")

    # -- services ----------------------------------------------------------------------------------

    def service(self, org: _Org, t: ServiceTemplate, *, guaranteed: bool) -> None:
        rng = self.rng
        sid = self.uid()
        crisis_line = CRISIS_LINE in t.needs
        mode = "virtual" if crisis_line else t.mode

        # where: sites (service at location rows) or, for outreach, a ward; chosen first, they decide the
        # ward and, when the organization already offers this service, tell the offerings apart
        repeat = t.name in org.used
        org.used.add(t.name)
        places = org.places.setdefault(t.name, set())
        sites: list[_Location] = []
        suffix = ""
        ward = org.ward
        if mode in ("in_person", "hybrid") and org.physical:
            pool = [site for site in org.physical if site.id not in places] or org.physical
            if mode == "in_person" and not repeat and len(pool) > 1 and self.rand() < 0.3:
                sites = rng.sample(pool, k=2)
            else:
                sites = [self.pick(pool)]
            places.add(sites[0].id)  # the site that names it; a second site is a bonus
            assert sites[0].ward is not None
            ward = sites[0].ward
            if repeat or sites[0] is not org.physical[0]:
                suffix = sites[0].label
        elif mode == "mobile":
            if repeat:
                free = [w for w in city.WARDS if w.key not in places]
                ward = self.pick(free) if free else self.ward()
                suffix = ward.name
            places.add(ward.key)
        if (mode in ("phone", "virtual") or (mode == "hybrid" and self.rand() < 0.5) or not org.physical) \
                and org.virtual is not None and mode != "mobile":
            sites.append(org.virtual)

        ages = self.pick(t.ages)
        if ages == (None, None) and not crisis_line and self.rand() < 0.12:
            ages = (18, None)
        min_age, max_age = ages
        populations = [p for p in t.populations if self.rand() < 0.85]
        if min_age is not None and min_age >= 55 and "pop-seniors" not in populations and self.rand() < 0.8:
            populations.append("pop-seniors")
        if (min_age is not None and min_age >= 12 and max_age is not None and max_age <= 29
                and "pop-youth" not in populations and self.rand() < 0.8):
            populations.append("pop-youth")
        if not populations and self.rand() < 0.05:
            populations.append("pop-low-income")

        status = "active" if guaranteed else self.weighted(_STATUS, _STATUS_CUM)
        name = f"{t.name} – {suffix}" if suffix else t.name
        description = t.summary.format(org=org.name, city=city.CITY, ward=ward.name)
        if mode in ("in_person", "hybrid") and sites and sites[0].ward is not None:
            description += f" Offered by {org.name} in {ward.name}."
        else:
            description += f" Offered by {org.name}."
        program_id = self.pick(org.programs) if org.programs and self.rand() < 0.6 else ""
        application = t.application
        alert = ""
        if status == "temporarily closed":
            alert = "Temporarily closed for renovations; call for updates."
        elif self.rand() < 0.04:
            alert = self.pick(_ALERTS)
        languages = self.languages(org, crisis_line)
        interpretation = ""
        if len(languages) > 2 and self.rand() < 0.4:
            interpretation = "Interpretation in other languages through a telephone interpretation service."
        email = f"{self.pick(('intake', 'info', 'programs'))}@{org.host}" if self.rand() < 0.4 else ""
        wait = self.pick(_WAITS.get(application, ("About 1 week",))) if self.rand() < 0.3 else ""
        accreditation = self.pick(_ACCREDITATIONS) if org.sector.accredited and self.rand() < 0.3 else ""
        eligibility = self.eligibility(t, min_age, max_age, populations)
        self.p.line(
            "services", sid, org.id, program_id, _q(name), "", _q(description),
            f"{org.website}/services/{_slug(t.name)}", email, status, interpretation, _q(APPLICATION[application]),
            _q(FEES[t.fees][0]), _q(wait), "", accreditation, _q(eligibility), _text(min_age), _text(max_age),
            self.day_2026(), ASSURER_EMAIL, "", _q(alert),
            f"{self.day_2026()}T{self.between(8, 17):02d}:{self.below(60):02d}:00Z",
        )
        for term in t.needs:
            self.attribute(sid, term, "need", "service")
        for term in populations:
            self.attribute(sid, term, "eligibility", "service")
        if status not in ("active",):
            person, _ = self.person()
            self.p.row("metadata", id=self.uid(), resource_id=sid, resource_type="service",
                       last_action_date=self.day_2026(), last_action_type="update", field_name="status",
                       previous_value="active", replacement_value=status, updated_by=person)

        sal_ids = []
        for site in sites:
            sal_id = self.uid()
            sal_ids.append(sal_id)
            self.p.line("service_at_location", sal_id, sid, site.id,
                        "By phone and online." if site.ward is None else _q(f"At {site.name}."))
            if len(sites) > 1 and site.ward is not None and self.rand() < 0.3:
                self.phone(self.local_phone(), "voice", f"{t.name} at this site.", sal_id=sal_id)
        self.service_schedules(sid, t, mode, crisis_line, sites, sal_ids)
        self.service_phones(sid, t, mode, crisis_line)
        self.service_areas(sid, mode, crisis_line, ward, outreach_repeat=mode == "mobile" and repeat)
        for code, note in languages:
            self.language(code, note, service_id=sid)
        for option, amount, per in FEES[t.fees][1]:
            self.p.line("cost_options", self.uid(), sid, "2026-01-01", "2026-12-31", _q(option), "CAD",
                        f"{amount:.2f}", _q(per))
        for doc in t.documents:
            self.p.line("required_documents", self.uid(), sid, _q(DOCUMENTS[doc]), "")
        if self.rand() < 0.2:
            self.p.line("funding", self.uid(), "", sid, _q(self.pick(org.sector.funders)))
        if self.rand() < 0.3:
            person, handle = self.person()
            contact_id = self.uid()
            self.p.row("contacts", id=contact_id, service_id=sid, name=person,
                       title=self.pick(org.sector.titles or GENERAL_TITLES), department=self.pick(DEPARTMENTS),
                       email=f"{handle}@{org.host}")
            if self.rand() < 0.4:
                self.phone(self.local_phone(), "voice", f"Direct line for {person}.",
                           extension=str(self.between(100, 499)), contact_id=contact_id)
        if sal_ids and self.rand() < 0.03:
            person, handle = self.person()
            self.p.row("contacts", id=self.uid(), service_at_location_id=sal_ids[0], name=person,
                       title="Site Coordinator", department="Client Services", email=f"{handle}@{org.host}")

    def languages(self, org: _Org, crisis_line: bool) -> list[tuple[str, str]]:
        out = [("en", "")]
        if crisis_line or org.flagship or self.rand() < 0.45:
            out.append(("fr", "" if crisis_line or org.flagship else self.pick(LANGUAGE_NOTES)))
        extra = self.weighted((0, 1, 2, 3), [0.55, 0.8, 0.92, 1.0]) + (2 if org.sector.key == "newcomers" else 0)
        chosen: list[str] = []
        for _ in range(extra * 2):
            if len(chosen) >= extra:
                break
            code = self.weighted(OTHER_LANGUAGES, _LANG_CUM)
            if code not in chosen:
                chosen.append(code)
        out.extend((code, self.pick(LANGUAGE_NOTES)) for code in chosen)
        return out

    def eligibility(self, t: ServiceTemplate, min_age: int | None, max_age: int | None,
                    populations: list[str]) -> str:
        parts: list[str] = []
        if min_age is not None and max_age is not None:
            parts.append(f"Ages {min_age} to {max_age}.")
        elif min_age is not None:
            parts.append(f"Ages {min_age} and over.")
        elif max_age is not None:
            parts.append(f"Up to age {max_age}.")
        if populations:
            phrases = [POPULATION_PHRASES[p] for p in populations]
            joined = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
            parts.append(f"For {joined}.")
        if t.note:
            parts.append(t.note.format(city=city.CITY))
        if not parts:
            parts.append("Open to everyone; no eligibility requirements.")
        elif self.rand() < 0.5:
            parts.append(f"Open to residents of {city.CITY}.")
        return " ".join(parts)

    def service_schedules(self, sid: str, t: ServiceTemplate, mode: str, crisis_line: bool,
                          sites: list[_Location], sal_ids: list[str]) -> None:
        attending = _ATTENDING[mode]
        kinds = ("24_7",) if crisis_line else t.schedules
        physical = [(s, sal) for s, sal in zip(sites, sal_ids, strict=True) if s.ward is not None]
        if len(physical) > 1 and self.rand() < 0.5:
            for _, sal_id in physical:
                self.schedule(SCHEDULE_KINDS[self.pick(kinds)], service_at_location_id=sal_id, attending=attending)
        else:
            self.schedule(SCHEDULE_KINDS[self.pick(kinds)], service_id=sid, attending=attending)

    def schedule(self, slots: tuple[Slot, ...], *, attending: str, service_id: str = "", location_id: str = "",
                 service_at_location_id: str = "") -> None:
        offset = self.pick(_OFFSETS) if _shiftable(slots) else 0
        for slot in slots:
            notes = slot.notes or ("Closed on statutory holidays." if not slot.always_open and self.rand() < 0.2
                                   else "")
            self.p.raw("schedules", f"{self.uid()},{service_id},{location_id},{service_at_location_id},"
                                    f"{_schedule_fields(slot, offset, attending)},{_q(notes)}")

    def service_phones(self, sid: str, t: ServiceTemplate, mode: str, crisis_line: bool) -> None:
        if crisis_line:
            phone_id = self.phone(self.toll_free(), "voice", _CRISIS_PHONE, service_id=sid)
            for code in ("en", "fr"):
                self.language(code, "Answered in English and French; interpreters for over 200 other languages.",
                              phone_id=phone_id)
            if self.rand() < 0.6:
                self.phone(self.local_phone(), "text", "Text line, 24/7.", service_id=sid)
            return
        if mode in ("phone", "mobile", "virtual") or self.rand() < 0.6:
            extension = str(self.between(200, 899)) if self.rand() < 0.3 else ""
            self.phone(self.local_phone(), "voice",
                       "Intake and appointments." if mode != "mobile" else "Call to request a visit.",
                       extension=extension, service_id=sid)
        youth = any(n == "need-youth" or n.startswith("need-youth-") for n in t.needs)
        if youth and self.rand() < 0.25:
            self.phone(self.local_phone(), "text", "Text us; replies within one business day.", service_id=sid)
        if self.rand() < 0.05:
            self.phone(self.local_phone(), "fax", "Fax for referrals.", service_id=sid)

    def service_areas(self, sid: str, mode: str, crisis_line: bool, ward: city.Ward, *,
                      outreach_repeat: bool) -> None:
        wards: list[city.Ward] = []
        whole_city = False
        if crisis_line or mode == "virtual":
            whole_city = True
        elif mode == "phone":
            whole_city = self.rand() < 0.6
        elif outreach_repeat:
            wards.append(ward)
        elif mode == "mobile":
            if self.rand() < 0.4:
                whole_city = True
            else:
                wards.append(ward)
                other = self.ward()
                if other is not ward and self.rand() < 0.3:
                    wards.append(other)
        elif self.rand() < 0.12:
            wards.append(ward)
        if whole_city:
            self.p.line("service_areas", self.uid(), sid, *self.areas["city"])
        for w in wards:
            self.p.line("service_areas", self.uid(), sid, *self.areas[w.key])
