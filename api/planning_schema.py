"""GraphQL fields for Community Safety and Well-Being planners (planner and admin roles).

Thin over `services.planning`: parse arguments, call one function, map its result. Every count derived from
referral or need data is a `Count` that may be suppressed, quarter by quarter (docs/analytics.md, "Privacy of
aggregates").
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from analytics.accessibility import DecayStep
from analytics.network import NetworkSummary
from analytics.suppression import Cell, TableKey
from api.context import Context
from api.limits import MAX_PAGE_SIZE
from api.paging import PageInfo, page_info
from api.permissions import planner_only
from domain.paging import check_first, cursor_at, offset_after
from services import planning
from services import planning_reads as reads

strawberry.enum(planning.AccessMethod, description=(
    "TWO_SFCA: the two-step floating catchment area (every site within the catchment counts fully). "
    "E2SFCA: the enhanced form, with stepped distance-decay weights."))
strawberry.enum(planning.DemandBasis, description=(
    "POPULATION: each area's population property. NEED_COUNTS: the de-identified need counts recorded in the "
    "area for the need (all outcomes) in the period."))
strawberry.enum(planning.FlowGrouping, description="Group referral counts by organization or sector.")
strawberry.enum(planning.GapBasis, description=(
    "REFERRALS: referrals between the two sectors (either direction) in the period, each quarter's count rounded "
    "up to a multiple of the suppression threshold and summed; pairs with fewer than the threshold in any quarter "
    "left out. "
    "SHARED_NEEDS: how many need terms both sectors' services address."))

_LIST_CAP = MAX_PAGE_SIZE
_QUARTERS = ("Periods are whole calendar quarters, so that subtracting two periods cannot give a suppressed count "
             "back. ")
FromMonth = Annotated[str | None, strawberry.argument(name="from", description=(
    _QUARTERS + "The first month, YYYY-MM, the first of a quarter (YYYY-01, -04, -07 or -10); open when left out."))]
ToMonth = Annotated[str | None, strawberry.argument(description=(
    _QUARTERS + "The last month, YYYY-MM, the last of a quarter (YYYY-03, -06, -09 or -12); open when left out."))]


@strawberry.type(description=(
    "A count from referral or need data. Counts from 1 to the suppression threshold − 1 (default 5) are "
    "suppressed: `suppressed` is true and `value` null; so is a second count where a shown total would "
    "otherwise give a suppressed one away. This is done quarter by quarter: over several quarters a count is the "
    "sum of its quarters' counts, shown only when each of them is shown, so no two periods' counts differ by a "
    "suppressed one. Not covered: subtracting answers for different needs, areas, groupings or thresholds, or "
    "from before and after a load (docs/analytics.md, \"Privacy of aggregates\")."))
class Count:
    value: int | None
    suppressed: bool


def _count(cell: Cell) -> Count:
    return Count(value=cell.value, suppressed=cell.suppressed)


@strawberry.type(description="An organization, by id and name, with its sector.")
class AgencyRef:
    id: strawberry.ID
    name: str
    sector: SectorRef | None


@strawberry.type(description="A sector: a sector taxonomy term (id and name), or the sector an organization states.")
class SectorRef:
    id: strawberry.ID
    name: str


@strawberry.type(description="A planning area (neighbourhood, ward…).")
class AreaRef:
    id: strawberry.ID
    name: str
    kind: str | None


@strawberry.type(description="A need (taxonomy term).")
class NeedRef:
    id: strawberry.ID
    name: str


class _Names:
    """Names of organizations, sectors, areas and terms, read once per resolver."""

    def __init__(self, info: Info[Context, None]) -> None:
        db = info.context.db
        self.terms = planning.term_names(db)
        self.agencies = {a.id: a for a in reads.agencies(db)}
        self.areas = {a.id: a for a in reads.areas(db)}

    def sector(self, key: str | None) -> SectorRef | None:
        return None if key is None else SectorRef(id=strawberry.ID(key), name=self.terms.get(key, key))

    def agency(self, id: str) -> AgencyRef:
        a = self.agencies.get(id)
        return AgencyRef(id=strawberry.ID(id), name=a.name if a else id, sector=self.sector(a.sector if a else None))

    def area(self, id: str) -> AreaRef:
        a = self.areas.get(id)
        return AreaRef(id=strawberry.ID(id), name=a.name if a else id, kind=a.kind if a else None)

    def need(self, id: str) -> NeedRef:
        return NeedRef(id=strawberry.ID(id), name=self.terms.get(id, id))


# ---------------------------------------------------------------- silos

@strawberry.type(description="Two organizations whose services address the same needs in the same areas, unlinked.")
class SiloPair:
    a: AgencyRef
    b: AgencyRef
    shared_needs: list[NeedRef]
    shared_areas: list[AreaRef]
    shared_cells: int = strawberry.field(description="(need, area) cells both cover.")
    overlap: int = strawberry.field(description="Shared needs × shared areas: the ranking.")


@strawberry.type(description="One (need, area) cell: how many organizations cover it, how many pairs are unlinked.")
class SiloCell:
    need: NeedRef
    area: AreaRef
    organizations: int
    pairs: int
    siloed_pairs: int
    linked_pairs: int | None = strawberry.field(description="Null with samePopulation (the rest mixes linked and "
                                                            "population-incompatible pairs).")


@strawberry.type(description="A silo pair and its cursor.")
class SiloPairEdge:
    cursor: str
    node: SiloPair


@strawberry.type(description="Unlinked overlap: a page of silo pairs, ranked, and the counts per area × need.")
class SiloConnection:
    edges: list[SiloPairEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Silo pairs in all.")
    overlapping_pairs: int = strawberry.field(description="Pairs that overlap, linked or not.")
    organizations: int = strawberry.field(description="Organizations with a need in scope reaching an area in scope.")
    max_hops: int
    cells: list[SiloCell] = strawberry.field(description="Cells with ≥ 2 organizations, most siloed pairs first "
                                                         f"(the first {_LIST_CAP}).")

    nodes: list[SiloPair] = strawberry.field(
        description="The pairs of the page, in order (the edges' nodes): a convenience.")


# ---------------------------------------------------------------- network

@strawberry.type(description="Ties within and across one sector (Krackhardt's E-I index).")
class SectorMixing:
    sector: SectorRef
    organizations: int
    internal_ties: int
    external_ties: int
    ei_index: float | None = strawberry.field(description="(E − I) / (E + I): −1 all within the sector, +1 all across.")


@strawberry.type(description="A broker: an organization many shortest paths between others run through.")
class Broker:
    organization: AgencyRef
    degree: int
    betweenness: float
    normalized_betweenness: float
    constraint: float | None = strawberry.field(description="Burt's constraint: low = spans structural holes.")


@strawberry.type(description="A single point of failure: without it, its part of the network falls apart.")
class ArticulationPoint:
    organization: AgencyRef
    pieces: int = strawberry.field(description="Parts its component falls into without it.")


@strawberry.type(description="A tie whose loss disconnects the network.")
class Bridge:
    a: AgencyRef
    b: AgencyRef


@strawberry.type(description="A community found by modularity (Louvain, seeded so it repeats).")
class Community:
    index: int
    size: int
    members: list[AgencyRef] = strawberry.field(description=f"The first {_LIST_CAP} members by id.")
    sectors: list[SectorShare]


@strawberry.type
class SectorShare:
    sector: SectorRef | None
    organizations: int


@strawberry.type
class TieCount:
    type: str
    count: int


@strawberry.type(description="The agency network G (REFERS_TO ∪ PARTNERS_WITH ∪ SHARES_DATA_WITH ∪ co-membership, "
                             "FUNDS when asked), treated as undirected except for reciprocity. See docs/analytics.md.")
class AgencyNetwork:
    nodes: int
    ties: int
    ties_by_type: list[TieCount]
    ignored_ties: int
    density: float
    components: int
    largest_component_share: float | None
    isolates: int
    degree_centralization: float | None
    reciprocity: float | None = strawberry.field(description="Share of REFERS_TO ties returned in kind.")
    ei_index: float | None
    sectors: list[SectorMixing]
    brokers: list[Broker]
    betweenness_exact: bool
    betweenness_pivots: int | None = strawberry.field(description="Sampled source organizations when estimated.")
    articulation_points: list[ArticulationPoint] = strawberry.field(description=f"The first {_LIST_CAP}.")
    articulation_point_count: int
    bridges: list[Bridge] = strawberry.field(description=f"The first {_LIST_CAP}.")
    bridge_count: int
    modularity: float | None
    communities: list[Community] = strawberry.field(description=f"The largest {_LIST_CAP}.")


def _network_of(summary: NetworkSummary, names: _Names) -> AgencyNetwork:
    return AgencyNetwork(
        nodes=summary.nodes, ties=summary.ties,
        ties_by_type=[TieCount(type=t, count=n) for t, n in summary.ties_by_type],
        ignored_ties=summary.ignored_ties, density=summary.density, components=summary.components,
        largest_component_share=summary.largest_component_share, isolates=summary.isolates,
        degree_centralization=summary.degree_centralization, reciprocity=summary.reciprocity,
        ei_index=summary.ei_index,
        sectors=[SectorMixing(sector=names.sector(s.sector) or SectorRef(id=strawberry.ID(s.sector), name=s.sector),
                              organizations=s.organizations, internal_ties=s.internal_ties,
                              external_ties=s.external_ties, ei_index=s.ei_index) for s in summary.sectors],
        brokers=[Broker(organization=names.agency(b.id), degree=b.degree, betweenness=b.betweenness,
                        normalized_betweenness=b.normalized_betweenness, constraint=b.constraint)
                 for b in summary.brokers],
        betweenness_exact=summary.betweenness_exact, betweenness_pivots=summary.betweenness_pivots,
        articulation_points=[ArticulationPoint(organization=names.agency(p.id), pieces=p.pieces)
                             for p in summary.articulation_points[:_LIST_CAP]],
        articulation_point_count=len(summary.articulation_points),
        bridges=[Bridge(a=names.agency(a), b=names.agency(b)) for a, b in summary.bridges[:_LIST_CAP]],
        bridge_count=len(summary.bridges), modularity=summary.modularity,
        communities=[Community(index=c.index, size=c.size, members=[names.agency(m) for m in c.members[:_LIST_CAP]],
                               sectors=[SectorShare(sector=names.sector(s), organizations=n) for s, n in c.sectors])
                     for c in summary.communities[:_LIST_CAP]],
    )


# ---------------------------------------------------------------- sector gaps

@strawberry.input(description="Two sectors (term ids or codes, or stated sector names).")
class SectorPairInput:
    a: strawberry.ID
    b: strawberry.ID


@strawberry.type(description="Two sectors whose work co-occurs, and how tied they are.")
class SectorGap:
    sector_a: SectorRef
    sector_b: SectorRef
    organizations_a: int
    organizations_b: int
    cooccurrence: float | None = strawberry.field(description=(
        "REFERRALS: referrals between the two sectors, rounded up to a multiple of the suppression threshold; "
        "null when suppressed. SHARED_NEEDS: need terms both sectors' services address."))
    suppressed: bool = strawberry.field(description="A pair named in `pairs` with too few referrals to show.")
    ties: int = strawberry.field(description="Organization pairs across the two sectors with a tie.")
    possible: int
    tie_density: float | None
    ties_per_cooccurrence: float | None = strawberry.field(description="The ranking: fewest first.")


# ---------------------------------------------------------------- coverage

@strawberry.input(description="E2SFCA: weight for distances up to upToKm (after the previous step).")
class DecayStepInput:
    up_to_km: float
    weight: float


@strawberry.type
class DecayStepType:
    up_to_km: float
    weight: float


@strawberry.type(description="One area's accessibility to the need's services.")
class AreaCoverage:
    area: AreaRef
    demand: Count = strawberry.field(description="Population, or need counts (suppressed when small).")
    population_known: bool
    score: float = strawberry.field(description="A_i: supply per person reachable from the area (2SFCA/E2SFCA).")
    ratio_to_average: float | None = strawberry.field(description="A_i over the population-weighted regional average.")
    sites_in_reach: int
    supply_in_reach: float
    nearest_site_km: float | None
    services_by_service_area: int = strawberry.field(description="Services whose service area matches the area.")
    desert: bool = strawberry.field(description="Score 0, or ratio below desertBelow (areas with demand only).")


@strawberry.type(description="Spatial accessibility of one need's services, per area.")
class CoverageReport:
    method: planning.AccessMethod
    demand: planning.DemandBasis
    area_kind: str
    catchment_km: float
    steps: list[DecayStepType] | None
    regional_average: float | None
    total_demand: Count
    total_supply: float = strawberry.field(description="Supply sites (service × location), capacity 1 each.")
    supply_with_catchment: float = strawberry.field(description="Σ demand × score: supply of sites someone can reach.")
    sites: int
    unplaced_areas: int = strawberry.field(description="Areas of the kind without an extent to measure from.")
    deserts: int
    areas: list[AreaCoverage] = strawberry.field(description="Lowest score first.")


# ---------------------------------------------------------------- unmet needs and flows

@strawberry.type
class OutcomeCount:
    outcome: str
    count: Count


@strawberry.type
class AreaOutcomes:
    area: AreaRef
    total: Count
    outcomes: list[OutcomeCount]


@strawberry.type(description="Need counts by area and outcome (referred, unmet:<reason>), suppressed together.")
class UnmetNeeds:
    outcomes: list[str]
    areas: list[AreaOutcomes]
    totals: list[OutcomeCount]
    total: Count


@strawberry.type(description="An organization or a sector at one end of a referral flow.")
class FlowEnd:
    id: strawberry.ID
    name: str


@strawberry.type
class ReferralFlow:
    source: FlowEnd = strawberry.field(name="from")
    target: FlowEnd = strawberry.field(name="to")
    count: Count


@strawberry.type
class SectorFlowTotals:
    sector: FlowEnd
    sent: Count
    received: Count


@strawberry.type(description="Referral counts between organizations or sectors, and the share staying in a sector.")
class ReferralFlows:
    group_by: planning.FlowGrouping
    flows: list[ReferralFlow] = strawberry.field(description=f"Largest first, then the suppressed (first {_LIST_CAP}).")
    flow_count: int = strawberry.field(description=(
        "Flows whose count is shown (however many `first` lists). Suppressed flows are listed after them, not "
        "counted."))
    total: Count
    within_sector: Count = strawberry.field(description="Between organizations of the same sector.")
    across_sectors: Count = strawberry.field(description="Between organizations of two different sectors.")
    unknown_sector: Count = strawberry.field(description="With an organization of unknown sector at one end.")
    within_sector_share: float | None
    by_sector: list[SectorFlowTotals]


# ---------------------------------------------------------------- the fields

@strawberry.type(description="A planning area and its cursor.")
class AreaEdge:
    cursor: str
    node: AreaRef


@strawberry.type(description="A page of planning areas (Relay connection).")
class AreaConnection:
    edges: list[AreaEdge]
    page_info: PageInfo
    total_count: int

    nodes: list[AreaRef] = strawberry.field(
        description="The areas of the page, in order (the edges' nodes): a convenience.")


def _threshold(info: Info[Context, None]) -> int:
    return info.context.suppress_below


@strawberry.type
class PlanningQuery:
    @strawberry.field(description="Planning areas (neighbourhoods, wards…), of one kind or all, by name.")
    def areas(self, info: Info[Context, None], kind: str | None = None, first: int = 50,
              after: str | None = None) -> AreaConnection:
        check_first(first, MAX_PAGE_SIZE)
        rows = sorted((a for a in reads.areas(info.context.db) if kind is None or a.kind == kind),
                      key=lambda a: (a.name, a.id))
        start = offset_after(after)
        page = rows[start:start + first]
        edges = [AreaEdge(cursor=cursor_at(start + i), node=AreaRef(id=strawberry.ID(a.id), name=a.name, kind=a.kind))
                 for i, a in enumerate(page)]
        return AreaConnection(
            edges=edges, nodes=[edge.node for edge in edges], total_count=len(rows),
            page_info=page_info(start, len(page), len(rows)))

    @strawberry.field(extensions=[planner_only()], description=(
        "Unlinked overlap (planner): pairs of organizations whose services address the same need (the same term, "
        "or the same ancestor at needLevel) and reach the same areas (locations in the area, or a service area "
        "matching it), with no path of ≤ maxHops ties between them in the agency network; ranked by shared needs "
        "× shared areas, with the evidence. With samePopulation, only pairs serving a common population."))
    def silos(self, info: Info[Context, None], need: list[strawberry.ID] | None = None,
              area: strawberry.ID | None = None, area_kind: str | None = None, sector: strawberry.ID | None = None,
              max_hops: int = 2, need_level: int | None = None, same_population: bool = False,
              include_funds: bool = False, first: int = 20, after: str | None = None) -> SiloConnection:
        check_first(first, MAX_PAGE_SIZE)
        start = offset_after(after)
        result = planning.silos(info.context.db, need=[str(n) for n in need or ()], area=_opt(area),
                                area_kind=area_kind, sector=_opt(sector), max_hops=max_hops, need_level=need_level,
                                same_population=same_population, include_funds=include_funds,
                                max_pairs=start + first)
        names = _Names(info)
        report = result.report
        page = report.pairs[start:start + first]
        edges = [SiloPairEdge(cursor=cursor_at(start + i),
                              node=SiloPair(a=names.agency(p.a), b=names.agency(p.b),
                                            shared_needs=[names.need(n) for n in p.shared_needs],
                                            shared_areas=[names.area(a) for a in p.shared_areas],
                                            shared_cells=p.shared_cells, overlap=p.overlap))
                 for i, p in enumerate(page)]
        return SiloConnection(
            edges=edges, nodes=[edge.node for edge in edges],
            page_info=page_info(start, len(page), report.total_pairs), total_count=report.total_pairs,
            overlapping_pairs=report.overlapping_pairs, organizations=result.organizations, max_hops=max_hops,
            cells=[SiloCell(need=names.need(c.need), area=names.area(c.area), organizations=c.organizations,
                            pairs=c.pairs, siloed_pairs=c.siloed_pairs, linked_pairs=c.linked_pairs)
                   for c in report.cells[:_LIST_CAP]])

    @strawberry.field(extensions=[planner_only()], description=(
        "The agency network's structure (planner): size, density, components, centralization, reciprocity, "
        "E-I index per sector, brokers (betweenness, Burt's constraint), single points of failure (articulation "
        "points, bridges) and communities, for all organizations or those of a sector / present in an area."))
    def agency_network(self, info: Info[Context, None], sector: strawberry.ID | None = None,
                       area: strawberry.ID | None = None, include_funds: bool = False,
                       top: int = 10) -> AgencyNetwork:
        check_first(top, MAX_PAGE_SIZE)
        summary = planning.agency_network(info.context.db, sector=_opt(sector), area=_opt(area),
                                          include_funds=include_funds, top=top)
        return _network_of(summary, _Names(info))

    @strawberry.field(extensions=[planner_only()], description=(
        "Disconnected sectors (planner): sector pairs whose work co-occurs (basis) but which have few ties, "
        "fewest ties per unit of co-occurrence first. `pairs` limits the answer to the pairs named. With "
        "REFERRALS, from..to is whole calendar quarters."))
    def sector_gaps(self, info: Info[Context, None], basis: planning.GapBasis = planning.GapBasis.REFERRALS,
                    pairs: list[SectorPairInput] | None = None,
                    from_: FromMonth = None, to: ToMonth = None, include_funds: bool = False,
                    first: int = 20) -> list[SectorGap]:
        check_first(first, MAX_PAGE_SIZE)
        gaps = planning.sector_gap_list(info.context.db, basis=basis,
                                        pairs=[(str(p.a), str(p.b)) for p in pairs or ()] or None,
                                        from_month=from_, to_month=to, include_funds=include_funds,
                                        threshold=_threshold(info))
        names = _Names(info)
        return [SectorGap(sector_a=_sector(names, r.gap.sector_a), sector_b=_sector(names, r.gap.sector_b),
                          organizations_a=r.gap.organizations_a, organizations_b=r.gap.organizations_b,
                          cooccurrence=None if r.suppressed else r.gap.cooccurrence, suppressed=r.suppressed,
                          ties=r.gap.ties, possible=r.gap.possible, tie_density=r.gap.tie_density,
                          ties_per_cooccurrence=r.gap.ties_per_cooccurrence) for r in gaps[:first]]

    @strawberry.field(extensions=[planner_only()], description=(
        "Under-served areas (planner): two-step floating catchment accessibility of the need's service sites "
        "from each area's centroid. R_j = S_j / Σ_k P_k W(d_kj); A_i = Σ_j R_j W(d_ij); W = 1 within "
        "catchmentKm (TWO_SFCA) or stepped weights (E2SFCA: default thirds of the catchment at 1, 0.68, 0.22). "
        "An area is a desert when its score is 0 or below desertBelow × the regional average. With NEED_COUNTS, "
        "from..to is whole calendar quarters."))
    def coverage(self, info: Info[Context, None], need: list[strawberry.ID], area_kind: str | None = None,
                 catchment_km: float = 5.0, method: planning.AccessMethod = planning.AccessMethod.E2SFCA,
                 steps: list[DecayStepInput] | None = None,
                 demand: planning.DemandBasis = planning.DemandBasis.POPULATION, desert_below: float = 0.5,
                 from_: FromMonth = None, to: ToMonth = None) -> CoverageReport:
        result = planning.coverage(
            info.context.db, need=[str(n) for n in need], area_kind=area_kind, catchment_km=catchment_km,
            method=method, steps=[DecayStep(s.up_to_km, s.weight) for s in steps] if steps else None,
            demand_basis=demand, desert_below=desert_below, from_month=from_, to_month=to,
            threshold=_threshold(info))
        names = _Names(info)
        areas = sorted(result.areas, key=lambda a: (a.score, a.name, a.id))
        return CoverageReport(
            method=result.method, demand=result.demand_basis, area_kind=result.area_kind,
            catchment_km=result.catchment_km,
            steps=[DecayStepType(up_to_km=s.up_to_km, weight=s.weight) for s in result.steps] if result.steps else None,
            regional_average=result.access.regional_average, total_demand=_count(result.total_demand),
            total_supply=result.access.total_supply, supply_with_catchment=result.access.supply_with_catchment,
            sites=result.sites, unplaced_areas=result.unplaced_areas, deserts=sum(a.desert for a in areas),
            areas=[AreaCoverage(area=names.area(a.id), demand=_count(a.demand), population_known=a.population_known,
                                score=a.score, ratio_to_average=a.ratio_to_average, sites_in_reach=a.sites_in_reach,
                                supply_in_reach=a.supply_in_reach, nearest_site_km=a.nearest_site_km,
                                services_by_service_area=a.services_by_service_area, desert=a.desert)
                   for a in areas])

    @strawberry.field(extensions=[planner_only()], description=(
        "Unmet needs (planner): de-identified need counts by area and outcome over the whole calendar quarters "
        "from..to (YYYY-MM), for a need (and the terms below it) and an area (and the areas within it)."))
    def unmet_needs(self, info: Info[Context, None], area: strawberry.ID | None = None,
                    need: list[strawberry.ID] | None = None,
                    from_: FromMonth = None, to: ToMonth = None) -> UnmetNeeds:
        table = planning.unmet_needs(info.context.db, area=_opt(area), need=[str(n) for n in need or ()],
                                     from_month=from_, to_month=to, threshold=_threshold(info))
        names = _Names(info)
        cells = table.cells
        return UnmetNeeds(
            outcomes=table.outcomes,
            areas=[AreaOutcomes(area=names.area(a), total=_count(cells[TableKey(a, None)]),
                                outcomes=[OutcomeCount(outcome=o, count=_count(cells[TableKey(a, o)]))
                                          for o in table.outcomes]) for a, _ in table.areas],
            totals=[OutcomeCount(outcome=o, count=_count(cells[TableKey(None, o)])) for o in table.outcomes],
            total=_count(cells.get(TableKey(None, None), Cell.shown(0))))

    @strawberry.field(extensions=[planner_only()], description=(
        "Referral flows (planner): de-identified referral counts between organizations or sectors over the "
        "whole calendar quarters from..to (YYYY-MM), for a need; and the share of referrals that stay within a "
        "sector."))
    def referral_flows(self, info: Info[Context, None], group_by: planning.FlowGrouping = planning.FlowGrouping.SECTOR,
                       need: list[strawberry.ID] | None = None,
                       from_: FromMonth = None, to: ToMonth = None, first: int = 50) -> ReferralFlows:
        check_first(first, MAX_PAGE_SIZE)
        result = planning.referral_flows(info.context.db, group_by=group_by, need=[str(n) for n in need or ()],
                                         from_month=from_, to_month=to, threshold=_threshold(info))
        names = _Names(info)

        def end(key: str) -> FlowEnd:
            if group_by is planning.FlowGrouping.ORGANIZATION:
                ref = names.agency(key)
                return FlowEnd(id=ref.id, name=ref.name)
            return FlowEnd(id=strawberry.ID(key), name=names.terms.get(key, key))

        return ReferralFlows(
            group_by=result.group_by, flow_count=sum(not f.cell.suppressed for f in result.flows),
            flows=[ReferralFlow(source=end(f.source), target=end(f.target), count=_count(f.cell))
                   for f in result.flows[:first]],
            total=_count(result.total), within_sector=_count(result.within_sector),
            across_sectors=_count(result.across_sectors), unknown_sector=_count(result.unknown_sector),
            within_sector_share=result.within_sector_share,
            by_sector=[SectorFlowTotals(sector=end(s), sent=_count(result.sent.get(s, Cell.shown(0))),
                                        received=_count(result.received.get(s, Cell.shown(0))))
                       for s in sorted(set(result.sent) | set(result.received))])


def _sector(names: _Names, key: str) -> SectorRef:
    ref = names.sector(key)
    assert ref is not None
    return ref


def _opt(value: strawberry.ID | None) -> str | None:
    return str(value) if value else None


__all__ = ["PlanningQuery"]
