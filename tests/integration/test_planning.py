"""Planner analytics on a small hand-built town in the real embedded engine, every answer worked out by hand.

The town: three wards on one meridian, 11 km apart (W1 1,000 people, W2 2,000, W3 500); six organizations
tied in a path  mental health — police — broker — housing A — housing B,  and a housing agency tied to
no one; housing services in W1 and W2, none in W3; need counts and referral flows for two months of one quarter
(the first of 2026: counts are published by whole quarters).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

import pytest

from analytics.suppression import SUPPRESSED, ZERO, Cell, TableKey
from domain.search_model import UnknownNeed
from graph.engine import GraphEngine
from loaders.load import load_parsed
from loaders.plan import GraphPlan
from services import planning
from services.derived import DERIVED
from services.planning import AccessMethod, DemandBasis, FlowGrouping, GapBasis, PlanningInputError
from tests.factories import ReadyPlan

WARDS = {"W1": (44.0, 1000), "W2": (44.1, 2000), "W3": (44.2, 500)}  # centre latitude, population
LONGITUDE = -76.5
ORGANIZATIONS = {  # id: (name, sector term)
    "org-mh": ("Harbour Mental Health", "sector-mh"),
    "org-police": ("Town Police", "sector-police"),
    "org-broker": ("Neighbourhood Hub", "sector-social"),
    "org-housing-a": ("Shelter A", "sector-housing"),
    "org-housing-b": ("Housing Help B", "sector-housing"),
    "org-lone": ("Lone Housing Co-op", "sector-housing"),
}
SERVICES = {  # id: (organization, need term, wards of its locations)
    "svc-ha": ("org-housing-a", "need-housing-shelter", ("W1",)),
    "svc-hb": ("org-housing-b", "need-housing", ("W1",)),
    "svc-lone": ("org-lone", "need-housing-shelter", ("W1", "W2")),
    "svc-police": ("org-police", "need-housing-shelter", ("W1", "W2")),
    "svc-mh": ("org-mh", "need-mh", ("W3",)),
}
TIES = [  # (from, type, to)
    ("org-police", "PARTNERS_WITH", "org-broker"),
    ("org-broker", "REFERS_TO", "org-housing-a"),
    ("org-housing-a", "REFERS_TO", "org-housing-b"),
    ("org-housing-b", "REFERS_TO", "org-housing-a"),
    ("org-mh", "REFERS_TO", "org-police"),
]
NEED_COUNTS = [  # (ward, month, outcome, count) for need-housing
    ("W1", "2026-03", "referred", 12), ("W1", "2026-03", "unmet:waitlist", 3),
    ("W2", "2026-03", "referred", 20), ("W2", "2026-02", "unmet:waitlist", 7),
    ("W3", "2026-02", "unmet:no-service", 2),
]
FLOWS = [  # (from organization, to organization or service, month, need, count)
    ("org-police", "org-housing-a", "2026-03", "need-housing", 9),
    ("org-police", "svc-hb", "2026-03", "need-housing-shelter", 3),  # a service: counts for its provider
    ("org-mh", "org-police", "2026-03", "need-mh", 20),
    ("org-housing-a", "org-housing-b", "2026-02", "need-housing", 6),
]


def _square(latitude: float) -> str:
    d = 0.01
    ring = [[LONGITUDE - d, latitude - d], [LONGITUDE + d, latitude - d], [LONGITUDE + d, latitude + d],
            [LONGITUDE - d, latitude + d], [LONGITUDE - d, latitude - d]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def town_plan() -> GraphPlan:
    plan = GraphPlan()
    for term, name, broader in [("need-housing", "Housing", None), ("need-housing-shelter", "Shelter", "need-housing"),
                                ("need-mh", "Mental health", None), ("sector-mh", "Mental health sector", None),
                                ("sector-police", "Police", None), ("sector-social", "Social services", None),
                                ("sector-housing", "Housing sector", None)]:
        plan.add_node("TaxonomyTerm", term, {"name": name, "code": term.upper()})
        if broader:
            plan.add_relationship(("TaxonomyTerm", "BROADER", "TaxonomyTerm"), term, broader)
    for ward, (latitude, population) in WARDS.items():
        plan.add_node("Area", ward, {"name": f"Ward {ward[1]}", "kind": "ward", "population": population,
                                     "extent": _square(latitude)})
    for org, (name, sector) in ORGANIZATIONS.items():
        plan.add_node("Organization", org, {"name": name})
        plan.add_relationship(("Organization", "TAGGED", "TaxonomyTerm"), org, sector, {"linkType": "sector"},
                              id=f"{org}-sector")
    for service, (org, need, wards) in SERVICES.items():
        plan.add_node("Service", service, {"name": service, "status": "active"})
        plan.add_relationship(("Organization", "PROVIDES", "Service"), org, service)
        plan.add_relationship(("Service", "TAGGED", "TaxonomyTerm"), service, need, {"linkType": "need"},
                              id=f"{service}-need")
        for ward in wards:
            location, sal = f"{service}-{ward}", f"{service}-{ward}-sal"
            plan.add_node("Location", location, {"name": location, "latitude": WARDS[ward][0], "longitude": LONGITUDE})
            plan.add_node("ServiceAtLocation", sal, {})
            plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service, sal)
            plan.add_relationship(("ServiceAtLocation", "AT", "Location"), sal, location)
            plan.add_relationship(("Location", "IN_AREA", "Area"), location, ward)
    for source, tie, target in TIES:
        plan.add_relationship(("Organization", tie, "Organization"), source, target, id=f"{source}-{tie}-{target}")
    add_counts(plan, NEED_COUNTS, FLOWS)
    return plan


def add_counts(plan: GraphPlan, need_counts: Sequence[tuple[str, str, str, int]],
               flows: Sequence[tuple[str, str, str, str, int]], *, prefix: str = "") -> None:
    """Need counts (of need-housing) and referral flows, as the referrals loader stores them."""
    for i, (ward, month, outcome, count) in enumerate(need_counts):
        plan.add_node("NeedCount", f"{prefix}nc-{i}", {"month": month, "need": "need-housing", "outcome": outcome,
                                                       "count": count})
        plan.add_relationship(("NeedCount", "IN_AREA", "Area"), f"{prefix}nc-{i}", ward)
    for i, (source, target, month, need, count) in enumerate(flows):
        plan.add_node("ReferralFlow", f"{prefix}flow-{i}", {"month": month, "need": need, "count": count})
        plan.add_relationship(("Organization", "SENT", "ReferralFlow"), source, f"{prefix}flow-{i}")
        label = "Service" if target.startswith("svc-") else "Organization"
        plan.add_relationship(("ReferralFlow", "RECEIVED_BY", label), f"{prefix}flow-{i}", target)


@pytest.fixture
def town(db: GraphEngine) -> GraphEngine:
    load_parsed(db, ReadyPlan(town_plan()), dataset_id="town", path=Path("memory"))
    return db


# ---------------------------------------------------------------- silos

def _pairs(result: planning.SiloResult) -> list[tuple[str, str, int]]:
    return [(p.a, p.b, p.overlap) for p in result.report.pairs]


def test_silos_are_overlapping_organizations_with_no_short_path_ranked_by_overlap(town: GraphEngine) -> None:
    result = planning.silos(town, need=["need-housing"], area=None, area_kind=None, sector=None, max_hops=2,
                            need_level=None, same_population=False, max_pairs=20)
    # exact terms: the shelter cells (W1: housing A, lone, police; W2: lone, police); housing B's "housing" term
    # shares no cell. Housing A — police are 2 hops apart (via the broker): linked.
    assert _pairs(result) == [("org-lone", "org-police", 2), ("org-housing-a", "org-lone", 1)]
    assert result.report.pairs[0].shared_areas == ("W1", "W2")
    assert result.report.pairs[0].shared_needs == ("need-housing-shelter",)
    assert result.organizations == 4


def test_one_hop_fewer_turns_a_two_hop_link_into_a_silo(town: GraphEngine) -> None:
    result = planning.silos(town, need=["need-housing"], area=None, area_kind=None, sector=None, max_hops=1,
                            need_level=None, same_population=False, max_pairs=20)
    assert ("org-housing-a", "org-police", 1) in _pairs(result)
    assert result.report.total_pairs == 3


def test_rolling_needs_up_to_the_top_level_joins_housing_and_shelter(town: GraphEngine) -> None:
    result = planning.silos(town, need=["need-housing"], area=None, area_kind=None, sector=None, max_hops=2,
                            need_level=0, same_population=False, max_pairs=20)
    # housing B now shares (housing, W1) with everyone there; it is tied to housing A, 3 hops from police
    assert set(_pairs(result)) == {("org-lone", "org-police", 2), ("org-housing-a", "org-lone", 1),
                                   ("org-housing-b", "org-lone", 1), ("org-housing-b", "org-police", 1)}
    cells = {(c.need, c.area): (c.organizations, c.pairs, c.siloed_pairs, c.linked_pairs) for c in result.report.cells}
    assert cells == {("need-housing", "W1"): (4, 6, 4, 2), ("need-housing", "W2"): (2, 1, 1, 0)}


def test_silos_in_one_area_only_count_that_area(town: GraphEngine) -> None:
    result = planning.silos(town, need=["need-housing"], area="W2", area_kind=None, sector=None, max_hops=2,
                            need_level=None, same_population=False, max_pairs=20)
    assert _pairs(result) == [("org-lone", "org-police", 1)]


def test_silo_input_errors_say_what_to_fix(town: GraphEngine) -> None:
    with pytest.raises(PlanningInputError, match="maxHops"):
        planning.silos(town, need=None, area=None, area_kind=None, sector=None, max_hops=9, need_level=None,
                       same_population=False)
    with pytest.raises(PlanningInputError, match="unknown area"):
        planning.silos(town, need=None, area="W9", area_kind=None, sector=None, max_hops=2, need_level=None,
                       same_population=False)
    with pytest.raises(UnknownNeed):
        planning.silos(town, need=["need-none"], area=None, area_kind=None, sector=None, max_hops=2,
                       need_level=None, same_population=False)


# ---------------------------------------------------------------- network

def test_the_agency_network_of_a_path_and_an_isolate(town: GraphEngine) -> None:
    summary = planning.agency_network(town, sector=None, area=None)
    assert (summary.nodes, summary.ties, summary.components, summary.isolates) == (6, 4, 2, 1)
    assert summary.density == pytest.approx(8 / 30)
    assert summary.largest_component_share == pytest.approx(5 / 6)
    assert summary.reciprocity == pytest.approx(2 / 4)  # housing A ⇄ housing B of 4 referral arcs
    assert summary.ei_index == pytest.approx((3 - 1) / 4)  # one tie inside a sector (housing A — B), three across
    assert summary.brokers[0].id == "org-broker" and summary.brokers[0].betweenness == pytest.approx(4)
    assert {p.id for p in summary.articulation_points} == {"org-police", "org-broker", "org-housing-a"}
    assert len(summary.bridges) == 4
    housing = next(s for s in summary.sectors if s.sector == "sector-housing")
    assert (housing.internal_ties, housing.external_ties, housing.ei_index) == (1, 1, 0.0)


def test_the_network_of_an_area_keeps_the_organizations_whose_services_reach_it(town: GraphEngine) -> None:
    summary = planning.agency_network(town, sector=None, area="W2")  # lone and police serve W2
    assert (summary.nodes, summary.ties) == (2, 0)
    with pytest.raises(PlanningInputError, match="no organizations of sector 'sector-social' have a service "
                                                 "reaching area 'W3'"):
        planning.agency_network(town, sector="sector-social", area="W3")  # W3: the mental-health service only


def test_the_network_of_one_sector_keeps_only_its_ties(town: GraphEngine) -> None:
    summary = planning.agency_network(town, sector="SECTOR-HOUSING", area=None)  # a code works as well as an id
    assert (summary.nodes, summary.ties, summary.components) == (3, 1, 2)


# ---------------------------------------------------------------- sector gaps

def test_sectors_that_refer_to_each_other_without_ties_come_first(town: GraphEngine) -> None:
    results = planning.sector_gap_list(town, basis=GapBasis.REFERRALS, pairs=None, from_month=None, to_month=None)
    gaps = [r.gap for r in results]
    # referrals police → housing 12 (rounded up to 15: an exact 12 beside the shown flow of 9 would give the
    # suppressed 3 back), mental health → police 20
    assert [(g.sector_a, g.sector_b, g.cooccurrence, g.ties) for g in gaps] == [
        ("sector-housing", "sector-police", 15, 0), ("sector-mh", "sector-police", 20, 1)]
    assert gaps[0].possible == 3 and gaps[1].ties_per_cooccurrence == pytest.approx(1 / 20)
    assert not any(r.suppressed for r in results)


def test_a_named_sector_pair_with_few_referrals_is_flagged_suppressed_not_shown_as_zero(town: GraphEngine) -> None:
    [result] = planning.sector_gap_list(town, basis=GapBasis.REFERRALS, pairs=[("sector-mh", "sector-police")],
                                        from_month="2026-04", to_month=None)
    assert result.gap.cooccurrence == 0 and not result.suppressed  # none from the second quarter on: a true zero
    [result] = planning.sector_gap_list(town, basis=GapBasis.REFERRALS, pairs=[("sector-police", "sector-housing")],
                                        from_month=None, to_month=None, threshold=13)
    assert result.suppressed


def test_shared_needs_count_the_need_terms_both_sectors_address(town: GraphEngine) -> None:
    results = planning.sector_gap_list(town, basis=GapBasis.SHARED_NEEDS, pairs=None, from_month=None,
                                       to_month=None)
    assert [(r.gap.sector_a, r.gap.sector_b, r.gap.cooccurrence, r.gap.ties) for r in results] == [
        ("sector-housing", "sector-police", 1, 0)]  # both address shelter; mental health shares no need


# ---------------------------------------------------------------- coverage

def _coverage(db: GraphEngine, **overrides: object) -> planning.CoverageResult:
    args: dict[str, object] = dict(need=["need-housing"], area_kind="ward", catchment_km=5.0,
                                   method=AccessMethod.TWO_SFCA, steps=None, demand_basis=DemandBasis.POPULATION,
                                   desert_below=0.5, from_month=None, to_month=None)
    args.update(overrides)
    return planning.coverage(db, **args)  # type: ignore[arg-type]


def test_two_step_floating_catchment_scores_by_hand(town: GraphEngine) -> None:
    result = _coverage(town)
    by_id = {a.id: a for a in result.areas}
    # W1: 4 sites, each shared by W1's 1,000 people only → A = 4/1000; W2: 2 sites / 2,000 → 1/1000; W3: none
    assert by_id["W1"].score == pytest.approx(0.004)
    assert by_id["W2"].score == pytest.approx(0.001)
    assert by_id["W3"].score == 0 and by_id["W3"].desert
    average = 6 / 3500
    assert result.access.regional_average == pytest.approx(average)
    assert by_id["W2"].ratio_to_average == pytest.approx(0.001 / average)  # 0.583: not below 0.5
    assert not by_id["W2"].desert
    assert result.sites == 6
    # the invariant: Σ P_i A_i = total supply of the sites someone can reach
    assert sum(WARDS[a.id][1] * a.score for a in result.areas) == pytest.approx(result.access.supply_with_catchment)
    assert result.access.supply_with_catchment == pytest.approx(6)


def test_a_higher_desert_threshold_marks_the_thinly_served_ward_too(town: GraphEngine) -> None:
    result = _coverage(town, desert_below=0.6)
    assert {a.id for a in result.areas if a.desert} == {"W2", "W3"}


def test_demand_from_need_counts_is_suppressed_where_small(town: GraphEngine) -> None:
    result = _coverage(town, demand_basis=DemandBasis.NEED_COUNTS)
    demand = {a.id: a.demand for a in result.areas}
    # 15, 27 and 2: the 2 is hidden; no exact total is given beside scores computed from rounded counts
    # (it would pin W3 within 1..5 once W1's rounding interval is known), so nothing else needs hiding
    assert demand == {"W1": Cell(15, False), "W2": Cell(27, False), "W3": SUPPRESSED}
    assert result.total_demand == SUPPRESSED
    # scores come from counts rounded up to 5 (15, 30, 5): W1's 4 sites / 15 would otherwise give back its 15
    scores = {a.id: a.score for a in result.areas}
    assert scores["W1"] == pytest.approx(4 / 15) and scores["W2"] == pytest.approx(2 / 30)


def test_coverage_input_errors_say_what_to_fix(town: GraphEngine) -> None:
    with pytest.raises(PlanningInputError, match="catchmentKm"):
        _coverage(town, catchment_km=0)
    with pytest.raises(PlanningInputError, match="no areas of kind 'district'"):
        _coverage(town, area_kind="district")
    with pytest.raises(PlanningInputError, match="YYYY-MM"):
        _coverage(town, demand_basis=DemandBasis.NEED_COUNTS, from_month="March")
    with pytest.raises(PlanningInputError, match="steps apply to method E2SFCA only"):
        _coverage(town, steps=[planning.DecayStep(2.0, 1.0)])
    with pytest.raises(PlanningInputError, match="from/to apply to demand NEED_COUNTS only"):
        _coverage(town, from_month="2026-01")
    with pytest.raises(PlanningInputError, match="steps apply to method E2SFCA only"):
        _coverage(town, steps=[])
    with pytest.raises(PlanningInputError, match="from/to apply to basis REFERRALS only"):
        planning.sector_gap_list(town, basis=GapBasis.SHARED_NEEDS, pairs=None, from_month="2026-01",
                                 to_month=None)


# ---------------------------------------------------------------- unmet needs and flows

def test_unmet_needs_by_area_and_outcome_with_complementary_suppression(town: GraphEngine) -> None:
    table = planning.unmet_needs(town, area=None, need=["need-housing"], from_month=None, to_month=None)
    assert table.outcomes == ["referred", "unmet:no-service", "unmet:waitlist"]
    shown = {(k.row, k.column): c.value for k, c in table.cells.items() if not c.suppressed}
    # worked by hand in the suppression rules: only W2's total, the referred total and the grand total survive,
    # with the zeros (which say nothing about anyone)
    assert shown == {("W1", "unmet:no-service"): 0, ("W2", "unmet:no-service"): 0, ("W3", "referred"): 0,
                     ("W3", "unmet:waitlist"): 0, ("W2", None): 27, (None, "referred"): 32, (None, None): 44}


def test_referral_flows_by_sector_and_the_share_staying_in_a_sector(town: GraphEngine) -> None:
    result = planning.referral_flows(town, group_by=FlowGrouping.SECTOR, need=None, from_month=None, to_month=None)
    assert [(f.source, f.target, f.cell.value) for f in result.flows] == [
        ("sector-mh", "sector-police", 20), ("sector-police", "sector-housing", 12),
        ("sector-housing", "sector-housing", 6)]
    assert result.total == Cell(38, False)
    assert result.within_sector_share == pytest.approx(6 / 38)


def test_referral_flows_by_organization_hide_the_small_one_and_whatever_would_give_it_back(
        town: GraphEngine) -> None:
    result = planning.referral_flows(town, group_by=FlowGrouping.ORGANIZATION, need=None, from_month=None,
                                     to_month=None)
    # flows 20 (mh → police), 9 and 3 (police → housing A, B) across sectors, 6 (housing A → B) within; shown
    # totals: all (38), within (6), across (32), unknown (0), and within + across + unknown = all.
    # The 3 is small. All flows: its complement is the smallest other, 6. Within: the 6 is then alone, so the
    # within count goes. Across: the 3 is alone, so the 9 goes. The split: within is alone, so across goes.
    assert [(f.source, f.target, f.cell) for f in result.flows] == [
        ("org-mh", "org-police", Cell(20, False)), ("org-housing-a", "org-housing-b", SUPPRESSED),
        ("org-police", "org-housing-a", SUPPRESSED), ("org-police", "org-housing-b", SUPPRESSED)]
    assert (result.within_sector, result.across_sectors, result.unknown_sector, result.total) == (
        SUPPRESSED, SUPPRESSED, Cell(0, False), Cell(38, False))
    assert result.within_sector_share is None


def test_referral_flows_by_sector_keep_sent_and_received_totals_consistent(town: GraphEngine) -> None:
    result = planning.referral_flows(town, group_by=FlowGrouping.SECTOR, need=None, from_month=None,
                                     to_month=None, threshold=7)
    # sector flows 20 (mh → police), 12 (police → housing), 6 (housing → housing, small at 7): the 6 is alone
    # in housing's sent and received totals and in the within count, so complements follow until no group
    # with a shown total has a single hidden figure
    shown = {(f.source, f.target): f.cell.value for f in result.flows if not f.cell.suppressed}
    hidden = {(f.source, f.target) for f in result.flows if f.cell.suppressed}
    assert ("sector-housing", "sector-housing") in hidden
    assert result.sent["sector-housing"].suppressed
    totals = [result.total, *result.sent.values()]
    for cell in totals:  # whatever is shown is exact
        assert cell.suppressed or cell.value in (38, 20, 12, 6, 18, 32)
    assert shown.get(("sector-mh", "sector-police")) in (20, None)


def test_referral_flows_for_a_need_include_the_terms_below_it(town: GraphEngine) -> None:
    result = planning.referral_flows(town, group_by=FlowGrouping.SECTOR, need=["need-housing"], from_month=None,
                                     to_month=None, threshold=1)
    assert result.total == Cell(18, False)  # 9 + 3 (shelter, below housing) + 6


# ---------------------------------------------------------------- periods: whole quarters

Q1, Q2, H1, YEAR = ("2026-01", "2026-03"), ("2026-04", "2026-06"), ("2026-01", "2026-06"), ("2026-01", "2026-12")


def _second_quarter(db: GraphEngine, *, need_counts: Sequence[tuple[str, str, str, int]] = (),
                    flows: Sequence[tuple[str, str, str, str, int]] = ()) -> None:
    plan = GraphPlan()
    add_counts(plan, need_counts, flows, prefix="q2-")
    load_parsed(db, ReadyPlan(plan), dataset_id="town-q2", path=Path("memory"))


def _small_differences(larger: dict[Hashable, Cell], smaller: dict[Hashable, Cell]) -> dict[Hashable, int]:
    """Figures shown in both answers (a figure an answer lacks is a 0) whose difference is 1 … 4: a count the
    difference of the two periods gives away."""
    out: dict[Hashable, int] = {}
    for key, cell in larger.items():
        other = smaller.get(key, ZERO)
        if cell.value is not None and other.value is not None and 0 < cell.value - other.value < 5:
            out[key] = cell.value - other.value
    return out


def _flow_figures(result: planning.FlowResult) -> dict[Hashable, Cell]:
    figures: dict[Hashable, Cell] = {(f.source, f.target): f.cell for f in result.flows}
    figures.update(total=result.total, within=result.within_sector, across=result.across_sectors,
                   unknown=result.unknown_sector)
    figures.update({("sent", s): c for s, c in result.sent.items()})
    figures.update({("received", s): c for s, c in result.received.items()})
    return figures


def test_periods_are_whole_calendar_quarters_and_the_error_says_what_to_send(town: GraphEngine) -> None:
    with pytest.raises(PlanningInputError, match=r"from must be the first month of a calendar quarter .*not "
                                                 r"'2026-02'.*send from: \"2026-01\""):
        planning.referral_flows(town, group_by=FlowGrouping.SECTOR, need=None, from_month="2026-02", to_month=None)
    with pytest.raises(PlanningInputError, match=r"to must be the last month of a calendar quarter .*not "
                                                 r"'2026-01'.*send to: \"2026-03\""):
        planning.unmet_needs(town, area=None, need=None, from_month=None, to_month="2026-01")
    with pytest.raises(PlanningInputError, match=r'send from: "2026-01"'):
        _coverage(town, demand_basis=DemandBasis.NEED_COUNTS, from_month="2026-03")
    with pytest.raises(PlanningInputError, match=r'send to: "2026-12"'):
        planning.sector_gap_list(town, basis=GapBasis.REFERRALS, pairs=None, from_month=None, to_month="2026-11")
    for from_month, to_month in (Q1, H1, YEAR, ("2026-04", None), (None, "2026-03"), (None, None)):
        planning.referral_flows(town, group_by=FlowGrouping.SECTOR, need=None, from_month=from_month,
                                to_month=to_month)


def test_a_flow_small_in_one_quarter_is_hidden_in_every_period_holding_that_quarter(town: GraphEngine) -> None:
    # the reported attack in miniature: mental health referred 20 people to the police in the first quarter and 4
    # in the second; the half year must not show 24 beside the first quarter's 20
    _second_quarter(town, flows=[("org-mh", "org-police", "2026-04", "need-mh", 4)])
    for group_by, key in ((FlowGrouping.SECTOR, ("sector-mh", "sector-police")),
                          (FlowGrouping.ORGANIZATION, ("org-mh", "org-police"))):
        q1, half, open_ended = (_flow_figures(planning.referral_flows(
            town, group_by=group_by, need=None, from_month=f, to_month=t)) for f, t in (Q1, H1, (None, None)))
        assert q1[key] == Cell(20, False) and half[key] == SUPPRESSED and open_ended == half
        assert q1["total"] == Cell(38, False) and half["total"] == SUPPRESSED  # 4 in the second quarter
        assert _small_differences(half, q1) == {}
    sectors = planning.referral_flows(town, group_by=FlowGrouping.SECTOR, need=None, from_month=H1[0],
                                      to_month=H1[1])
    # what the second quarter did not touch is shown as in the first: the housing flows, the within-sector count
    assert [(f.source, f.target, f.cell) for f in sectors.flows] == [
        ("sector-police", "sector-housing", Cell(12, False)), ("sector-housing", "sector-housing", Cell(6, False)),
        ("sector-mh", "sector-police", SUPPRESSED)]
    assert sectors.within_sector == Cell(6, False) and sectors.within_sector_share is None
    assert sectors.sent == {"sector-housing": Cell(6, False), "sector-mh": SUPPRESSED,
                            "sector-police": Cell(12, False)}
    assert sectors.received == {"sector-housing": Cell(18, False), "sector-mh": ZERO, "sector-police": SUPPRESSED}


def test_a_need_count_small_in_one_quarter_hides_its_row_column_and_grand_total_over_the_half_year(
        town: GraphEngine) -> None:
    _second_quarter(town, need_counts=[("W2", "2026-05", "referred", 3)])
    q1, half = (planning.unmet_needs(town, area=None, need=None, from_month=f, to_month=t).cells for f, t in (Q1, H1))
    assert (q1[TableKey("W2", None)], q1[TableKey(None, "referred")], q1[TableKey(None, None)]) == (
        Cell(27, False), Cell(32, False), Cell(44, False))
    assert all(half[k] == SUPPRESSED for k in (TableKey("W2", None), TableKey(None, "referred"), TableKey(None, None)))
    assert _small_differences(dict(half), dict(q1)) == {}
    assert {k: c for k, c in half.items() if not c.suppressed} == {k: c for k, c in q1.items() if c == ZERO}


def test_coverage_demand_over_two_quarters_is_shown_only_when_each_quarter_shows_it(town: GraphEngine) -> None:
    _second_quarter(town, need_counts=[("W1", "2026-06", "unmet:waitlist", 2)])
    q1, half = (_coverage(town, demand_basis=DemandBasis.NEED_COUNTS, from_month=f, to_month=t) for f, t in (Q1, H1))
    assert {a.id: a.demand for a in q1.areas}["W1"] == Cell(15, False)
    assert {a.id: a.demand for a in half.areas} == {"W1": SUPPRESSED, "W2": Cell(27, False), "W3": SUPPRESSED}
    # scores use each quarter's count rounded up, summed: W1 15 + 5 = 20 (its 4 sites / 20)
    assert {a.id: a.score for a in half.areas}["W1"] == pytest.approx(4 / 20)


def test_a_sector_pair_small_in_one_quarter_is_left_out_of_every_period_holding_it(town: GraphEngine) -> None:
    _second_quarter(town, flows=[("org-police", "org-housing-a", "2026-04", "need-housing", 2),
                                 ("org-mh", "org-police", "2026-05", "need-mh", 6)])
    half = planning.sector_gap_list(town, basis=GapBasis.REFERRALS, pairs=None, from_month=H1[0], to_month=H1[1])
    # police–housing: 12 in the first quarter, 2 in the second: left out. Mental health–police: 20 + 6, each
    # quarter rounded up (20 and 10)
    assert [(r.gap.sector_a, r.gap.sector_b, r.gap.cooccurrence) for r in half] == [
        ("sector-mh", "sector-police", 30)]
    [named] = planning.sector_gap_list(town, basis=GapBasis.REFERRALS, pairs=[("sector-police", "sector-housing")],
                                       from_month=H1[0], to_month=H1[1])
    assert named.suppressed
    [first] = planning.sector_gap_list(town, basis=GapBasis.REFERRALS, pairs=[("sector-police", "sector-housing")],
                                       from_month=Q1[0], to_month=Q1[1])
    assert first.gap.cooccurrence == 15 and not first.suppressed


def test_the_warmer_builds_the_agency_network_before_anyone_asks_and_again_after_a_load(
        town: GraphEngine) -> None:
    key = ("analytics-agency-graph", False)
    DERIVED.forget(town)
    warmer = planning.Warmer(town, every_s=0.05).start()
    try:
        assert _eventually(lambda: DERIVED.holds(town, key))
        before = planning.agency_graph(town)[0]
        extra = GraphPlan()
        extra.add_node("Organization", "org-new", {"name": "New Agency"})
        load_parsed(town, ReadyPlan(extra), dataset_id="more", path=Path("memory"))
        assert _eventually(lambda: DERIVED.holds(town, key) and planning.agency_graph(town)[0] is not before,
                           timeout_s=30)
        assert "org-new" in planning.agency_graph(town)[0].ids
    finally:
        warmer.stop()


def _eventually(check: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False
