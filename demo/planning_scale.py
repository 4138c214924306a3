"""A planning graph of any size for the analytics benchmark, written in seconds.

`generate_planning_graph_files(out, organizations=10_000, ties=50_000, services=100_000, areas=500)`
writes into `out` a lean HSDS 3.0 CSV package (the taxonomies, organizations tagged with their
sector, services tagged with their needs, one site per ten services or so, each service at a
site), and into `out/planning/` an areas GeoJSON of `areas` square-ish cells tiling the city's
bounding box (populations from the wards' densities, 400,000 in all, at least MIN_POPULATION a
cell), a ties CSV of exactly `ties` ties and, when `referrals` > 0, that many referral events
(`demo.planning.referral_events`, area ids as loaded under `area_namespace`).

Why not `demo.generator.generate_demo`: it makes one organization per four services (25,000 for
100,000 services) and full records (addresses, phones, schedules…), which take 15-20 s; the
analytics need the shape of the network, not the records' detail.

Ties: mostly within a sector (SAME_SECTOR), between natural partners (demo.planning.PARTNERS),
a few between any two sectors, and MEMBER_OF one of the district situation tables ("Hub 1"…,
one per 400 agencies); ends are drawn by a heavy-tailed activity (a few hubs, many small
agencies), and ISOLATED of the agencies have none. All deterministic by seed.

The tables' names are short on purpose: loaders.ties looks every MEMBER_OF target it does not
know up among the organizations' names (difflib, for a "did you mean"), row by row, which costs
~0.3 s a row for a long name among 10,000 organizations and ~10 ms for a name this short.
"""

from __future__ import annotations

import math
import random
import time
from bisect import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, Final

from demo import city
from demo.catalogue import PLACES, SAINTS, SECTOR_BY_KEY, SECTORS, Sector
from demo.planning import (
    AREAS_DATASET,
    AREAS_FILE,
    PARTNERS,
    PLANNING_DIR,
    REFERRAL_COLUMNS,
    REFERRALS_FILE,
    TIE_COLUMNS,
    TIES_FILE,
    Agency,
    TieTable,
    Weighted,
    area_id,
    referral_events,
    write_areas,
    write_csv,
)
from demo.taxonomy import ALL_TERMS, TAXONOMIES, VERSION

__all__ = ["ScaleSummary", "generate_planning_graph_files"]

MIN_POPULATION: Final = 25
SAME_SECTOR: Final = 0.62
PARTNER_SHARE: Final = 0.30
MEMBERSHIP: Final = 0.01  # the rest ties any two sectors
ISOLATED: Final = 0.02
SERVICES_PER_SITE: Final = 10
UNDERSERVED_SHARE: Final = 0.02
_KM_PER_DEG_LAT: Final = 111.0
_KM_PER_DEG_LON: Final = 111.32 * math.cos(math.radians((city.CITY_BBOX[1] + city.CITY_BBOX[3]) / 2))
_TABLE_SECTORS: Final = (("police", 3.0), ("crisis", 2.0), ("mental-health", 2.0), ("addiction", 1.0),
                         ("income", 1.0), ("housing", 1.0), ("youth", 0.5), ("family-violence", 0.5))


@dataclass(frozen=True)
class ScaleSummary:
    """What `generate_planning_graph_files` wrote (`folder` holds the HSDS package)."""

    folder: Path
    organizations: int
    services: int
    locations: int
    areas: int
    ties: int
    referrals: int
    area_namespace: str
    seconds: float

    @property
    def areas_path(self) -> Path:
        return self.folder / PLANNING_DIR / AREAS_FILE

    @property
    def ties_path(self) -> Path:
        return self.folder / PLANNING_DIR / TIES_FILE

    @property
    def referrals_path(self) -> Path:
        return self.folder / PLANNING_DIR / REFERRALS_FILE


@dataclass(frozen=True)
class _Cell:
    id: str
    bounds: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    population: int


def generate_planning_graph_files(
    out: Path, *, organizations: int = 10_000, ties: int = 50_000, services: int = 100_000, areas: int = 500,
    seed: int = 7, referrals: int = 0, area_namespace: str = AREAS_DATASET,
) -> ScaleSummary:
    """Write the package, the areas and the ties (and `referrals` events) into `out`; see the module."""
    if organizations < len(SECTORS):
        raise ValueError(f"organizations must be at least {len(SECTORS)} (one per sector)")
    if services < 0 or ties < 0 or referrals < 0:
        raise ValueError("services, ties and referrals must be >= 0")
    if areas < 1:
        raise ValueError("areas must be at least 1")
    started = time.perf_counter()
    rng = random.Random(f"scale:{seed}")
    out = Path(out)
    (out / PLANNING_DIR).mkdir(parents=True, exist_ok=True)
    cells = grid_cells(areas)
    write_areas(out / PLANNING_DIR / AREAS_FILE, [_feature(c) for c in cells])
    agencies = _agencies(rng, organizations)
    offered, sites = _write_package(out, rng, agencies, services, cells)
    tie_rows = scale_ties(rng, agencies, ties)
    write_csv(out / PLANNING_DIR / TIES_FILE, TIE_COLUMNS, tie_rows)
    events: list[tuple[str, ...]] = []
    if referrals:
        per_capita = sorted(cells, key=lambda c: (sites[c.id] / c.population, c.id))
        underserved = {area_id(area_namespace, c.id) for c in per_capita[:max(1, round(UNDERSERVED_SHARE * areas))]}
        events = list(referral_events(
            random.Random(f"scale-referrals:{seed}"), agencies=agencies, services_by_need=offered,
            areas=[(area_id(area_namespace, c.id), c.population) for c in cells], underserved=underserved,
            events=referrals))
        write_csv(out / PLANNING_DIR / REFERRALS_FILE, REFERRAL_COLUMNS, events)
    return ScaleSummary(out, len(agencies), services, sum(sites.values()), len(cells), len(tie_rows), len(events),
                        area_namespace, time.perf_counter() - started)


# ------------------------------------------------------------------------------------------------ areas


def grid_cells(count: int) -> list[_Cell]:
    """`count` cells tiling CITY_BBOX in rows of equal height, each row cut into equal widths, as square
    as the count allows; populations follow the wards' (a Gaussian around each ward centre)."""
    west, south, east, north = city.CITY_BBOX
    width_km, height_km = (east - west) * _KM_PER_DEG_LON, (north - south) * _KM_PER_DEG_LAT
    rows = max(1, min(count, round(math.sqrt(count * height_km / width_km))))
    base, extra = divmod(count, rows)
    boxes: list[tuple[str, tuple[float, float, float, float]]] = []
    for r in range(rows):
        cols = base + (1 if r < extra else 0)
        lat0, lat1 = south + (north - south) * r / rows, south + (north - south) * (r + 1) / rows
        for c in range(cols):
            lon0, lon1 = west + (east - west) * c / cols, west + (east - west) * (c + 1) / cols
            boxes.append((f"r{r:03d}c{c:03d}", (round(lon0, 6), round(lat0, 6), round(lon1, 6), round(lat1, 6))))
    density = [_density((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) * (b[2] - b[0]) * (b[3] - b[1]) for _, b in boxes]
    total = sum(density) or 1.0
    return [_Cell(cid, box, max(MIN_POPULATION, round(city.POPULATION * d / total)))
            for (cid, box), d in zip(boxes, density, strict=True)]


def _density(lon: float, lat: float) -> float:
    value = 0.0
    for w in city.WARDS:
        w_lon, w_lat = w.centre
        dx, dy = (lon - w_lon) * _KM_PER_DEG_LON, (lat - w_lat) * _KM_PER_DEG_LAT
        sigma = w.radius_km * 1.2
        value += w.population / (sigma * sigma) * math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma))
    return value


def _feature(cell: _Cell) -> dict[str, Any]:
    w, s, e, n = cell.bounds
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    return {"type": "Feature", "id": cell.id,
            "properties": {"name": f"Grid cell {cell.id}", "kind": "neighbourhood", "population": cell.population},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


# ---------------------------------------------------------------------------------------------- package


def _agencies(rng: random.Random, count: int) -> list[Agency]:
    """One flagship per sector, then agencies of sectors drawn by the catalogue's weights."""
    sectors = Weighted([(s, float(s.weight)) for s in SECTORS])
    names: Counter[str] = Counter()
    out = []
    for i in range(count):
        sector: Sector = SECTORS[i] if i < len(SECTORS) else sectors.pick(rng)
        if i < len(SECTORS):
            name = sector.flagship
        else:
            pattern = sector.kinds[int(rng.random() * len(sector.kinds))][0]
            place, saint = PLACES[int(rng.random() * len(PLACES))], SAINTS[int(rng.random() * len(SAINTS))]
            name = pattern.format(p=place, s=saint, c=city.CITY)
        names[name] += 1
        if names[name] > 1:
            name = f"{name} No. {names[name]}"
        out.append(Agency(f"mh-org-{i:06d}", name, sector.key, i < len(SECTORS)))
    return out


def _write_package(out: Path, rng: random.Random, agencies: list[Agency], services: int, cells: list[_Cell]
                   ) -> tuple[dict[str, list[tuple[str, str]]], Counter[str]]:
    """The lean HSDS package; returns the active services by need, and physical sites per cell."""
    counts = [1 if i < services else 0 for i in range(len(agencies))]
    size = list(accumulate(rng.paretovariate(1.2) for _ in agencies))
    for _ in range(services - sum(counts)):
        counts[min(bisect(size, rng.random() * size[-1]), len(agencies) - 1)] += 1
    where = Weighted([(c, float(c.population)) for c in cells])
    orgs, located, offered_rows, sal, attributes = [], [], [], [], []
    offered: dict[str, list[tuple[str, str]]] = {}
    sites: Counter[str] = Counter()
    templates = {s.key: Weighted([(t, float(t.weight)) for t in s.services]) for s in SECTORS}
    n_service = 0
    for agency, count in zip(agencies, counts, strict=True):
        sector = SECTOR_BY_KEY[agency.sector]
        orgs.append((agency.id, agency.name, f"{agency.name} provides {sector.about} in {city.CITY}."))
        attributes.append((f"{agency.id}-sector", agency.id, f"sector-{sector.key}", "sector", "organization"))
        own = []
        for k in range(1 + count // SERVICES_PER_SITE):
            cell = where.pick(rng)
            w, s, e, n = cell.bounds
            lon, lat = rng.uniform(w + 2e-6, e - 2e-6), rng.uniform(s + 2e-6, n - 2e-6)
            loc = f"{agency.id}-site-{k}"
            located.append((loc, "physical", agency.id, agency.name if k == 0 else f"{agency.name} – site {k + 1}",
                            f"{lat:.6f}", f"{lon:.6f}"))
            own.append(loc)
            sites[cell.id] += 1
        for _ in range(count):
            t = templates[sector.key].pick(rng)
            sid = f"mh-svc-{n_service:07d}"
            n_service += 1
            active = rng.random() < 0.95
            offered_rows.append((sid, agency.id, t.name, "active" if active else "inactive"))
            sal.append((f"{sid}-at", sid, own[int(rng.random() * len(own))]))
            for k, need in enumerate(t.needs):
                attributes.append((f"{sid}-need-{k}", sid, need, "need", "service"))
                if active:
                    offered.setdefault(need, []).append((sid, agency.id))
    _table(out, "taxonomies", ("id", "name", "description", "uri", "version"),
           [(t.id, t.name, t.description, t.uri, VERSION) for t in TAXONOMIES])
    _table(out, "taxonomy_terms", ("id", "code", "name", "description", "parent_id", "taxonomy", "language",
                                   "taxonomy_id", "term_uri"),
           [(t.id, t.code, t.name, t.description, t.parent_id, t.taxonomy.name, "en", t.taxonomy.id, t.uri)
            for t in ALL_TERMS])
    _table(out, "organizations", ("id", "name", "description"), orgs)
    _table(out, "services", ("id", "organization_id", "name", "status"), offered_rows)
    _table(out, "locations", ("id", "location_type", "organization_id", "name", "latitude", "longitude"), located)
    _table(out, "service_at_location", ("id", "service_id", "location_id"), sal)
    _table(out, "attributes", ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity"), attributes)
    return offered, sites


def _table(out: Path, stem: str, header: tuple[str, ...], rows: Sequence[Sequence[str]]) -> None:
    write_csv(out / f"{stem}.csv", header, rows)


# ------------------------------------------------------------------------------------------------- ties


def scale_ties(rng: random.Random, agencies: list[Agency], count: int) -> list[tuple[str, ...]]:
    """Exactly `count` distinct ties (see the module's docstring)."""
    isolated = set(rng.sample(range(len(SECTORS), len(agencies)), round(ISOLATED * (len(agencies) - len(SECTORS)))))
    by_sector: dict[str, list[tuple[Agency, float]]] = {s.key: [] for s in SECTORS}
    for i, a in enumerate(agencies):
        if i not in isolated:
            by_sector[a.sector].append((a, rng.paretovariate(1.3) * (10.0 if a.flagship else 1.0)))
    pick = {key: Weighted(pairs) for key, pairs in by_sector.items()}
    sectors = Weighted([(s.key, float(len(by_sector[s.key]))) for s in SECTORS])
    partners = Weighted([((a, b), w * min(len(by_sector[a]), len(by_sector[b]))) for a, b, w in PARTNERS])
    members = Weighted([(s, w) for s, w in _TABLE_SECTORS])
    tables = [f"Hub {k}" for k in range(1, max(1, len(agencies) // 400) + 1)]
    table = TieTable(rng)
    attempts = 0
    while len(table.rows) < count:
        attempts += 1
        if attempts > 20 * count + 1000:
            raise ValueError(f"cannot make {count:,} distinct ties among {len(agencies):,} organizations")
        roll = rng.random()
        if roll < MEMBERSHIP:
            a = pick[members.pick(rng)].pick(rng)
            table.add(a.id, tables[int(rng.random() * len(tables))], "MEMBER_OF", weight="",
                      source="Situation table terms of reference")
            continue
        if roll < MEMBERSHIP + SAME_SECTOR:
            s1 = s2 = sectors.pick(rng)
        elif roll < MEMBERSHIP + SAME_SECTOR + PARTNER_SHARE:
            s1, s2 = partners.pick(rng)
        else:
            s1, s2 = sectors.pick(rng), sectors.pick(rng)
        table.tie(pick[s1].pick(rng).id, pick[s2].pick(rng).id)
    return list(table.rows[:count])
