"""The schema is applied idempotently and enforced by the engine."""

from __future__ import annotations

import pytest

from graph.engine import GraphEngine
from graph.errors import Conflict
from graph.schema.model import NODE_LABELS
from queries import run
from services.search import fulltext_query


def _indexes(db: GraphEngine) -> dict[str, dict[str, set[str]]]:
    """label -> property -> the kinds of index on it, as the engine reports them."""
    found: dict[str, dict[str, set[str]]] = {}
    if db.dialect == "neo4j":
        rows = db.read("SHOW INDEXES YIELD labelsOrTypes, properties, type RETURN labelsOrTypes AS labels, "
                       "properties, type")
        for row in rows:
            for label in row["labels"] or ():
                for prop in row["properties"] or ():
                    found.setdefault(label, {}).setdefault(prop, set()).add(row["type"])
        return found
    for row in db.read("CALL db.indexes() YIELD label, types RETURN label, types"):
        found[row["label"]] = {prop: set(kinds) for prop, kinds in row["types"].items()}
    return found


def test_every_label_has_an_id_index_and_location_has_a_point_index(db: GraphEngine) -> None:
    indexes = _indexes(db)
    for label in NODE_LABELS:
        assert "RANGE" in indexes[label]["id"], label
    assert ("POINT" if db.dialect == "neo4j" else "RANGE") in indexes["Location"]["point"]
    assert "FULLTEXT" in indexes["Service"]["name"]
    assert "FULLTEXT" in indexes["Organization"]["description"]


def test_applying_the_schema_again_changes_nothing(db: GraphEngine) -> None:
    before = _indexes(db)
    db.ensure_schema()
    db.ensure_schema()
    assert _indexes(db) == before


def test_two_nodes_of_one_label_cannot_share_an_id(db: GraphEngine) -> None:
    db.write("CREATE (:Service {id: 'dup'})")
    with pytest.raises(Conflict, match="unique constraint"):
        db.write("CREATE (:Service {id: 'dup'})")


def test_full_text_search_finds_services_by_description(db: GraphEngine) -> None:
    db.write("CREATE (:Service {id: 's1', name: 'Harbour Food Bank', description: 'free groceries weekly'})")
    rows = run.read(db, "hsds_api/service_text", text=fulltext_query(db, "groceries"))  # each engine's own call
    assert [r["id"] for r in rows] == ["s1"]


def test_parameters_carry_quotes_backslashes_and_newlines_verbatim(db: GraphEngine) -> None:
    nasty = "O'Brien \"quoted\" \\ back\\slash\nnew line }) DETACH DELETE n //"
    db.write("CREATE (:Service {id: $id, name: $name})", {"id": "q", "name": nasty})
    assert db.read("MATCH (s:Service {id: 'q'}) RETURN s.name AS name") == [{"name": nasty}]


@pytest.mark.parametrize(("words", "found"), [("shelters", True), ("family shelter", True), ("beds AND meals", True),
                                              ("NOT beds", True), ("beds OR cats", False), ("cats", False)])
def test_full_text_search_stems_and_takes_operator_words_as_words_on_either_engine(
        db: GraphEngine, words: str, found: bool) -> None:
    db.write("CREATE (:Service {id: 's1', name: 'Family Shelter', description: 'beds and meals'})")
    rows = run.read(db, "hsds_api/service_text", text=fulltext_query(db, words))
    assert [r["id"] for r in rows] == (["s1"] if found else [])
