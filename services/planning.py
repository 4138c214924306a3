"""The planner analytics as plain functions: read rows (`services.planning_reads`), compute (`analytics/`).

The GraphQL layer (`api.planning_schema`) only parses arguments and maps these results to types;
`bench/analytics.py` times these same functions. Definitions: docs/analytics.md.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from typing import Final

import shapely
from shapely.geometry import shape

from analytics.accessibility import (
    Accessibility,
    AccessibilityInputError,
    DecayStep,
    DemandPoint,
    SupplySite,
    default_steps,
    two_step_fca,
)
from analytics.network import COLLABORATIVE_SECTOR, Agency, AgencyGraph, NetworkSummary, Tie, summarize
from analytics.silos import (
    OrganizationReach,
    SectorGap,
    SiloReport,
    referral_cooccurrence,
    sector_gaps,
    shared_need_cooccurrence,
    unlinked_overlaps,
)
from analytics.suppression import (
    DEFAULT_THRESHOLD,
    SUPPRESSED,
    ZERO,
    Cell,
    Group,
    TableKey,
    is_small,
    over_quarters,
    rounded_up,
    share,
    suppress,
    suppress_table,
)
from analytics.taxonomy import TermTree
from graph.engine import GraphEngine
from services import planning_reads as reads
from services.derived import DERIVED
from services.search import need_terms

MAX_HOPS_LIMIT: Final = 4
WARM_EVERY_S: Final = 5.0
log = logging.getLogger("safetynet.api")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class PlanningInputError(ValueError):
    """Planner input that the caller can fix; the message says what to change."""


class AccessMethod(Enum):
    TWO_SFCA = "TWO_SFCA"
    E2SFCA = "E2SFCA"


class DemandBasis(Enum):
    POPULATION = "POPULATION"
    NEED_COUNTS = "NEED_COUNTS"


class FlowGrouping(Enum):
    ORGANIZATION = "ORGANIZATION"
    SECTOR = "SECTOR"


class GapBasis(Enum):
    REFERRALS = "REFERRALS"
    SHARED_NEEDS = "SHARED_NEEDS"


# ---------------------------------------------------------------- shared pieces

@dataclass(frozen=True)
class NeedScope:
    """A need argument resolved: the term ids (with every term below), and their ids and codes (aggregates
    keep a need as the source wrote it: an id or a code)."""

    terms: frozenset[str]
    refs: frozenset[str]


def need_scope(db: GraphEngine, need: Sequence[str] | None) -> NeedScope | None:
    if not need:
        return None
    terms = need_terms(db, need)
    codes = {t.code for t in reads.terms(db) if t.id in terms and t.code}
    return NeedScope(terms, frozenset(terms | codes))


def check_months(from_month: str | None, to_month: str | None) -> None:
    """A period is whole calendar quarters: `from` the first month of one, `to` the last month of one (either
    may be left open). Counts are suppressed quarter by quarter and longer periods built from them, so that
    subtracting two periods can only ever give whole quarters (docs/analytics.md, "Periods")."""
    for name, value, example in (("from", from_month, "2026-01"), ("to", to_month, "2026-03")):
        if value is not None and not _MONTH.match(value):
            raise PlanningInputError(f"{name} must be a month written YYYY-MM (e.g. {example}), not {value!r}")
    why = "periods are whole quarters so that no small count can be worked out by subtracting two periods"
    if from_month is not None and from_month != (start := _quarter_of(from_month)[0]):
        raise PlanningInputError(
            f"from must be the first month of a calendar quarter (YYYY-01, -04, -07 or -10), not {from_month!r}: "
            f'{why} (send from: "{start}" for the quarter {from_month} is in)')
    if to_month is not None and to_month != (end := _quarter_of(to_month)[1]):
        raise PlanningInputError(
            f"to must be the last month of a calendar quarter (YYYY-03, -06, -09 or -12), not {to_month!r}: "
            f'{why} (send to: "{end}" for the quarter {to_month} is in)')
    if from_month and to_month and from_month > to_month:
        raise PlanningInputError(f"from ({from_month}) is after to ({to_month})")


def _quarter_of(month: str) -> tuple[str, str]:
    """The first and last months (YYYY-MM) of the calendar quarter a month (YYYY-MM) is in."""
    first = int(month[5:7]) - (int(month[5:7]) - 1) % 3
    return f"{month[:4]}-{first:02d}", f"{month[:4]}-{first + 2:02d}"


def term_names(db: GraphEngine) -> dict[str, str]:
    return {t.id: t.name or t.id for t in reads.terms(db)}


def term_tree(db: GraphEngine) -> TermTree:
    tree: TermTree = DERIVED.get(db, "analytics-term-tree",
                                 lambda: TermTree({t.id: t.broader for t in reads.terms(db)}))
    return tree


def areas_below(db: GraphEngine, area: str) -> set[str]:
    """The area and every area within it (WITHIN, any depth); PlanningInputError when there is no such area."""
    rows = reads.areas(db)
    if not any(a.id == area for a in rows):
        raise PlanningInputError(f"unknown area: {area!r} (areas are listed by the `areas` query)")
    children: dict[str, list[str]] = defaultdict(list)
    for a in rows:
        for parent in a.within:
            children[parent].append(a.id)
    found, stack = {area}, [area]
    while stack:
        for child in children[stack.pop()]:
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _agency_rows(db: GraphEngine) -> list[Agency]:
    return [Agency(a.id, a.name, a.sector) for a in reads.agencies(db)]


def agency_graph(db: GraphEngine, *, include_funds: bool = False) -> tuple[AgencyGraph, dict[str, Agency]]:
    """The agency network and the agencies by id (built once per graph version: ties change only with a load)."""
    def compute() -> tuple[AgencyGraph, dict[str, Agency]]:
        agencies = _agency_rows(db)
        ties = [Tie(source, target, kind) for source, target, kind in reads.ties(db)]
        return AgencyGraph.build(agencies, ties, include_funds=include_funds), {a.id: a for a in agencies}
    built: tuple[AgencyGraph, dict[str, Agency]] = DERIVED.get(db, ("analytics-agency-graph", include_funds),
                                                               compute)
    return built


def _sector_ids(db: GraphEngine, sector: str) -> str:
    """A sector given as a term id, a term code or a plain sector name → the key agencies carry."""
    for t in reads.terms(db):
        if sector in (t.id, t.code):
            return t.id
    return sector


# ---------------------------------------------------------------- silos

@dataclass(frozen=True)
class SiloResult:
    report: SiloReport
    max_hops: int
    need_level: int | None
    organizations: int  # organizations taking part (with a need in scope reaching an area in scope)


def silos(db: GraphEngine, *, need: Sequence[str] | None, area: str | None, area_kind: str | None,
          sector: str | None, max_hops: int, need_level: int | None, same_population: bool,
          include_funds: bool = False, max_pairs: int | None = None) -> SiloResult:
    """Pairs of organizations whose services address the same need in the same area with no path of
    length ≤ max_hops between them in the agency network."""
    if not 1 <= max_hops <= MAX_HOPS_LIMIT:
        raise PlanningInputError(f"maxHops must be between 1 and {MAX_HOPS_LIMIT}")
    if need_level is not None and need_level < 0:
        raise PlanningInputError("needLevel must be ≥ 0 (0 = top-level needs)")
    scope = need_scope(db, need)
    in_scope = _area_filter(db, area=area, area_kind=area_kind)
    # the network (when not built yet) and the need's services are read side by side: the server works on
    # one while this process decodes the other
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner-network") as pool:
        network = pool.submit(agency_graph, db, include_funds=include_funds)
        reach_rows = reads.service_reach(db, terms=scope.terms if scope else None)
        graph, agencies = network.result()
    sector_key = _sector_ids(db, sector) if sector else None
    tree = term_tree(db)
    cells: dict[str, set[tuple[str, str]]] = defaultdict(set)
    populations: dict[str, set[str]] = defaultdict(set)
    everyone: set[str] = set()  # organizations with a service for everyone (no population terms)
    for row in reach_rows:
        reached = [a for a in row.areas if in_scope(a)]
        if not reached:
            continue
        needs = {tree.roll_up(n, need_level) for n in row.needs}
        for org in row.organizations:
            agency = agencies.get(org)
            if agency is None or agency.sector == COLLABORATIVE_SECTOR:
                continue
            if sector_key is not None and agency.sector != sector_key:
                continue
            cells[org].update((n, a) for n in needs for a in reached)
            if row.populations:
                populations[org].update(row.populations)
            else:
                everyone.add(org)
    reach = [OrganizationReach(org, agencies[org].name, agencies[org].sector, frozenset(c),
                               frozenset() if org in everyone else frozenset(populations[org]))
             for org, c in sorted(cells.items())]
    report = unlinked_overlaps(reach, linked_within=lambda org: graph.within_hops(org, max_hops),
                               same_population=same_population, max_pairs=max_pairs)
    return SiloResult(report, max_hops, need_level, len(reach))


def _area_filter(db: GraphEngine, *, area: str | None, area_kind: str | None) -> _AreaTest:
    rows = reads.areas(db)
    allowed = areas_below(db, area) if area else None
    if area_kind is not None and not any(a.kind == area_kind for a in rows):
        kinds = sorted({a.kind for a in rows if a.kind})
        raise PlanningInputError(f"no areas of kind {area_kind!r} (kinds: {', '.join(kinds) or 'none loaded'})")
    kind_of = {a.id: a.kind for a in rows}
    return _AreaTest(allowed, area_kind, kind_of)


@dataclass(frozen=True)
class _AreaTest:
    allowed: set[str] | None
    kind: str | None
    kind_of: dict[str, str | None]

    def __call__(self, area: str) -> bool:
        if self.allowed is not None and area not in self.allowed:
            return False
        return self.kind is None or self.kind_of.get(area) == self.kind


# ---------------------------------------------------------------- network

def agency_network(db: GraphEngine, *, sector: str | None, area: str | None, include_funds: bool = False,
                   top: int = 10, seed: int = 7) -> NetworkSummary:
    """The agency network's summary, over the whole graph or the organizations of a sector / with a listed
    service reaching an area or one within it (a location there, or a service area matching it); ties among
    the organizations kept only."""
    graph, agencies = agency_graph(db, include_funds=include_funds)
    keep: set[str] | None = None
    if sector:
        key = _sector_ids(db, sector)
        keep = {a.id for a in agencies.values() if a.sector == key}
        if not keep:
            raise PlanningInputError(f"no organizations in sector {sector!r}")
    if area:
        present = _organizations_in(db, areas_below(db, area))
        keep = present if keep is None else keep & present
        if not keep:
            of = f"of sector {sector!r} " if sector else ""
            raise PlanningInputError(f"no organizations {of}have a service reaching area {area!r}")
    if keep is not None:
        graph = graph.restricted(keep)
    return summarize(graph, seed=seed, top=top)


def _organizations_in(db: GraphEngine, areas: set[str]) -> set[str]:
    return {org for row in reads.service_reach(db, terms=None) if any(a in areas for a in row.areas)
            for org in row.organizations}


# ---------------------------------------------------------------- sector gaps

@dataclass(frozen=True)
class GapResult:
    gap: SectorGap
    suppressed: bool  # a named pair whose referral co-occurrence is below the threshold (shown as 0)


def sector_gap_list(db: GraphEngine, *, basis: GapBasis, pairs: Sequence[tuple[str, str]] | None,
                    from_month: str | None, to_month: str | None, include_funds: bool = False,
                    threshold: int = DEFAULT_THRESHOLD) -> list[GapResult]:
    """Sector pairs whose work co-occurs (referrals between them, or needs both address) with few ties.
    Referral-based co-occurrence is a count, taken quarter by quarter: a pair below the suppression threshold
    in any quarter is left out (or, when named in `pairs`, flagged suppressed); otherwise it is the sum of its
    quarters' counts, each rounded up to a multiple of the threshold."""
    if (from_month or to_month) and basis is GapBasis.SHARED_NEEDS:
        raise PlanningInputError("from/to apply to basis REFERRALS only (shared needs have no period)")
    check_months(from_month, to_month)
    graph, agencies = agency_graph(db, include_funds=include_funds)
    sector_of = {a.id: a.sector for a in agencies.values() if a.sector != COLLABORATIVE_SECTOR}
    cooccurrence: dict[tuple[str, str], float]
    if basis is GapBasis.REFERRALS:
        quarters: dict[str, list[tuple[str | None, str | None, int]]] = defaultdict(list)
        for quarter, source, target, _need, n in reads.referral_flows(db, needs=None, from_month=from_month,
                                                                       to_month=to_month):
            quarters[quarter].append((sector_of.get(source), sector_of.get(target), n))
        # quarter by quarter: a pair with a small count in any quarter is left out (a longer period minus a
        # shorter one would give that count back); the others are the sum of their quarters' counts, each rounded
        # up to the threshold (exact ones, set beside referralFlows, could give a suppressed flow back)
        small: set[tuple[str, str]] = set()
        rounded: Counter[tuple[str, str]] = Counter()
        for rows in quarters.values():
            for key, value in referral_cooccurrence(rows).items():
                if is_small(int(value), threshold):
                    small.add(key)
                rounded[key] += rounded_up(int(value), threshold)
        cooccurrence = {k: float(v) for k, v in rounded.items() if k not in small}
    else:
        needs_by_sector: dict[str, set[str]] = defaultdict(set)
        for row in reads.service_reach(db, terms=None):
            for org in row.organizations:
                if sector_of.get(org):
                    needs_by_sector[str(sector_of[org])].update(row.needs)
        cooccurrence = shared_need_cooccurrence(needs_by_sector)
        small = set()
    if pairs:
        keys = ((_sector_ids(db, a), _sector_ids(db, b)) for a, b in pairs)
        wanted = {(min(a, b), max(a, b)) for a, b in keys if a != b}
        cooccurrence = {k: cooccurrence.get(k, 0.0) for k in wanted}
    gaps = sector_gaps(sector_of, graph.undirected_pairs(), cooccurrence)
    return [GapResult(g, (g.sector_a, g.sector_b) in small) for g in gaps]


# ---------------------------------------------------------------- coverage

@dataclass(frozen=True)
class AreaCoverage:
    id: str
    name: str
    kind: str | None
    demand: Cell  # population, or need counts (suppressed when small)
    population_known: bool
    score: float
    ratio_to_average: float | None
    sites_in_reach: int
    supply_in_reach: float
    nearest_site_km: float | None
    services_by_service_area: int  # services whose service area matches the area
    desert: bool


@dataclass(frozen=True)
class CoverageResult:
    method: AccessMethod
    demand_basis: DemandBasis
    area_kind: str
    catchment_km: float
    steps: tuple[DecayStep, ...] | None
    areas: list[AreaCoverage]
    unplaced_areas: int  # areas of the kind without a usable extent (no centroid to measure from)
    sites: int
    access: Accessibility
    total_demand: Cell


def coverage(db: GraphEngine, *, need: Sequence[str], area_kind: str | None, catchment_km: float,
             method: AccessMethod, steps: Sequence[DecayStep] | None, demand_basis: DemandBasis,
             desert_below: float, from_month: str | None, to_month: str | None,
             threshold: int = DEFAULT_THRESHOLD) -> CoverageResult:
    """Two-step floating catchment accessibility of the need's service sites from each area's centroid."""
    if not need:
        raise PlanningInputError("coverage needs a need (a taxonomy term id or code)")
    if desert_below < 0:
        raise PlanningInputError("desertBelow must be ≥ 0 (a share of the regional average, e.g. 0.5)")
    if steps is not None and method is AccessMethod.TWO_SFCA:
        raise PlanningInputError("steps apply to method E2SFCA only (TWO_SFCA weighs every site in the catchment 1)")
    if (from_month or to_month) and demand_basis is DemandBasis.POPULATION:
        raise PlanningInputError("from/to apply to demand NEED_COUNTS only (populations have no period)")
    check_months(from_month, to_month)
    scope = need_scope(db, need)
    assert scope is not None
    rows = reads.areas(db)
    kind = area_kind or _most_common_kind(rows)
    chosen = [a for a in rows if a.kind == kind]
    if not chosen:
        kinds = sorted({a.kind for a in rows if a.kind})
        raise PlanningInputError(f"no areas of kind {kind!r} (kinds: {', '.join(kinds) or 'none loaded'})")
    centroids = area_centroids(db)
    placed = [a for a in chosen if a.id in centroids]
    if demand_basis is DemandBasis.POPULATION:
        demand = {a.id: int(a.population or 0) for a in placed}
        demand_cells = {a.id: Cell.shown(demand[a.id]) for a in placed}
        total_demand = Cell.shown(sum(demand.values()))
    else:
        quarters: dict[str, Counter[str]] = defaultdict(Counter)
        for quarter, area_id, _need, _outcome, n in reads.need_counts(db, needs=scope.refs, from_month=from_month,
                                                                        to_month=to_month):
            quarters[quarter][area_id] += n
        ids = [a.id for a in placed]
        cells = over_quarters(_demand_cells(counts, ids, threshold) for counts in quarters.values())
        demand_cells = {a: cells.get(a, ZERO) for a in ids}
        total_demand = cells.get(None, ZERO)
        # scores are computed from each quarter's count rounded up to the threshold: a score (with its sites in
        # reach) would otherwise give a suppressed count back, and a period's rounded demand is then its
        # quarters' (the rounding of a longer period minus a shorter one is not narrower than a quarter's)
        demand = {a: sum(rounded_up(counts[a], threshold) for counts in quarters.values()) for a in ids}
    sites = reads.supply_sites(db, terms=scope.terms)
    chosen_steps = None if method is AccessMethod.TWO_SFCA else tuple(steps or default_steps(catchment_km))
    try:
        access = two_step_fca(
            [DemandPoint(a.id, centroids[a.id][1], centroids[a.id][0], float(demand[a.id])) for a in placed],
            [SupplySite(f"{s.service}@{s.location}", s.latitude, s.longitude) for s in sites],
            catchment_km=catchment_km, steps=chosen_steps)
    except AccessibilityInputError as exc:
        raise PlanningInputError(str(exc)) from None
    by_area: Counter[str] = Counter(area for _, area in reads.service_area_reach(db, terms=scope.terms))
    results = []
    for a, acc in zip(placed, access.areas, strict=True):
        low = acc.ratio_to_average is not None and acc.ratio_to_average < desert_below
        results.append(AreaCoverage(
            id=a.id, name=a.name, kind=a.kind, demand=demand_cells[a.id], population_known=a.population is not None,
            score=acc.score, ratio_to_average=acc.ratio_to_average, sites_in_reach=acc.sites_in_reach,
            supply_in_reach=acc.supply_in_reach, nearest_site_km=acc.nearest_site_km,
            services_by_service_area=by_area[a.id],
            desert=acc.population > 0 and (acc.score == 0 or low)))
    return CoverageResult(method, demand_basis, kind, catchment_km, chosen_steps, results,
                          len(chosen) - len(placed), len(sites), access, total_demand)


def _demand_cells(counts: Counter[str], areas: Sequence[str], threshold: int) -> dict[str | None, Cell]:
    """One quarter's need counts per area, small ones hidden, and their total (key None). No exact total is
    shown when a count is hidden: beside the rounded scores, the rounding intervals of two hidden counts and
    their known sum could pin both (11..15 and 1..5 summing to 12 are 11 and 1)."""
    cells: dict[str | None, Cell] = {
        a: SUPPRESSED if is_small(counts[a], threshold) else Cell.shown(counts[a]) for a in areas}
    hidden = any(c.suppressed for c in cells.values())
    cells[None] = SUPPRESSED if hidden else Cell.shown(sum(counts[a] for a in areas))
    return cells


def _most_common_kind(rows: Sequence[reads.AreaRow]) -> str:
    kinds = Counter(a.kind for a in rows if a.kind)
    if not kinds:
        raise PlanningInputError("no planning areas loaded (safetynet load areas FILE)")
    return sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def area_centroids(db: GraphEngine) -> dict[str, tuple[float, float]]:
    """Each area's centroid (longitude, latitude) from its extent; areas without a usable extent are left out."""
    def compute() -> dict[str, tuple[float, float]]:
        out: dict[str, tuple[float, float]] = {}
        for a in reads.areas(db):
            if not a.extent:
                continue
            try:
                geometry = shape(json.loads(a.extent))
            except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException):
                continue
            if geometry.is_empty:
                continue
            c = geometry.centroid
            out[a.id] = (float(c.x), float(c.y))
        return out
    centroids: dict[str, tuple[float, float]] = DERIVED.get(db, "analytics-centroids", compute)
    return centroids


# ---------------------------------------------------------------- unmet needs

@dataclass(frozen=True)
class OutcomeTable:
    """Counts by area (rows) and outcome (columns), with totals, suppressed together."""

    areas: list[tuple[str, str]]  # (id, name), ordered by name
    outcomes: list[str]
    cells: dict[TableKey, Cell]


def unmet_needs(db: GraphEngine, *, area: str | None, need: Sequence[str] | None, from_month: str | None,
                to_month: str | None, threshold: int = DEFAULT_THRESHOLD) -> OutcomeTable:
    check_months(from_month, to_month)
    scope = need_scope(db, need)
    allowed = areas_below(db, area) if area else None
    names = {a.id: a.name for a in reads.areas(db)}
    quarters: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for quarter, area_id, _need, outcome, n in reads.need_counts(db, needs=scope.refs if scope else None,
                                                                   from_month=from_month, to_month=to_month):
        if allowed is None or area_id in allowed:
            quarters[quarter][area_id, outcome] += n
    # each quarter is a table suppressed on its own; the period shows a figure only where every quarter does
    cells = over_quarters(suppress_table(dict(counts), threshold=threshold) for counts in quarters.values())
    area_ids = sorted({a for counts in quarters.values() for a, _ in counts}, key=lambda a: (names.get(a, a), a))
    outcomes = sorted({o for counts in quarters.values() for _, o in counts})
    for a in area_ids:  # an area and an outcome never in the same quarter: 0 in every quarter
        for o in outcomes:
            cells.setdefault(TableKey(a, o), ZERO)
    return OutcomeTable([(a, names.get(a, a)) for a in area_ids], outcomes, cells)


# ---------------------------------------------------------------- referral flows

@dataclass(frozen=True)
class Flow:
    source: str  # organization id or sector key
    target: str
    cell: Cell


@dataclass(frozen=True)
class FlowResult:
    group_by: FlowGrouping
    flows: list[Flow]  # shown counts largest first, then the suppressed ones by key
    total: Cell
    within_sector: Cell  # between two organizations of the same (known) sector
    across_sectors: Cell  # between organizations of two different known sectors
    unknown_sector: Cell  # an end of unknown sector
    within_sector_share: float | None  # within / (within + across), when both are shown
    sent: dict[str, Cell]  # SECTOR only: referrals sent by each sector (row totals)
    received: dict[str, Cell]  # SECTOR only: referrals received by each sector (column totals)


UNKNOWN_SECTOR: Final = "unknown"
_TOTAL, _WITHIN, _ACROSS, _UNKNOWN = "total", "within", "across", "unknown"


def referral_flows(db: GraphEngine, *, group_by: FlowGrouping, need: Sequence[str] | None,
                   from_month: str | None, to_month: str | None,
                   threshold: int = DEFAULT_THRESHOLD) -> FlowResult:
    """Referral counts between organizations or sectors. Every figure shown — each flow, the total, the
    within/across/unknown-sector split and (by sector) what each sector sent and received — is suppressed
    together, quarter by quarter: each is a group with a shown total (analytics.suppression), so no hidden flow
    can be worked out from the others; and the period shows a figure only where each of its quarters does, so
    none can be worked out by subtracting two periods either."""
    check_months(from_month, to_month)
    scope = need_scope(db, need)
    sector_of = {a.id: a.sector or UNKNOWN_SECTOR for a in reads.agencies(db)}
    quarters: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    kind: dict[tuple[str, str], str] = {}
    for quarter, source, target, _need, n in reads.referral_flows(db, needs=scope.refs if scope else None,
                                                                   from_month=from_month, to_month=to_month):
        ends = (sector_of.get(source, UNKNOWN_SECTOR), sector_of.get(target, UNKNOWN_SECTOR))
        key = (source, target) if group_by is FlowGrouping.ORGANIZATION else ends
        quarters[quarter][key] += n
        kind[key] = _UNKNOWN if UNKNOWN_SECTOR in ends else _WITHIN if ends[0] == ends[1] else _ACROSS
    cells = over_quarters(_flow_cells(pairs, kind, group_by, threshold) for pairs in quarters.values())
    flows = [Flow(s, t, cells["flow", (s, t)]) for s, t in sorted(kind) if any(q[s, t] for q in quarters.values())]
    flows.sort(key=lambda f: (f.cell.suppressed, -(f.cell.value or 0), f.source, f.target))
    within, across = cells.get(_WITHIN, ZERO), cells.get(_ACROSS, ZERO)
    both = Cell.shown((within.value or 0) + (across.value or 0))
    sectors = sorted({s for k in kind for s in k}) if group_by is FlowGrouping.SECTOR else []
    return FlowResult(
        group_by, flows, cells.get(_TOTAL, ZERO), within, across, cells.get(_UNKNOWN, ZERO),
        share(within, both) if not (within.suppressed or across.suppressed) else None,
        {s: cells.get(("sent", s), ZERO) for s in sectors}, {s: cells.get(("received", s), ZERO) for s in sectors})


def _flow_cells(pairs: Counter[tuple[str, str]], kind: dict[tuple[str, str], str], group_by: FlowGrouping,
                threshold: int) -> dict[Hashable, Cell]:
    """One quarter's figures, suppressed together: the flows ("flow", key), the total, the within / across /
    unknown-sector parts, and under SECTOR each sector's ("sent", sector) and ("received", sector)."""
    keys = sorted(pairs)
    counts: dict[Hashable, int] = {("flow", k): pairs[k] for k in keys}
    counts[_TOTAL] = sum(pairs.values())
    groups: list[Group[Hashable]] = [Group(tuple(("flow", k) for k in keys), _TOTAL)]
    for part in (_WITHIN, _ACROSS, _UNKNOWN):
        members = tuple(("flow", k) for k in keys if kind[k] == part)
        counts[part] = sum(pairs[k] for k in keys if kind[k] == part)
        groups.append(Group(members, part))
    groups.append(Group((_WITHIN, _ACROSS, _UNKNOWN), _TOTAL))
    sectors = sorted({s for k in keys for s in k}) if group_by is FlowGrouping.SECTOR else []
    for side, at in (("sent", 0), ("received", 1)):
        for sector in sectors:
            members = tuple(("flow", k) for k in keys if k[at] == sector)
            counts[side, sector] = sum(pairs[k] for k in keys if k[at] == sector)
            groups.append(Group(members, (side, sector)))
        if sectors:
            groups.append(Group(tuple((side, sector) for sector in sectors), _TOTAL))
    return suppress(counts, groups, threshold=threshold)


# ---------------------------------------------------------------- keeping the derived network warm

def warm(db: GraphEngine) -> None:
    """Build what the planner queries derive from the whole graph (the agency network, areas and their
    centroids, agencies, the taxonomy), unless it is already built for the graph's current version."""
    agency_graph(db)
    area_centroids(db)
    term_tree(db)


class Warmer:
    """A background thread that keeps `warm(db)` current: after a load (noticed within seconds), the first
    planner request does not pay for rebuilding the agency network (1-3 s at 10k organizations)."""

    def __init__(self, db: GraphEngine, every_s: float = WARM_EVERY_S) -> None:
        self._db, self._every_s = db, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="planner-warmer", daemon=True)

    def start(self) -> Warmer:
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                warm(self._db)
            except Exception:  # the database may be down or mid-restart: the next round tries again
                log.warning("planner cache warm-up failed; retrying in %.0f s", self._every_s, exc_info=True)
            self._stop.wait(self._every_s)
