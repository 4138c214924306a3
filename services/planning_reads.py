"""Reads behind the planner analytics: agencies, ties, where services reach, supply sites, areas and the
de-identified aggregates, as plain rows, each kept until the next load (`services.derived`). The computations
are in `analytics/`; `services.planning` joins the two."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from graph.engine import GraphEngine
from graph.schema.model import ELIGIBILITY_LINK_TYPE, NON_NEED_LINK_TYPES, SECTOR_LINK_TYPE, UNLISTED_STATUSES
from queries import run
from services.derived import DERIVED


@dataclass(frozen=True)
class AgencyRow:
    id: str
    name: str
    sector: str | None


@dataclass(frozen=True)
class ServiceReachRow:
    """A service tagged with a need: its providers, the need terms, the areas it reaches and its populations."""

    id: str
    organizations: tuple[str, ...]
    needs: tuple[str, ...]
    areas: tuple[str, ...]  # areas its located locations lie in, and areas its service areas match
    populations: tuple[str, ...]


@dataclass(frozen=True)
class AreaRow:
    id: str
    name: str
    kind: str | None
    population: float | None
    extent: str | None
    within: tuple[str, ...]


@dataclass(frozen=True)
class SiteRow:
    service: str
    location: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class TermRow:
    id: str
    code: str | None
    name: str | None
    broader: tuple[str, ...]


def agencies(db: GraphEngine) -> list[AgencyRow]:
    """Every organization with its sector: its sector term (the smallest id if several), else the sector it
    states (cached until the next load)."""
    def compute() -> list[AgencyRow]:
        terms: dict[str, str] = {}
        for r in run.read(db, "analytics/agency_sectors", sectorLinkType=SECTOR_LINK_TYPE):
            terms[r["id"]] = min(terms.get(r["id"], r["sector"]), r["sector"])
        return [AgencyRow(r["id"], str(r["name"] or r["id"]), terms.get(r["id"], r["sector"]))
                for r in run.read(db, "analytics/agencies")]
    rows: list[AgencyRow] = DERIVED.get(db, "analytics-agencies", compute)
    return rows


def ties(db: GraphEngine) -> Iterator[tuple[str, str, str]]:
    """Every agency tie as (source, target, type); weights are not read: no metric uses them yet. (Plain
    tuples: at 50,000 ties a row object each costs a tenth of a second.)"""
    for r in run.read(db, "analytics/ties"):
        source, kind = r["source"], r["type"]
        for target in r["targets"]:
            yield source, target, kind


def service_reach(db: GraphEngine, *, terms: Collection[str] | None) -> list[ServiceReachRow]:
    """Services tagged with one of `terms` (any need when None), listed ones only, with their providers,
    the areas they reach and their population terms."""
    common = dict(unlisted=list(UNLISTED_STATUSES), nonNeedLinkTypes=list(NON_NEED_LINK_TYPES))
    services = (run.read(db, "analytics/all_need_services", **common) if terms is None
                else run.read(db, "analytics/need_services", terms=sorted(terms), **common))
    links: dict[str, dict[str, set[str]]] = {
        r["id"]: {"organization": set(), "area": set(), "population": set()} for r in services}
    for start in range(0, len(services), _LINK_BATCH):
        batch = [r["id"] for r in services[start:start + _LINK_BATCH]]
        for r in run.read(db, "analytics/service_links", ids=batch, eligibilityLinkType=ELIGIBILITY_LINK_TYPE):
            links[r["id"]][r["kind"]].add(r["value"])
    return [ServiceReachRow(r["id"], tuple(sorted(links[r["id"]]["organization"])), tuple(sorted(r["needs"])),
                            tuple(sorted(links[r["id"]]["area"])), tuple(sorted(links[r["id"]]["population"])))
            for r in services]


_LINK_BATCH = 20_000  # service ids per service_links call (bounded replies)


def areas(db: GraphEngine) -> list[AreaRow]:
    """Every planning area (cached until the next load: areas change only with a load)."""
    def compute() -> list[AreaRow]:
        return [AreaRow(r["id"], str(r["name"] or r["id"]), r["kind"], _number(r["population"]), r["extent"],
                        tuple(sorted(r["within"]))) for r in run.read(db, "analytics/areas")]
    rows: list[AreaRow] = DERIVED.get(db, "analytics-areas", compute)
    return rows


def supply_sites(db: GraphEngine, *, terms: Collection[str]) -> list[SiteRow]:
    rows = run.read(db, "analytics/supply_sites", terms=sorted(terms), unlisted=list(UNLISTED_STATUSES),
                    nonNeedLinkTypes=list(NON_NEED_LINK_TYPES))
    return [SiteRow(r["service"], r["location"], float(r["latitude"]), float(r["longitude"])) for r in rows]


def service_area_reach(db: GraphEngine, *, terms: Collection[str]) -> list[tuple[str, str]]:
    """(service, area) for services with a need term whose service areas match a planning area."""
    rows = run.read(db, "analytics/service_area_reach", terms=sorted(terms), unlisted=list(UNLISTED_STATUSES),
                    nonNeedLinkTypes=list(NON_NEED_LINK_TYPES))
    return [(r["service"], r["area"]) for r in rows]


def terms(db: GraphEngine) -> list[TermRow]:
    """Every taxonomy term with its direct broader terms (cached until the next load)."""
    def compute() -> list[TermRow]:
        return [TermRow(r["id"], r["code"], r["name"], tuple(sorted(r["broader"])))
                for r in run.read(db, "analytics/term_parents")]
    rows: list[TermRow] = DERIVED.get(db, "analytics-terms", compute)
    return rows


def need_counts(db: GraphEngine, *, needs: Collection[str] | None, from_month: str | None,
                to_month: str | None) -> list[tuple[str, str, str, str, int]]:
    """(quarter as YYYY-Qn, area, need as recorded, outcome, count) summed over the quarter's months in the
    period: the planner answers are built quarter by quarter (services.planning)."""
    rows = run.read(db, "analytics/need_counts", needs=sorted(needs) if needs is not None else None,
                    fromMonth=from_month, toMonth=to_month)
    return [(r["quarter"], r["area"], r["need"], r["outcome"], int(r["count"])) for r in rows]


def referral_flows(db: GraphEngine, *, needs: Collection[str] | None, from_month: str | None,
                   to_month: str | None) -> list[tuple[str, str, str, str, int]]:
    """(quarter as YYYY-Qn, sending organization, receiving organization, need as recorded, count) summed over
    the quarter's months in the period."""
    rows = run.read(db, "analytics/referral_flows", needs=sorted(needs) if needs is not None else None,
                    fromMonth=from_month, toMonth=to_month)
    return [(r["quarter"], r["source"], r["target"], r["need"], int(r["count"])) for r in rows
            if r["target"] is not None]


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
