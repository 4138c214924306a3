"""The schema is applied idempotently and enforced by the engine."""

from __future__ import annotations

import pytest

from graph.engine import GraphEngine
from graph.errors import Conflict, UniqueConflict
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


def unique_clash(db: GraphEngine, label: str, id_: str) -> str:
    """The project's Conflict message for a second `label` with id `id_`, on either engine: Neo4j names the value,
    FalkorDB's reply does not (graph.errors.unique_conflict)."""
    record = f"{'an' if label[0] in 'AEIOU' else 'a'} {label}"
    clash = f"id {id_!r}" if db.dialect == "neo4j" else "the same id"
    return f"{record} with {clash} already exists: each {label}'s id is unique"


def assert_unique_clash(caught: pytest.ExceptionInfo[Conflict], db: GraphEngine, label: str, id_: str,
                        *, also: str = "") -> None:
    """A unique violation reaches the caller as the project's Conflict, in the project's words (then `also`), not
    the engine's."""
    error = caught.value
    assert isinstance(error, UniqueConflict), repr(error)
    assert (error.label, error.property, error.value) == (label, "id", id_ if db.dialect == "neo4j" else None)
    assert str(error) == unique_clash(db, label, id_) + also
    assert error.__cause__ is not None  # the engine's own error, for the log


def test_two_nodes_of_one_label_cannot_share_an_id(db: GraphEngine) -> None:
    db.write("CREATE (:Service {id: 'dup'})")
    with pytest.raises(Conflict) as caught:
        db.write("CREATE (:Service {id: 'dup'})")
    assert_unique_clash(caught, db, "Service", "dup")
    with pytest.raises(Conflict) as caught:  # two in one statement: the second clashes with the first
        db.write("UNWIND $ids AS id CREATE (:Organization {id: id})", {"ids": ["org-1", "org-1"]})
    assert_unique_clash(caught, db, "Organization", "org-1")
    assert db.read("MATCH (n) RETURN n.id AS id") == [{"id": "dup"}]


def drop_unique_constraint(db: GraphEngine, label: str) -> None:
    """Drop `label`'s unique id constraint, as each engine spells it (FalkorDB's is a command, not Cypher)."""
    if db.dialect == "neo4j":
        db.write(f"DROP CONSTRAINT {label.lower()}_id")
    else:
        db._db.connection.execute_command(  # type: ignore[attr-defined]
            "GRAPH.CONSTRAINT", "DROP", db._graph_name, "UNIQUE", "NODE", label, "PROPERTIES", 1, "id")  # type: ignore[attr-defined]


def test_a_constraint_over_a_graph_that_already_breaks_it_is_refused_with_a_conflict(db: GraphEngine) -> None:
    """Neo4j refuses to make it; FalkorDB builds it in the background and marks it FAILED, which the schema
    check reports alike (and drops, so that a start after the duplicate is removed makes it again)."""
    drop_unique_constraint(db, "Service")
    db.write("CREATE (:Service {id: 'twice'}), (:Service {id: 'twice'})")
    with pytest.raises(Conflict) as caught:
        db.ensure_schema()
    assert_unique_clash(caught, db, "Service", "twice",
                        also="; the graph already holds two, so the constraint could not be made: remove one")
    db.write("MATCH (s:Service {id: 'twice'}) WITH s LIMIT 1 DETACH DELETE s")
    db.ensure_schema()  # with the duplicate gone, the constraint is made and holds
    with pytest.raises(Conflict):
        db.write("CREATE (:Service {id: 'twice'})")


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
