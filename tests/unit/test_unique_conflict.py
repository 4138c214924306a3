"""A unique violation is the project's Conflict in one shape on either engine (graph.errors.unique_conflict), read
from each engine's own words (graph.falkor, graph.neo4j_engine); errors that only look alike stay as they are.
The real servers' errors are checked in tests/integration/test_schema.py."""

from __future__ import annotations

import pytest
import redis
from neo4j.exceptions import Neo4jError

from graph.errors import Conflict, UniqueConflict, unique_conflict
from graph.falkor import _conflict_or
from graph.neo4j_engine import _unique_conflict


@pytest.mark.parametrize(("args", "held", "message"), [
    (("Service", "id", "svc-1"), False, "a Service with id 'svc-1' already exists: each Service's id is unique"),
    (("Organization", "id", None), False,
     "an Organization with the same id already exists: each Organization's id is unique"),
    (("Service", "email", "someone@example.org"), False,  # not a public property: its value is left out
     "a Service with the same email already exists: each Service's email is unique"),
    ((None, "id"), False, "a record with the same id already exists: each label's id is unique"),
    (("Area",), False, "an Area with the same unique value already exists: a unique constraint on Area forbids it"),
    (("Service", "id", "x"), True,
     "a Service with id 'x' already exists: each Service's id is unique; the graph already holds two, so the "
     "constraint could not be made: remove one"),
])
def test_the_message_names_what_is_known_and_no_private_value(
    args: tuple[str | None, ...], held: bool, message: str,
) -> None:
    error = unique_conflict(*args, held=held)
    assert isinstance(error, Conflict) and str(error) == message
    assert "someone@example.org" not in repr(vars(error))


def test_falkordb_unique_violation_is_a_conflict_naming_the_label() -> None:
    error = _conflict_or(redis.ResponseError("unique constraint violation on node of type Service"))
    assert isinstance(error, UniqueConflict) and (error.label, error.property, error.value) == ("Service", "id", None)
    assert str(error) == "a Service with the same id already exists: each Service's id is unique"


@pytest.mark.parametrize("message", [
    "Index supports constraint",  # DROP INDEX on an index a unique constraint needs
    "Constraint already exists",  # GRAPH.CONSTRAINT CREATE again
])
def test_a_falkordb_error_about_a_constraint_that_is_no_violation_stays_as_it_is(message: str) -> None:
    other = redis.ResponseError(message)
    assert _conflict_or(other) is other


def _neo4j(code: str, message: str) -> Neo4jError:
    return Neo4jError._hydrate_neo4j(code=code, message=message)  # as the driver makes it from the server's reply


def test_neo4j_unique_violation_is_a_conflict_naming_label_property_and_id() -> None:
    error = _unique_conflict(_neo4j("Neo.ClientError.Schema.ConstraintValidationFailed",
                                    "Node(12) already exists with label `Service` and property `id` = 'svc-1'"))
    assert isinstance(error, UniqueConflict)
    assert (error.label, error.property, error.value) == ("Service", "id", "svc-1")
    assert str(error) == "a Service with id 'svc-1' already exists: each Service's id is unique"


def test_neo4j_composite_key_violation_names_the_label_only() -> None:
    error = _unique_conflict(_neo4j("Neo.ClientError.Schema.ConstraintValidationFailed",
                                    "Node(3) already exists with label `Area` and properties `kind` = 'ward', "
                                    "`name` = 'Ward 6'"))
    assert isinstance(error, UniqueConflict) and "Ward 6" not in str(error)
    assert str(error) == "an Area with the same unique value already exists: a unique constraint on Area forbids it"


def test_neo4j_constraint_over_a_graph_that_breaks_it_is_a_conflict_saying_so() -> None:
    error = _unique_conflict(_neo4j(
        "Neo.DatabaseError.Schema.ConstraintCreationFailed",
        "Unable to create Constraint( name='service_id', type='UNIQUENESS', schema=(:Service {id}) ):\nBoth Node(2) "
        "and Node(3) have the label `Service` and property `id` = 'x'. Note that only the first found violation is "
        "shown."))
    assert isinstance(error, UniqueConflict) and error.value == "x"
    assert str(error).endswith("; the graph already holds two, so the constraint could not be made: remove one")


def test_a_neo4j_constraint_error_that_is_no_unique_violation_is_no_conflict() -> None:
    """The same code says a node still has relationships (a query that should have said DETACH DELETE): a bug of
    ours, not the caller's conflict."""
    assert _unique_conflict(_neo4j("Neo.ClientError.Schema.ConstraintValidationFailed",
                                   "Cannot delete node<0>, because it still has relationships. To delete this node, "
                                   "you must first delete its relationships.")) is None
