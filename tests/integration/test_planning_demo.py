"""The README's planner query, run as written on the demo city (400 services, seed 7, with its areas, ties and
referrals) through the real schema and engine: it answers without errors, and what the README says it shows
is what it shows. And on the same data: no two periods, one inside the other, give a suppressed count back by
subtraction."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics.suppression import ZERO, Cell
from api.context import Context
from api.schema import schema
from demo.generator import generate_demo
from demo.planning import AREA_KIND, REFERRALS_DATASET, TIES_DATASET, PlanningSummary, write_planning_files
from domain.roles import Role
from graph import embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import DatabaseSettings
from loaders.areas import parse_areas
from loaders.areas_links import existing_area_ids, located_locations
from loaders.directory_lookup import load_directory
from loaders.hsds import parse_hsds
from loaders.load import load_parsed
from loaders.referrals import parse_referrals
from loaders.ties import parse_ties
from services import planning
from services.planning import FlowGrouping

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def demo_city(falkordb_server: embedded.ServerInfo, tmp_path_factory: pytest.TempPathFactory,
              ) -> Iterator[tuple[GraphEngine, PlanningSummary]]:
    data = tmp_path_factory.mktemp("demo-planning")
    generate_demo(data, services=400, seed=7)
    planning = write_planning_files(data, seed=7)
    db = connect(DatabaseSettings(db=f"falkordb://127.0.0.1:{falkordb_server.port}", db_name="readme-demo"))
    try:
        load_parsed(db, parse_hsds(data), dataset_id="demo", path=data)
        areas = parse_areas(planning.areas_path, namespace=planning.area_namespace, kind=AREA_KIND,
                            known_areas=existing_area_ids(db), locations=located_locations(db))
        load_parsed(db, areas, dataset_id=planning.area_namespace, path=planning.areas_path)
        directory = load_directory(db)
        load_parsed(db, parse_ties(planning.ties_path, namespace=TIES_DATASET, directory=directory),
                    dataset_id=TIES_DATASET, path=planning.ties_path)
        load_parsed(db, parse_referrals(planning.referrals_path, namespace=REFERRALS_DATASET, directory=directory),
                    dataset_id=REFERRALS_DATASET, path=planning.referrals_path)
        yield db, planning
    finally:
        db.close()


def _readme_planner_query() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### For planners"):]
    match = re.search(r"```graphql\n(.*?)```", section, re.S)
    assert match, "the README's planner section has no GraphQL example"
    return match.group(1)


@pytest.fixture(scope="module")
def answer(demo_city: tuple[GraphEngine, PlanningSummary]) -> dict[str, Any]:
    db, _ = demo_city
    result = schema.execute_sync(_readme_planner_query(), context_value=Context(db, role=Role.PLANNER))
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def test_the_readme_planner_query_answers_every_field(answer: dict[str, Any]) -> None:
    assert answer["silos"]["totalCount"] == 3  # "three pairs of shelters and housing agencies"
    sectors = {n[side]["sector"]["name"] for n in answer["silos"]["nodes"] for side in "ab"}
    assert sectors <= {"Housing and Shelter", "Family Violence"}  # shelters of both kinds
    assert answer["agencyNetwork"]["nodes"] > 50
    assert answer["coverage"]["areas"] and answer["unmetNeeds"]["areas"] and answer["referralFlows"]["flows"]


def test_police_and_housing_meet_only_through_the_broker_it_names(
        answer: dict[str, Any], demo_city: tuple[GraphEngine, PlanningSummary]) -> None:
    _, planning = demo_city
    network = answer["agencyNetwork"]
    assert network["brokers"][0]["organization"]["name"] == planning.broker_name
    assert planning.broker_name in {p["organization"]["name"] for p in network["articulationPoints"]}


def test_the_first_sector_gap_is_mental_health_and_housing(answer: dict[str, Any]) -> None:
    first = answer["sectorGaps"][0]
    assert {first["sectorA"]["name"], first["sectorB"]["name"]} == {"Mental Health", "Housing and Shelter"}
    assert first["ties"] == 0


def test_the_under_served_wards_have_the_most_unmet_needs(
        answer: dict[str, Any], demo_city: tuple[GraphEngine, PlanningSummary]) -> None:
    _, planning = demo_city
    names = {w["area"]["name"] for w in answer["coverage"]["areas"][:4]}  # lowest scores first
    unmet: dict[str, int] = {}
    for row in answer["unmetNeeds"]["areas"]:
        unmet[row["area"]["name"]] = sum(o["count"]["value"] or 0 for o in row["outcomes"]
                                         if o["outcome"].startswith("unmet:"))
    worst = sorted(unmet, key=unmet.__getitem__, reverse=True)[:2]
    assert {"Westbrook", "Northgate"} == set(worst)
    assert {"Westbrook", "Northgate"} <= names
    assert len(planning.underserved) == 2


def test_small_counts_are_suppressed_in_the_demo_answers(answer: dict[str, Any]) -> None:
    counts = [o["count"] for row in answer["unmetNeeds"]["areas"] for o in row["outcomes"]]
    assert any(c["suppressed"] and c["value"] is None for c in counts)


# ---------------------------------------------------------------- differencing periods

QUARTERS = [("2025-01", "2025-03"), ("2025-04", "2025-06"), ("2025-07", "2025-09"), ("2025-10", "2025-12")]
# every allowed period over the demo's year: each run of whole quarters, and the open period (all of it)
PERIODS = [(QUARTERS[i][0], QUARTERS[j][1]) for i in range(4) for j in range(i, 4)] + [(None, None)]
THRESHOLD = 5
Figures = dict[tuple[str, ...], Cell]


def _figures(db: GraphEngine, period: tuple[str | None, str | None]) -> tuple[Figures, dict[tuple[str, str], float]]:
    """Every count the planner queries give for the period, whole (no `first` cuts a list; a count an answer does
    not have is a 0), and the sector gaps' rounded co-occurrences."""
    start, end = period
    counts: Figures = {}
    for grouping in FlowGrouping:
        flows = planning.referral_flows(db, group_by=grouping, need=None, from_month=start, to_month=end)
        counts.update({(grouping.value, f.source, f.target): f.cell for f in flows.flows})
        counts.update({(grouping.value, "total"): flows.total, (grouping.value, "within"): flows.within_sector,
                       (grouping.value, "across"): flows.across_sectors,
                       (grouping.value, "unknown"): flows.unknown_sector})
        counts.update({(grouping.value, "sent", s): c for s, c in flows.sent.items()})
        counts.update({(grouping.value, "received", s): c for s, c in flows.received.items()})
    for need in (None, ["need-housing"]):
        table = planning.unmet_needs(db, area=None, need=need, from_month=start, to_month=end)
        counts.update({("unmet", str(need), str(k.row), str(k.column)): c for k, c in table.cells.items()})
    coverage = planning.coverage(db, need=["need-housing"], area_kind=AREA_KIND, catchment_km=5.0,
                                 method=planning.AccessMethod.E2SFCA, steps=None,
                                 demand_basis=planning.DemandBasis.NEED_COUNTS, desert_below=0.5, from_month=start,
                                 to_month=end)
    counts.update({("demand", a.id): a.demand for a in coverage.areas})
    counts["demand", "*"] = coverage.total_demand
    gaps = planning.sector_gap_list(db, basis=planning.GapBasis.REFERRALS, pairs=None, from_month=start,
                                    to_month=end)
    return counts, {(g.gap.sector_a, g.gap.sector_b): g.gap.cooccurrence for g in gaps}


def _inside(inner: tuple[str | None, str | None], outer: tuple[str | None, str | None]) -> bool:
    return (outer[0] is None or (inner[0] or "") >= outer[0]) and (outer[1] is None or (inner[1] or "~") <= outer[1])


def test_no_count_of_a_period_minus_the_same_count_of_a_period_inside_it_is_a_small_count(
        demo_city: tuple[GraphEngine, PlanningSummary]) -> None:
    db, _ = demo_city
    answers = {period: _figures(db, period) for period in PERIODS}
    pairs = [(outer, inner) for outer, inner in itertools.permutations(PERIODS, 2) if _inside(inner, outer)]
    assert len(pairs) == 35  # 25 runs of quarters inside another, and the 10 runs inside the open period
    small: list[tuple[object, ...]] = []
    compared = hidden = 0
    for outer, inner in pairs:
        (counts, gaps), (inner_counts, inner_gaps) = answers[outer], answers[inner]
        for key, cell in counts.items():
            other = inner_counts.get(key, ZERO)
            hidden += cell.suppressed
            if cell.value is not None and other.value is not None:
                compared += 1
                if 0 < cell.value - other.value < THRESHOLD:
                    small.append((outer, inner, key, cell.value, other.value))
        for pair, rounded in gaps.items():  # rounded up per quarter: a difference is 0 or ≥ the threshold too
            if pair in inner_gaps and 0 < rounded - inner_gaps[pair] < THRESHOLD:
                small.append((outer, inner, pair, rounded, inner_gaps[pair]))
    assert small == []
    assert compared > 5_000 and hidden > 10_000  # the check had plenty to compare, and suppression was at work


def test_the_reported_attack_is_refused_a_period_that_is_not_whole_quarters(
        demo_city: tuple[GraphEngine, PlanningSummary]) -> None:
    db, _ = demo_city
    for field in ("referralFlows", "unmetNeeds", "sectorGaps"):
        query = f'{{ {field}(from: "2025-01", to: "2025-02") {{ __typename }} }}'
        result = schema.execute_sync(query, context_value=Context(db, role=Role.PLANNER))
        assert result.errors is not None
        assert result.errors[0].message.startswith("to must be the last month of a calendar quarter")
        assert 'send to: "2025-03"' in result.errors[0].message
