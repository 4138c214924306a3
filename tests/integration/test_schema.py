"""The schema is applied idempotently and enforced by the engine."""

from __future__ import annotations

import pytest

from graph.engine import GraphEngine
from graph.schema.model import NODE_LABELS


def _indexes(db: GraphEngine) -> dict[str, dict[str, list[str]]]:
    rows = db.read("CALL db.indexes() YIELD label, types RETURN label, types")
    return {row["label"]: row["types"] for row in rows}


def test_every_label_has_an_id_index_and_location_has_a_point_index(db: GraphEngine) -> None:
    indexes = _indexes(db)
    for label in NODE_LABELS:
        assert "RANGE" in indexes[label]["id"], label
    assert "RANGE" in indexes["Location"]["point"]
    assert "FULLTEXT" in indexes["Service"]["name"]
    assert "FULLTEXT" in indexes["Organization"]["description"]


def test_applying_the_schema_again_changes_nothing(db: GraphEngine) -> None:
    before = _indexes(db)
    db.ensure_schema()
    db.ensure_schema()
    assert _indexes(db) == before


def test_two_nodes_of_one_label_cannot_share_an_id(db: GraphEngine) -> None:
    db.write("CREATE (:Service {id: 'dup'})")
    with pytest.raises(Exception, match="(?i)unique"):
        db.write("CREATE (:Service {id: 'dup'})")


def test_full_text_search_finds_services_by_description(db: GraphEngine) -> None:
    db.write("CREATE (:Service {id: 's1', name: 'Harbour Food Bank', description: 'free groceries weekly'})")
    rows = db.read("CALL db.idx.fulltext.queryNodes('Service', 'groceries') YIELD node RETURN node.id AS id")
    assert [r["id"] for r in rows] == ["s1"]


def test_parameters_carry_quotes_backslashes_and_newlines_verbatim(db: GraphEngine) -> None:
    nasty = "O'Brien \"quoted\" \\ back\\slash\nnew line }) DETACH DELETE n //"
    db.write("CREATE (:Service {id: $id, name: $name})", {"id": "q", "name": nasty})
    assert db.read("MATCH (s:Service {id: 'q'}) RETURN s.name AS name") == [{"name": nasty}]
