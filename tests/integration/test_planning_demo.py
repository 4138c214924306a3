"""The README's planner query, run as written on the demo city (400 services, seed 7, with its areas, ties and
referrals) through the real schema and engine: it answers without errors, and what the README says it shows
is what it shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.auth import Role
from api.context import Context
from api.schema import schema
from demo.generator import generate_demo
from demo.planning import AREA_KIND, REFERRALS_DATASET, TIES_DATASET, PlanningSummary, write_planning_files
from graph import embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import Settings
from loaders.areas import parse_areas
from loaders.areas_links import existing_area_ids, located_locations
from loaders.directory_lookup import load_directory
from loaders.hsds import parse_hsds
from loaders.load import load_parsed
from loaders.referrals import parse_referrals
from loaders.ties import parse_ties

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def demo_city(falkordb_server: embedded.ServerInfo, tmp_path_factory: pytest.TempPathFactory,
              ) -> Iterator[tuple[GraphEngine, PlanningSummary]]:
    data = tmp_path_factory.mktemp("demo-planning")
    generate_demo(data, services=400, seed=7)
    planning = write_planning_files(data, seed=7)
    db = connect(Settings(db=f"falkordb://127.0.0.1:{falkordb_server.port}", db_name="readme-demo"))
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
