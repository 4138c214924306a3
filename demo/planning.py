"""Planning data for the demo city: ward areas, agency ties and de-identified referral events.

`write_planning_files(out, seed=7)` reads the HSDS package `demo.generator.generate_demo` wrote in
`out` (organizations and their sectors, services and their needs, sites) and writes `out/planning/`:

- `areas.geojson`: the wards (`city.WARDS` polygons, names, populations). The polygons are the
  ward service areas' own, so an Area and a ServiceArea of the same ward share their extentKey.
- `ties.csv`: agency ties with realistic silos. The sectors fall in two blocks that tie only
  within themselves (police, crisis, mental health, health, addiction, family violence, youth |
  housing, food, legal, income, employment, seniors, newcomers), mostly within a sector and
  between natural partners, plus the *Acute Risk Situation Table* (police, crisis, mental health…)
  and the *Coalition to End Homelessness* (housing, food, legal), collaboratives joined by
  MEMBER_OF. One broker bridges the blocks: the City's social services department (the income
  sector's flagship) sits at the situation table, shares data with the police and funds and
  partners with housing. So police and housing agencies are tied only through it (an
  articulation point, top betweenness), and mental health and housing not at all. A few agencies
  have no tie. `weight` is a 1-5 strength, dollars a year for FUNDS.
- `referrals.csv`: twelve months (2025) of events, 15 per service, from agencies to agencies or
  services for needs of the demo taxonomy, in the wards (ids as the areas loader stores them:
  `f"{area_namespace}:{ward key}"`). Most are `referred`; `unmet:waitlist|not-eligible|no-service`
  concentrate on housing and mental-health needs in the two wards with the fewest sites for them
  per resident. Housing needs are often referred by mental-health agencies and back (a flow with
  no tie: a sector gap). Rare needs leave counts below 5 a month (small-count suppression).
  No person appears in any row: dates, agency and service ids, need ids, area ids, outcomes.

Load them with the dataset ids AREAS_DATASET, TIES_DATASET and REFERRALS_DATASET (the referral
rows name areas by AREAS_DATASET). Everything is deterministic by seed.
"""

from __future__ import annotations

import calendar
import csv
import json
import math
import random
from bisect import bisect
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from demo import city
from demo.catalogue import SECTOR_BY_KEY
from demo.taxonomy import TERMS_BY_ID, top_need

__all__ = [
    "AREAS_DATASET", "REFERRALS_DATASET", "TIES_DATASET", "Agency", "PlanningSummary", "area_id", "referral_events",
    "write_planning_files",
]

T = TypeVar("T")

PLANNING_DIR: Final = "planning"
AREAS_FILE: Final = "areas.geojson"
TIES_FILE: Final = "ties.csv"
REFERRALS_FILE: Final = "referrals.csv"
AREAS_DATASET: Final = "demo-areas"
TIES_DATASET: Final = "demo-ties"
REFERRALS_DATASET: Final = "demo-referrals"
AREA_KIND: Final = "ward"
TIE_COLUMNS: Final = ("from_org", "to_org", "type", "since", "weight", "source")
REFERRAL_COLUMNS: Final = ("date", "from_org", "to_org_or_service", "need_code", "area_id", "outcome")
YEAR: Final = 2025
EVENTS_PER_SERVICE: Final = 15
STICKY: Final = 0.8  # how often an agency refers a need to its usual recipient

SITUATION_TABLE: Final = "Acute Risk Situation Table"
COALITION: Final = "Coalition to End Homelessness"
BROKER_SECTOR: Final = "income"  # its flagship, City of Maple Harbour Social Services, is the broker
BLOCKS: Final[tuple[tuple[str, ...], tuple[str, ...]]] = (
    ("police", "crisis", "mental-health", "health", "addiction", "family-violence", "youth"),
    ("housing", "food", "legal", "income", "employment", "seniors", "newcomers"),
)
# Natural partners (both in one block) and how many extra ties per agency of the smaller sector.
PARTNERS: Final[tuple[tuple[str, str, float], ...]] = (
    ("health", "mental-health", 0.8), ("crisis", "mental-health", 1.0), ("addiction", "mental-health", 1.0),
    ("addiction", "health", 0.8), ("police", "crisis", 1.0), ("police", "family-violence", 0.8),
    ("youth", "mental-health", 0.4), ("family-violence", "crisis", 0.5),
    ("housing", "food", 0.5), ("housing", "legal", 0.8), ("income", "employment", 0.6),
    ("newcomers", "employment", 0.6), ("newcomers", "legal", 0.5), ("seniors", "food", 0.5),
    ("income", "legal", 0.5), ("food", "income", 0.4),
)
TIE_KINDS: Final = (("REFERS_TO", 0.45), ("PARTNERS_WITH", 0.35), ("SHARES_DATA_WITH", 0.2))
RECIPROCATED: Final = 0.25  # share of REFERS_TO ties answered by one back
MUTUAL: Final = frozenset({"PARTNERS_WITH", "SHARES_DATA_WITH"})
SURVEY: Final = f"{YEAR} service-mapping survey"

# Referral demand: need term -> weight (leaf needs, a few common ones dominate).
DEMAND: Final[tuple[tuple[str, float], ...]] = (
    ("need-housing-shelter", 20), ("need-mental-health-counselling", 15), ("need-food-bank", 12),
    ("need-housing-rent-assistance", 7), ("need-housing-supportive", 6), ("need-income-benefits", 6),
    ("need-health-primary-care", 6), ("need-mental-health-addiction-treatment", 5), ("need-housing-search", 5),
    ("need-income-emergency-aid", 4), ("need-food-meals", 4), ("need-crisis-mobile", 3),
    ("need-legal-tenant-rights", 3), ("need-safety-family-violence", 3), ("need-employment-job-search", 3),
    ("need-seniors-home-care", 3), ("need-mental-health-crisis-counselling", 2), ("need-youth-shelter", 2),
    ("need-newcomer-settlement", 2), ("need-legal-aid", 2), ("need-mental-health-peer-support", 2),
    ("need-health-dental", 2), ("need-health-harm-reduction", 1.5), ("need-safety-victim-services", 1),
    ("need-employment-training", 1), ("need-legal-id-clinic", 1), ("need-seniors-transportation", 1),
    ("need-youth-drop-in", 1), ("need-income-tax-clinic", 0.5), ("need-newcomer-interpretation", 0.5),
    ("need-legal-immigration", 0.4),
)
# Who refers people with a need (by top-level need): sector -> weight.
REFERRERS: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "need-housing": (("mental-health", 30), ("income", 15), ("health", 10), ("police", 8), ("crisis", 8),
                     ("food", 8), ("addiction", 6), ("family-violence", 5), ("legal", 5), ("youth", 5)),
    "need-mental-health": (("housing", 30), ("health", 20), ("police", 10), ("crisis", 10), ("youth", 8),
                           ("income", 5), ("food", 5), ("addiction", 5)),
    "need-food": (("income", 20), ("housing", 20), ("health", 10), ("seniors", 10), ("newcomers", 10),
                  ("mental-health", 10), ("youth", 5)),
    "need-health": (("mental-health", 20), ("housing", 15), ("seniors", 10), ("newcomers", 10), ("youth", 10),
                    ("food", 10), ("addiction", 8), ("crisis", 5)),
    "need-income": (("housing", 20), ("employment", 15), ("legal", 15), ("food", 15), ("newcomers", 10),
                    ("mental-health", 10), ("seniors", 5)),
    "need-crisis": (("police", 40), ("health", 20), ("mental-health", 20), ("housing", 10), ("youth", 10)),
    "need-legal": (("housing", 30), ("income", 20), ("newcomers", 20), ("family-violence", 10),
                   ("mental-health", 10)),
    "need-safety": (("police", 40), ("health", 15), ("crisis", 15), ("housing", 15), ("youth", 15)),
    "need-employment": (("income", 30), ("newcomers", 25), ("youth", 20), ("housing", 15), ("mental-health", 10)),
    "need-newcomer": (("employment", 25), ("legal", 20), ("health", 20), ("food", 20), ("income", 15)),
    "need-seniors": (("health", 50), ("seniors", 20), ("food", 15), ("housing", 15)),
    "need-youth": (("youth", 20), ("mental-health", 20), ("police", 20), ("health", 20), ("housing", 20)),
}
# Needs whose unmet demand concentrates in the under-served areas.
GAP_NEEDS: Final = frozenset({
    "need-housing-shelter", "need-housing-supportive", "need-mental-health-counselling",
    "need-mental-health-addiction-treatment",
})
UNDERSERVED_WARDS: Final = 2
SEASON: Final = (1.3, 1.25, 1.1, 1.0, 0.9, 0.85, 0.85, 0.9, 1.0, 1.05, 1.15, 1.3)  # January … December
_UNMET_GAP: Final = 0.45  # chance a gap need goes unmet in an under-served area
_UNMET_BASE: Final = 0.05
_REASONS_GAP: Final = (("unmet:waitlist", 0.55), ("unmet:no-service", 0.25), ("unmet:not-eligible", 0.2))
_REASONS_BASE: Final = (("unmet:waitlist", 0.5), ("unmet:not-eligible", 0.4), ("unmet:no-service", 0.1))


def area_id(namespace: str, source_id: str) -> str:
    """The id loaders.areas gives a feature with id `source_id` loaded under dataset id `namespace`."""
    return f"{namespace}:{source_id}"


@dataclass(frozen=True)
class Agency:
    """An organization as the planning data sees it."""

    id: str
    name: str
    sector: str
    flagship: bool


@dataclass(frozen=True)
class PlanningSummary:
    """What `write_planning_files` wrote, and the structure worth knowing about."""

    folder: Path
    areas: int
    ties: int
    referrals: int
    broker_id: str
    broker_name: str
    isolates: tuple[str, ...]  # agency ids with no tie
    underserved: tuple[str, ...]  # ward keys where unmet needs concentrate
    area_namespace: str

    @property
    def areas_path(self) -> Path:
        return self.folder / AREAS_FILE

    @property
    def ties_path(self) -> Path:
        return self.folder / TIES_FILE

    @property
    def referrals_path(self) -> Path:
        return self.folder / REFERRALS_FILE


def write_planning_files(out: Path, *, seed: int = 7, area_namespace: str = AREAS_DATASET) -> PlanningSummary:
    """Write areas, ties and referral events for the demo package in `out` into `out/planning/`."""
    out = Path(out)
    agencies = read_agencies(out)
    services = read_services_by_need(out)
    folder = out / PLANNING_DIR
    folder.mkdir(parents=True, exist_ok=True)
    write_areas(folder / AREAS_FILE, [ward_feature(w) for w in city.WARDS])
    ties, broker, isolates = demo_ties(random.Random(f"ties:{seed}"), agencies)
    write_csv(folder / TIES_FILE, TIE_COLUMNS, ties)
    underserved = underserved_wards(out, {sid for need in sorted(GAP_NEEDS) for sid, _ in services.get(need, ())})
    events = referral_events(
        random.Random(f"referrals:{seed}"), agencies=agencies, services_by_need=services,
        areas=[(area_id(area_namespace, w.key), w.population) for w in city.WARDS],
        underserved={area_id(area_namespace, key) for key in underserved},
        events=max(600, EVENTS_PER_SERVICE * sum(1 for _ in _rows(out, "services"))),
    )
    write_csv(folder / REFERRALS_FILE, REFERRAL_COLUMNS, events)
    return PlanningSummary(folder, len(city.WARDS), len(ties), len(events), broker.id, broker.name,
                           tuple(a.id for a in isolates), underserved, area_namespace)


# --------------------------------------------------------------------------------------------- reading


def _rows(package: Path, stem: str) -> Iterator[dict[str, str]]:
    with (package / f"{stem}.csv").open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def read_agencies(package: Path) -> list[Agency]:
    """The package's organizations in file order, with their sector (flagships are named after it)."""
    sectors = {r["link_id"]: r["taxonomy_term_id"].removeprefix("sector-") for r in _rows(package, "attributes")
               if r["link_type"] == "sector" and r["link_entity"] == "organization"}
    agencies = []
    for row in _rows(package, "organizations"):
        sector = sectors.get(row["id"], "")
        flagship = sector in SECTOR_BY_KEY and row["name"] == SECTOR_BY_KEY[sector].flagship
        agencies.append(Agency(row["id"], row["name"], sector, flagship))
    return agencies


def read_services_by_need(package: Path) -> dict[str, list[tuple[str, str]]]:
    """Need term id -> (service id, organization id) of the active services tagged with it, in file order."""
    active = {r["id"]: r["organization_id"] for r in _rows(package, "services") if r["status"] == "active"}
    by_need: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in _rows(package, "attributes"):
        if r["link_type"] == "need" and r["link_entity"] == "service" and r["link_id"] in active:
            by_need[r["taxonomy_term_id"]].append((r["link_id"], active[r["link_id"]]))
    return dict(by_need)


def underserved_wards(package: Path, services: Collection[str], count: int = UNDERSERVED_WARDS) -> tuple[str, ...]:
    """The `count` wards with the fewest physical sites of `services` per resident (ties: city order)."""
    wards = {r["id"]: _ward_at(float(r["longitude"]), float(r["latitude"])) for r in _rows(package, "locations")
             if r["location_type"] == "physical" and r["latitude"] and r["longitude"]}
    sites = Counter(wards[r["location_id"]].key for r in _rows(package, "service_at_location")
                    if r["service_id"] in services and r["location_id"] in wards)
    ranked = sorted(range(len(city.WARDS)), key=lambda i: (sites[city.WARDS[i].key] / city.WARDS[i].population, i))
    return tuple(city.WARDS[i].key for i in ranked[:count])


def _ward_at(lon: float, lat: float) -> city.Ward:
    """The ward whose circle the point lies in (nearest relative to the radius)."""
    k = math.cos(math.radians(lat))

    def reach(w: city.Ward) -> float:
        c_lon, c_lat = w.centre
        return math.hypot((lon - c_lon) * k, lat - c_lat) * 111.0 / w.radius_km

    return min(city.WARDS, key=reach)


# --------------------------------------------------------------------------------------------- writing


def ward_feature(ward: city.Ward) -> dict[str, Any]:
    return {
        "type": "Feature", "id": ward.key,
        "properties": {"name": ward.name, "kind": AREA_KIND, "population": ward.population, "uri": ward.uri},
        "geometry": {"type": "Polygon", "coordinates": [ward.polygon()]},
    }


def write_areas(path: Path, features: Sequence[dict[str, Any]]) -> None:
    """A GeoJSON FeatureCollection (WGS 84), one feature per line."""
    lines = ",\n".join(json.dumps(f, separators=(",", ":"), ensure_ascii=False) for f in features)
    path.write_text('{"type":"FeatureCollection","features":[\n' + lines + "\n]}\n", encoding="utf-8")


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


# ----------------------------------------------------------------------------------------------- ties


class Weighted(Generic[T]):
    """Items drawn with replacement in proportion to their weights."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cum = list(accumulate(weight for _, weight in pairs))

    def __bool__(self) -> bool:
        return bool(self.items) and self.cum[-1] > 0

    def pick(self, rng: random.Random) -> T:
        index = bisect(self.cum, rng.random() * self.cum[-1])
        return self.items[index] if index < len(self.items) else self.items[-1]


_TIE_KIND: Final = Weighted(TIE_KINDS)


class TieTable:
    """Tie rows without repeats: a mutual tie (PARTNERS_WITH, SHARES_DATA_WITH) once whichever way round."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[tuple[str, str, str, str, str, str]] = []
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, a: str, b: str, kind: str, *, since: str | None = None, weight: str | None = None,
            source: str = SURVEY) -> bool:
        """Add a tie unless it is a loop or already there; `since` and `weight` are drawn when None."""
        key = (min(a, b), kind, max(a, b)) if kind in MUTUAL else (a, kind, b)
        if a == b or key in self._seen:
            return False
        self._seen.add(key)
        self.rows.append((a, b, kind, self.since() if since is None else since,
                          str(1 + int(self.rng.random() * 5)) if weight is None else weight, source))
        return True

    def tie(self, a: str, b: str) -> None:
        """A tie of a random kind; a referral sometimes answered by one back."""
        kind = _TIE_KIND.pick(self.rng)
        if self.rng.random() < 0.5:
            a, b = b, a
        if self.add(a, b, kind) and kind == "REFERS_TO" and self.rng.random() < RECIPROCATED:
            self.add(b, a, kind)

    def since(self) -> str:
        year = 2006 + int(self.rng.random() * (YEAR - 2005))
        return str(year) if self.rng.random() < 0.7 else f"{year}-{1 + int(self.rng.random() * 12):02d}"


def demo_ties(rng: random.Random, agencies: Sequence[Agency]) -> tuple[list[tuple[str, ...]], Agency, list[Agency]]:
    """The demo's ties, its broker and its isolated agencies (see the module's docstring)."""
    broker = next(a for a in agencies if a.sector == BROKER_SECTOR and a.flagship)
    isolates = _isolates(rng, agencies, broker)
    left_out = {a.id for a in isolates}
    members: dict[str, list[Agency]] = defaultdict(list)
    for a in agencies:
        if a.id not in left_out:
            members[a.sector].append(a)  # the flagship first: the generator writes flagships first
    table = TieTable(rng)
    for sector in (*BLOCKS[0], *BLOCKS[1]):
        group = members.get(sector, [])
        for i, agency in enumerate(group[1:], start=1):  # a tree: every agency reaches its sector
            other = group[0] if rng.random() < 0.6 else group[rng.randrange(i)]
            table.tie(agency.id, other.id)
        for _ in range(int(0.4 * len(group))):
            a, b = rng.sample(group, 2)
            table.tie(a.id, b.id)
    for s1, s2, per_agency in PARTNERS:
        g1, g2 = members.get(s1, []), members.get(s2, [])
        if not g1 or not g2:
            continue
        table.add(g1[0].id, g2[0].id, "PARTNERS_WITH")  # the flagships keep the block together
        for _ in range(round(per_agency * min(len(g1), len(g2)))):
            table.tie(rng.choice(g1).id, rng.choice(g2).id)
    table_members = [*members.get("police", [])[:3], *members.get("crisis", [])[:1],
                     *members.get("mental-health", [])[:2], *members.get("addiction", [])[:1],
                     *members.get("family-violence", [])[:1], *members.get("youth", [])[:1], broker]
    for agency in table_members:
        table.add(agency.id, SITUATION_TABLE, "MEMBER_OF", since="2019-09", weight="",
                  source="Situation table terms of reference")
    for agency in [*members.get("housing", [])[:4], *members.get("food", [])[:1], *members.get("legal", [])[:1],
                   broker]:
        table.add(agency.id, COALITION, "MEMBER_OF", since="2016", weight="", source="Coalition membership list")
    police, housing = members.get("police", []), members.get("housing", [])
    if police:  # the broker's ties into the police block
        table.add(broker.id, police[0].id, "SHARES_DATA_WITH", since="2020-01", source="Data-sharing agreement")
        table.add(police[0].id, broker.id, "REFERS_TO")
    if housing:  # and into housing: it funds shelters and housing help (the municipal service manager)
        table.add(broker.id, housing[0].id, "PARTNERS_WITH")
        for agency in housing[:4]:
            table.add(broker.id, agency.id, "FUNDS", since=f"{rng.randint(2012, 2024)}-04",
                      weight=str(rng.randrange(50_000, 1_500_000, 5_000)),
                      source="City of Maple Harbour funding agreements")
        for agency in housing[1:3]:
            table.add(broker.id, agency.id, "REFERS_TO")
    return list(table.rows), broker, isolates


_ISOLATE_SECTORS: Final = ("seniors", "newcomers", "employment", "youth", "food", "health", "legal")


def _isolates(rng: random.Random, agencies: Sequence[Agency], broker: Agency) -> list[Agency]:
    """A few agencies with no tie: small ones of peripheral sectors, or (tiny packages) two flagships."""
    candidates = [a for a in agencies if a.sector in _ISOLATE_SECTORS and not a.flagship]
    if len(candidates) < 2:
        candidates = [a for a in agencies if a.sector in ("seniors", "newcomers") and a.flagship]
    count = min(len(candidates), max(2, round(0.04 * len(agencies))))
    chosen = {a.id for a in rng.sample(candidates, count)} - {broker.id}
    return [a for a in agencies if a.id in chosen]


# ------------------------------------------------------------------------------------------ referrals


def referral_events(
    rng: random.Random, *, agencies: Sequence[Agency], services_by_need: Mapping[str, Sequence[tuple[str, str]]],
    areas: Sequence[tuple[str, int]], underserved: Collection[str], events: int,
) -> list[tuple[str, str, str, str, str, str]]:
    """`events` de-identified referral events of YEAR, sorted by date: (date, from_org,
    to_org_or_service, need_code, area_id, outcome). Areas are (id, population).

    Pathways are sticky, as in practice: an agency sends most people with a need to its usual
    recipient, so the busiest flows reach counts worth showing and the rest stay small."""
    by_sector: dict[str, list[tuple[Agency, float]]] = defaultdict(list)
    for a in agencies:
        by_sector[a.sector].append((a, rng.paretovariate(1.5) * (4.0 if a.flagship else 1.0)))
    referrers = {need: Weighted([(Weighted(by_sector[s]), w) for s, w in pairs if by_sector.get(s)])
                 for need, pairs in REFERRERS.items()}
    recipients = {need: _recipients(rng, need, services_by_need) for need, _ in DEMAND}
    usual: dict[tuple[str, str], tuple[str, str]] = {}
    demand = Weighted(DEMAND)
    plain = Weighted([(a, float(p)) for a, p in areas])
    gap = Weighted([(a, p * (1.6 if a in underserved else 1.0)) for a, p in areas])
    months = Weighted(list(enumerate(SEASON, start=1)))
    reasons_gap, reasons_base = Weighted(_REASONS_GAP), Weighted(_REASONS_BASE)
    out = []
    for _ in range(events):
        need = demand.pick(rng)
        in_gap = need in GAP_NEEDS
        area = (gap if in_gap else plain).pick(rng)
        month = months.pick(rng)
        day = rng.randint(1, calendar.monthrange(YEAR, month)[1])
        sender = referrers[top_need(need)].pick(rng).pick(rng).id
        recipient = _recipient(rng, recipients[need], usual, sender, need)
        hard = in_gap and area in underserved
        if not recipient:
            outcome = "unmet:no-service"
        elif rng.random() < (_UNMET_GAP if hard else _UNMET_BASE):
            outcome = (reasons_gap if hard else reasons_base).pick(rng)
        else:
            outcome = "referred"
        if outcome == "unmet:no-service":
            recipient = ""
        out.append((f"{YEAR}-{month:02d}-{day:02d}", sender, recipient, need, area, outcome))
    out.sort(key=lambda row: row[0])
    return out


def _recipients(rng: random.Random, need: str, services_by_need: Mapping[str, Sequence[tuple[str, str]]]
                ) -> Weighted[tuple[str, str]]:
    """(recipient id, its provider's id): a service tagged with the need (or its top-level need), or
    its organization; some are much busier than others."""
    services = services_by_need.get(need) or services_by_need.get(top_need(need)) or ()
    pairs: list[tuple[tuple[str, str], float]] = []
    for service_id, org_id in services:
        busy = rng.paretovariate(1.2)
        pairs.append(((service_id, org_id), busy * 0.6))
        pairs.append(((org_id, org_id), busy * 0.4))
    return Weighted(pairs)


def _recipient(rng: random.Random, pool: Weighted[tuple[str, str]], usual: dict[tuple[str, str], tuple[str, str]],
               sender: str, need: str) -> str:
    """Where `sender` refers someone with `need`: usually where it did before, never to itself; "" when
    nothing in the city meets the need."""
    if not pool:
        return ""
    key = (sender, need)
    if key in usual and rng.random() < STICKY:
        return usual[key][0]
    for _ in range(5):
        recipient, provider = pool.pick(rng)
        if provider != sender:
            usual.setdefault(key, (recipient, provider))
            return recipient
    return ""


def _check_tables() -> None:
    """The tables above name only need terms of the demo taxonomy and sectors of the catalogue."""
    needs = [n for n, _ in DEMAND] + list(REFERRERS)
    unknown = [n for n in needs if n not in TERMS_BY_ID] + [
        s for pairs in REFERRERS.values() for s, _ in pairs if s not in SECTOR_BY_KEY]
    if unknown:
        raise AssertionError(f"demo.planning names unknown terms or sectors: {unknown}")


_check_tables()
