"""A directory source joined to the planning areas already in the graph (loaders.join_to_graph)."""

from __future__ import annotations

import copy
import json

from loaders.area_matching import Area
from loaders.join_to_graph import join_to_graph
from loaders.plan import GraphPlan

SQUARE = {"type": "Polygon",
          "coordinates": [[[-77.0, 38.8], [-76.9, 38.8], [-76.9, 38.9], [-77.0, 38.9], [-77.0, 38.8]]]}
AREAS = [Area("dc:ward-6", "Ward 6", "ward", json.dumps(SQUARE)), Area("dc:ward-7", "Ward 7", "ward", None)]


def _plan() -> GraphPlan:
    plan = GraphPlan()
    plan.add_node("Service", "s1", {"name": "Meals", "eligibilityDescription": "Residents of Ward 6 aged 60 or over."})
    plan.add_node("ServiceArea", "sa1", {"name": "Ward 6"})
    plan.add_relationship(("Service", "SERVES_AREA", "ServiceArea"), "s1", "sa1")
    plan.add_node("Location", "in", {"latitude": 38.85, "longitude": -76.95})
    plan.add_node("Location", "out", {"latitude": 38.95, "longitude": -76.95})
    plan.add_node("Location", "nowhere", {"name": "no coordinates"})
    return plan


def _links(plan: GraphPlan, key: tuple[str, str, str]) -> set[tuple[str, str]]:
    return {(r["from"], r["to"]) for r in plan.relationships.get(key, {}).values()}


def test_a_source_gains_derived_ages_area_matches_residency_and_area_links() -> None:
    plan = _plan()
    summary = join_to_graph(plan, AREAS)
    service = plan.nodes["Service"]["s1"]["props"]
    assert service["minimumAge"] == 60 and "minimumAge" in service["derivedFields"]
    assert _links(plan, ("ServiceArea", "MATCHES", "Area")) == {("sa1", "dc:ward-6")}
    assert _links(plan, ("Service", "RESIDENTS_OF", "Area")) == {("s1", "dc:ward-6")}
    assert _links(plan, ("Location", "IN_AREA", "Area")) == {("in", "dc:ward-6")}
    assert (summary.service_areas.matched, summary.residency_links, summary.area_links) == (1, 1, 1)


def test_joining_twice_gives_the_same_plan_and_without_areas_only_the_text_is_read() -> None:
    plan = _plan()
    join_to_graph(plan, AREAS)
    once = copy.deepcopy((dict(plan.nodes), dict(plan.relationships)))
    join_to_graph(plan, AREAS)
    assert (dict(plan.nodes), dict(plan.relationships)) == once
    bare = _plan()
    summary = join_to_graph(bare, [])
    assert summary.area_links == summary.residency_links == summary.service_areas.matched == 0
    assert bare.nodes["Service"]["s1"]["props"]["minimumAge"] == 60
