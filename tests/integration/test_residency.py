"""Residency read from eligibility text, used by the search: a service for residents of Ward 6 is
eligible for a resident located in Ward 6, left out for one located elsewhere (unless ineligible
services are asked for), and UNKNOWN when the resident's location is not given — on the real engine,
from a plan joined to loaded areas exactly as `safetynet load 211` joins it."""

from __future__ import annotations

import json

import pytest

from domain.search_model import GeoPoint, Resident, ServiceQuery
from graph.engine import GraphEngine
from loaders.area_matching import Area, read_areas
from loaders.join_to_graph import join_to_graph
from loaders.plan import GraphPlan
from loaders.writer import write_plan
from services.search import assess_hits, rank

SQUARE = {"type": "Polygon",
          "coordinates": [[[-77.0, 38.8], [-76.9, 38.8], [-76.9, 38.9], [-77.0, 38.9], [-77.0, 38.8]]]}
IN_WARD, OUT_OF_WARD = GeoPoint(38.85, -76.95), GeoPoint(38.93, -76.95)
OFFICE = GeoPoint(38.90, -76.95)  # on the ward's edge, within a few km of both residents


def _areas() -> GraphPlan:
    plan = GraphPlan()
    plan.add_node("Area", "dc:ward-6", {"name": "Ward 6", "kind": "ward", "extent": json.dumps(SQUARE)})
    return plan


def _directory() -> GraphPlan:
    plan = GraphPlan()
    plan.add_node("TaxonomyTerm", "need-food", {"name": "Food", "code": "FOOD"})
    plan.add_node("Location", "office", {"latitude": OFFICE.latitude, "longitude": OFFICE.longitude})
    for service, text in (("svc-ward", "Residents of Ward 6 only."), ("svc-all", "No requirements.")):
        plan.add_node("Service", service, {"name": service, "eligibilityDescription": text})
        plan.add_node("ServiceAtLocation", f"{service}@office", {})
        plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service, f"{service}@office")
        plan.add_relationship(("ServiceAtLocation", "AT", "Location"), f"{service}@office", "office")
        plan.add_relationship(("Service", "TAGGED", "TaxonomyTerm"), service, "need-food", {"linkType": "need"},
                              id=f"{service}-need")
    return plan


@pytest.fixture
def graph(db: GraphEngine) -> GraphEngine:
    write_plan(db, _areas(), dataset_id="wards", fmt="test", path="memory")
    plan = _directory()
    areas: list[Area] = read_areas(db)
    assert join_to_graph(plan, areas).residency_links == 1
    write_plan(db, plan, dataset_id="dc", fmt="test", path="memory")
    return db


def _ask(db: GraphEngine, where: GeoPoint | None, *, include_ineligible: bool = False) -> dict[str, str]:
    query = ServiceQuery(need=("need-food",), near=OFFICE, radius_km=5.0,
                         resident=Resident(age=40, location=where), include_ineligible=include_ineligible)
    ranked = rank(db, query)
    hits = ranked.hits if ranked.assessed else assess_hits(db, ranked.hits, ranked.resident, staff=False)
    return {h.service_id: h.eligibility.status for h in hits}


def test_a_resident_of_the_ward_is_eligible_and_one_from_elsewhere_is_left_out(graph: GraphEngine) -> None:
    assert _ask(graph, IN_WARD) == {"svc-ward": "ELIGIBLE", "svc-all": "ELIGIBLE"}
    assert _ask(graph, OUT_OF_WARD) == {"svc-all": "ELIGIBLE"}
    assert _ask(graph, OUT_OF_WARD, include_ineligible=True) == {"svc-ward": "INELIGIBLE", "svc-all": "ELIGIBLE"}


def test_without_the_residents_location_the_residency_rule_is_unknown(graph: GraphEngine) -> None:
    assert _ask(graph, None) == {"svc-ward": "UNKNOWN", "svc-all": "ELIGIBLE"}


def test_over_graphql_the_reasons_say_whose_residents_it_is_for(graph: GraphEngine) -> None:
    from api.context import Context
    from api.schema import schema

    query = """query($resident: ResidentInput) {
      services(need: ["need-food"], near: {latitude: 38.90, longitude: -76.95}, radiusKm: 5, resident: $resident,
               includeIneligible: true) { edges { node { id } eligibility { status reasons } } }
    }"""
    out = {"latitude": OUT_OF_WARD.latitude, "longitude": OUT_OF_WARD.longitude}
    result = schema.execute_sync(query, variable_values={"resident": {"location": out}}, context_value=Context(graph))
    assert result.errors is None and result.data is not None
    ward = next(e for e in result.data["services"]["edges"] if e["node"]["id"] == "svc-ward")
    assert ward["eligibility"]["status"] == "INELIGIBLE"
    assert "for residents of Ward 6 — the resident's location is outside" in ward["eligibility"]["reasons"]
