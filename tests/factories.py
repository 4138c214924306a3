"""Builders of small, valid inputs for tests."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.engine import GraphEngine, Row
from graph.settings import DatabaseSettings
from loaders.plan import GraphPlan
from loaders.report import Report


@dataclass
class ReadyPlan:
    """A plan built by hand, handed to `loaders.load.load_parsed` like a parser's result."""

    plan: GraphPlan
    report: Report = field(default_factory=Report)
    format: str = "test-plan"
    records: int = 0


def small_plan(prefix: str = "", *, services: int = 3, latitude: float | None = 44.23) -> GraphPlan:
    """An organization providing `services` services at one location, each tagged with one term."""
    plan = GraphPlan()
    org, loc, term = f"{prefix}org-1", f"{prefix}loc-1", f"{prefix}term-food"
    plan.add_node("Organization", org, {"name": "Lakeshore Food Bank", "description": "Food for all"})
    location = {"name": "Main depot"} | ({"latitude": latitude, "longitude": -76.5} if latitude is not None else {})
    plan.add_node("Location", loc, location)
    plan.add_node("TaxonomyTerm", term, {"name": "Food", "code": "FOOD"})
    plan.add_node("Language", "en", {"code": "en", "name": "English"})
    plan.add_relationship(("Organization", "HAS_LOCATION", "Location"), org, loc)
    for n in range(1, services + 1):
        service, sal = f"{prefix}svc-{n}", f"{prefix}sal-{n}"
        plan.add_node("Service", service, {"name": f"Service {n}", "status": "active"})
        plan.add_node("ServiceAtLocation", sal, {})
        plan.add_relationship(("Organization", "PROVIDES", "Service"), org, service)
        plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service, sal)
        plan.add_relationship(("ServiceAtLocation", "AT", "Location"), sal, loc)
        plan.add_relationship(("Service", "TAGGED", "TaxonomyTerm"), service, term,
                              {"linkType": "need"}, id=f"{prefix}attr-{n}")
        plan.add_relationship(("Service", "OFFERED_IN", "Language"), service, "en", {"name": "English"},
                              id=f"{prefix}lang-{n}")
    return plan


class CountingEngine:
    """The real engine, counting the round trips made through it (reads only: what a request makes)."""

    def __init__(self, db: GraphEngine) -> None:
        self._db = db
        self.dialect = db.dialect
        self.uri = db.uri
        self.serialises_loads = db.serialises_loads
        self.reads = 0

    def read(self, query: str, params: Any = None) -> list[Row]:
        self.reads += 1
        return self._db.read(query, params)


def run_graphql(db: GraphEngine, query: str, role: Any = None, **variables: Any) -> dict[str, Any]:
    """The data of a query run through the real schema as `role` (public by default); fails on any error."""
    from api.context import Context
    from api.schema import schema
    from domain.roles import Role

    result = schema.execute_sync(query, variable_values=variables,
                                 context_value=Context(db, role=Role.PUBLIC if role is None else role))
    assert result.errors is None, result.errors
    assert result.data is not None
    data: dict[str, Any] = result.data
    return data


def not_private(root: Path) -> dict[str, str]:
    """Every folder under `root` (itself included) not 0700 and every file not 0600, with its mode."""
    wrong = {}
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        if mode != (0o700 if path.is_dir() else 0o600):
            wrong[str(path.relative_to(root))] = oct(mode)
    return wrong


def small_neo4j(data_dir: Path) -> DatabaseSettings:
    """An embedded Neo4j in `data_dir` with less memory than the defaults (sized for a whole 2-core, 24 GB
    machine): for tests that start servers of their own beside the suite's."""
    return DatabaseSettings(db=f"embedded-neo4j://{data_dir}", neo4j_heap="1g", neo4j_pagecache="256m",
                            neo4j_transaction_total="512m", neo4j_transaction_max="512m")


def small_neo4j_env(data_dir: Path) -> dict[str, str]:
    """The environment of a `safetynet` command on `small_neo4j(data_dir)`."""
    settings = small_neo4j(data_dir)
    memory = {f"SAFETYNET_{name.upper()}": getattr(settings, name) for name in
              ("neo4j_heap", "neo4j_pagecache", "neo4j_transaction_total", "neo4j_transaction_max")}
    return {**os.environ, "SAFETYNET_DB": settings.db, **memory}
