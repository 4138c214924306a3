"""Run catalogue queries by name on an engine; the only way code above `graph/` runs Cypher."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.engine import GraphEngine, Row, Statement
from queries.catalogue import Query, load


def _checked(query: Query, params: Mapping[str, Any]) -> Mapping[str, Any]:
    if set(params) != query.params:
        raise TypeError(f"query {query.name} takes params {sorted(query.params)}, got {sorted(params)}")
    return params


def read(db: GraphEngine, name: str, /, **params: Any) -> list[Row]:
    query = load(name, db.dialect)
    return db.read(query.text, _checked(query, params))


def write(db: GraphEngine, name: str, /, **params: Any) -> list[Row]:
    query = load(name, db.dialect)
    return db.write(query.text, _checked(query, params))


def statement(db: GraphEngine, query: Query, /, **params: Any) -> Statement:
    """A (text, params) pair for `GraphEngine.write_atomic`, checked against the query's header."""
    del db  # the query was loaded for the engine's dialect by the caller
    return query.text, _checked(query, params)
