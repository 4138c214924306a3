"""Writing a plan: batched merges, idempotent, replaceable, with provenance and points."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from graph.connect import connect
from graph.engine import GraphEngine
from graph.errors import Conflict
from graph.settings import DatabaseSettings
from loaders.plan import GraphPlan
from loaders.taxonomy_codes import chain, term_id
from loaders.writer import write_plan
from queries import reads
from tests.factories import small_plan
from tests.integration.test_schema import assert_unique_clash


def _counts(db: GraphEngine) -> tuple[dict[str, int], dict[str, int]]:
    stats = reads.graph_stats(db)
    return stats.labels, stats.relationships


def test_a_plan_is_written_with_every_node_and_relationship(db: GraphEngine) -> None:
    write_plan(db, small_plan(), dataset_id="d1", fmt="test", path="memory")
    labels, rels = _counts(db)
    assert labels == {"Organization": 1, "Location": 1, "TaxonomyTerm": 1, "Language": 1, "Service": 3,
                      "ServiceAtLocation": 3, "Dataset": 1}
    assert rels == {"HAS_LOCATION": 1, "PROVIDES": 3, "DELIVERED_AT": 3, "AT": 3, "TAGGED": 3, "OFFERED_IN": 3}
    assert reads.service_by_id(db, id="svc-2").organization_name == "Lakeshore Food Bank"


def test_writing_the_same_plan_twice_leaves_identical_counts(db: GraphEngine) -> None:
    write_plan(db, small_plan(), dataset_id="d1", fmt="test", path="memory")
    first = _counts(db)
    write_plan(db, small_plan(), dataset_id="d1", fmt="test", path="memory", batch_size=2)
    assert _counts(db) == first


def test_replace_removes_what_the_previous_load_of_the_dataset_brought(db: GraphEngine) -> None:
    write_plan(db, small_plan(services=5), dataset_id="d1", fmt="test", path="memory")
    write_plan(db, small_plan("other-", services=2), dataset_id="d2", fmt="test", path="memory")
    write_plan(db, small_plan(services=2), dataset_id="d1", fmt="test", path="memory", replace=True)
    labels, rels = _counts(db)
    assert labels["Service"] == 4  # 2 of d1 (replaced), 2 of d2 (kept)
    assert labels["Language"] == 1  # shared vocabulary survives a replace
    assert rels["OFFERED_IN"] == 4
    assert {d.id for d in reads.datasets(db)} == {"d1", "d2"}


def test_each_load_is_recorded_as_a_dataset_node_with_its_counts(db: GraphEngine) -> None:
    write_plan(db, small_plan(), dataset_id="demo", fmt="hsds-csv", path="/data/demo", warnings=2)
    (dataset,) = reads.datasets(db)
    assert (dataset.id, dataset.format, dataset.path, dataset.warnings) == ("demo", "hsds-csv", "/data/demo", 2)
    assert json.loads(dataset.counts or "{}")["Service"] == 3
    assert dataset.loaded_at and dataset.loaded_at.endswith("+00:00")


def test_locations_with_coordinates_get_a_point_for_distance_queries(db: GraphEngine) -> None:
    write_plan(db, small_plan(), dataset_id="d1", fmt="test", path="memory")
    write_plan(db, small_plan("nowhere-", latitude=None), dataset_id="d2", fmt="test", path="memory")
    rows = db.read("MATCH (l:Location) RETURN l.id AS id, l.point AS point ORDER BY id")
    assert rows[0]["id"] == "loc-1" and abs(rows[0]["point"]["latitude"] - 44.23) < 1e-5
    assert rows[1] == {"id": "nowhere-loc-1", "point": None}


def test_a_statement_failing_inside_the_database_leaves_the_graph_as_it_was(db: GraphEngine) -> None:
    write_plan(db, small_plan(), dataset_id="d1", fmt="test", path="memory")
    before = _counts(db)
    statements = [
        ("MATCH (n) DETACH DELETE n", {}),
        ("UNWIND $rows AS row CREATE (:Service {id: row})", {"rows": ["new-1", "new-2"]}),
        ("CREATE (:Service {id: 'new-1'})", {}),  # breaks the unique constraint mid-load
    ]
    with pytest.raises(Conflict) as caught:
        db.write_atomic(statements)
    assert_unique_clash(caught, db, "Service", "new-1")
    assert _counts(db) == before
    assert reads.service_by_id(db, id="svc-1").name == "Service 1"


def test_readers_see_the_previous_graph_until_a_load_completes(db: GraphEngine) -> None:
    write_plan(db, small_plan(services=1), dataset_id="d1", fmt="test", path="memory")
    seen: list[int] = []

    def statements() -> Iterator[tuple[str, dict[str, object]]]:
        yield "UNWIND range(1, 50) AS i CREATE (:Service {id: 'bulk-' + toString(i)})", {}
        seen.append(reads.service_count(db))  # mid-load, from another reader's point of view
        yield "CREATE (:Service {id: 'last'})", {}

    db.write_atomic(statements())
    assert seen == [1]
    assert reads.service_count(db) == 52


def test_a_second_load_into_the_same_graph_waits_its_turn(db: GraphEngine, db_settings: DatabaseSettings) -> None:
    other = connect(db_settings)
    try:
        def statements() -> Iterator[tuple[str, dict[str, object]]]:
            with pytest.raises(Conflict, match="another load"):
                other.write_atomic([("CREATE (:Service {id: 'x'})", {})])
            yield "CREATE (:Service {id: 'first'})", {}

        db.write_atomic(statements())
        other.write_atomic([("CREATE (:Service {id: 'second'})", {})])  # the lock was released
    finally:
        other.close()
    assert reads.service_count(db) == 2


def _airs_plan(prefix: str, codes: list[str]) -> GraphPlan:
    """A dataset tagging one service with each AIRS code (shared term ids), with BROADER chains."""
    plan = GraphPlan()
    plan.add_node("Taxonomy", "airs", {"name": "AIRS/211 Taxonomy"})
    for code in codes:
        for child, parent in zip(chain(code), chain(code)[1:], strict=False):
            plan.add_relationship(("TaxonomyTerm", "BROADER", "TaxonomyTerm"), term_id(child), term_id(parent))
        for c in chain(code):
            plan.add_node("TaxonomyTerm", term_id(c), {"code": c, "name": c, "taxonomy": "airs"})
            plan.add_relationship(("TaxonomyTerm", "IN_TAXONOMY", "Taxonomy"), term_id(c), "airs")
        service = f"{prefix}svc-{code}"
        plan.add_node("Service", service, {"name": f"{prefix} {code}"})
        plan.add_relationship(("Service", "TAGGED", "TaxonomyTerm"), service, term_id(code), {"linkType": "need"})
    return plan


def _tagged(db: GraphEngine, code: str) -> set[str]:
    rows = db.read("MATCH (s:Service)-[:TAGGED]->(:TaxonomyTerm {id: $id}) RETURN s.id AS id", {"id": term_id(code)})
    return {r["id"] for r in rows}


def _chain_in_graph(db: GraphEngine, code: str) -> list[str]:
    rows = db.read("MATCH (:TaxonomyTerm {id: $id})-[:BROADER*0..]->(t:TaxonomyTerm) RETURN t.code AS code",
                   {"id": term_id(code)})
    return sorted(r["code"] for r in rows)


def test_a_replace_keeps_the_shared_terms_and_chains_another_dataset_uses(db: GraphEngine) -> None:
    write_plan(db, _airs_plan("dc-", ["BD-1800.2000", "LH-2700"]), dataset_id="dc", fmt="test", path="m")
    write_plan(db, _airs_plan("balt-", ["BD-1800.2000", "PH-0300"]), dataset_id="balt", fmt="test", path="m")
    # Baltimore wrote the shared BD terms last; replacing it with a set that no longer uses them must
    # not take them (or their chain) from DC, and must drop what only Baltimore used.
    write_plan(db, _airs_plan("balt-", ["LH-2700"]), dataset_id="balt", fmt="test", path="m", replace=True)
    assert _tagged(db, "BD-1800.2000") == {"dc-svc-BD-1800.2000"}
    assert _chain_in_graph(db, "BD-1800.2000") == ["B", "BD", "BD-1800", "BD-1800.2000"]
    assert _tagged(db, "LH-2700") == {"dc-svc-LH-2700", "balt-svc-LH-2700"}
    codes = {r["code"] for r in db.read("MATCH (t:TaxonomyTerm) RETURN t.code AS code")}
    assert "PH-0300" not in codes  # only the replaced load declared and used it
    assert {"B", "BD", "BD-1800", "BD-1800.2000", "L", "LH", "LH-2700"} <= codes
    assert db.read("MATCH (x:Taxonomy {id: 'airs'}) RETURN count(x) AS n")[0]["n"] == 1


def _area_links_plan() -> GraphPlan:
    """Another dataset's area, with a link to the small plan's location and a tie from its organization."""
    plan = GraphPlan()
    plan.add_node("Area", "ward-1", {"name": "Ward 1", "kind": "ward"})
    plan.add_relationship(("Location", "IN_AREA", "Area"), "loc-1", "ward-1")
    plan.add_node("Organization", "table", {"name": "Situation Table", "sector": "collaborative"})
    plan.add_relationship(("Organization", "MEMBER_OF", "Organization"), "org-1", "table")
    return plan


def _links(db: GraphEngine) -> set[str]:
    rows = db.read("MATCH (a)-[r:IN_AREA|MEMBER_OF]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b")
    return {f"{r['a']}-{r['type']}->{r['b']}" for r in rows}


def test_a_replace_keeps_what_other_datasets_link_to_its_surviving_records(db: GraphEngine) -> None:
    write_plan(db, small_plan(services=3), dataset_id="d1", fmt="test", path="memory")
    write_plan(db, _area_links_plan(), dataset_id="planning", fmt="test", path="memory")
    assert _links(db) == {"loc-1-IN_AREA->ward-1", "org-1-MEMBER_OF->table"}
    write_plan(db, small_plan(services=2), dataset_id="d1", fmt="test", path="memory", replace=True)
    assert _links(db) == {"loc-1-IN_AREA->ward-1", "org-1-MEMBER_OF->table"}  # org and location survive
    labels, _ = _counts(db)
    assert labels["Service"] == 2  # svc-3 went with the replace
    write_plan(db, small_plan("new-", services=1), dataset_id="d1", fmt="test", path="memory", replace=True)
    assert _links(db) == set()  # now the organization and location themselves are gone


def test_a_replace_leaves_exactly_the_new_properties(db: GraphEngine) -> None:
    plan = small_plan(services=1)
    plan.nodes["Service"]["svc-1"]["props"]["email"] = "old@example.org"
    write_plan(db, plan, dataset_id="d1", fmt="test", path="memory")
    write_plan(db, small_plan(services=1), dataset_id="d1", fmt="test", path="memory", replace=True)
    props = db.read("MATCH (s:Service {id: 'svc-1'}) RETURN properties(s) AS p")[0]["p"]
    assert "email" not in props and props["name"] == "Service 1" and props["dataset"] == "d1"
