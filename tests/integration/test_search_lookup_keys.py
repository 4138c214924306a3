"""The search sites' lookup keys find exactly the sites of their need, on both engines.

On Neo4j the keys are found through a keyword full-text index (graph/schema/neo4j.py), so each key reaches
Lucene inside a query string: a need term whose id holds Lucene's syntax (quotes, backslashes, `OR`, brackets,
wildcards) must find its own sites and no others, as FalkorDB's list index does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.search_model import GeoPoint, ServiceQuery
from graph.engine import GraphEngine
from loaders.load import load_parsed
from loaders.plan import GraphPlan
from services.search import rank
from tests.factories import ReadyPlan

NEAR = GeoPoint(44.23, -76.5)
# ids a source may publish: each is one exact key, never Lucene syntax
ODD_TERMS = ('food "pantry"', "back\\slash", "meals OR shelter", "(clothing)", "legal*", "a:b", "x AND NOT y", "~?^!")


def _plan() -> GraphPlan:
    plan = GraphPlan()
    plan.add_node("Organization", "org", {"name": "Harbour Aid"})
    plan.add_node("Location", "loc", {"name": "Depot", "latitude": NEAR.latitude, "longitude": NEAR.longitude})
    plan.add_relationship(("Organization", "HAS_LOCATION", "Location"), "org", "loc")
    for n, term in enumerate((*ODD_TERMS, "meals", "shelter", "y", "legal"), start=1):
        plan.add_node("TaxonomyTerm", term, {"name": f"Term {n}", "code": f"T{n}"})
        service, sal = f"svc-{n}", f"sal-{n}"
        plan.add_node("Service", service, {"name": f"Service {n}", "status": "active"})
        plan.add_node("ServiceAtLocation", sal, {})
        plan.add_relationship(("Organization", "PROVIDES", "Service"), "org", service)
        plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service, sal)
        plan.add_relationship(("ServiceAtLocation", "AT", "Location"), sal, "loc")
        plan.add_relationship(("Service", "TAGGED", "TaxonomyTerm"), service, term, {"linkType": "need"},
                              id=f"tag-{n}")
    return plan


@pytest.fixture
def odd_db(db: GraphEngine, tmp_path: Path) -> GraphEngine:
    load_parsed(db, ReadyPlan(_plan()), dataset_id="odd", path=tmp_path)
    return db


@pytest.mark.parametrize("term", ODD_TERMS)
def test_a_need_term_with_lucene_syntax_in_its_id_finds_its_own_service_only(odd_db: GraphEngine, term: str) -> None:
    expected = f"svc-{ODD_TERMS.index(term) + 1}"
    for radius_km in (1.0, 400.0):  # keys of grid cells, and the bare need term for a wide radius
        ranked = rank(odd_db, ServiceQuery(need=(term,), near=NEAR, radius_km=radius_km))
        assert [h.service_id for h in ranked.hits] == [expected], (term, radius_km)
        assert ranked.total == 1
