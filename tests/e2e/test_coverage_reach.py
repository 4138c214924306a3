"""A 211 coverage area named like a loaded planning area reaches the search through that area's shape,
for everyone, and is how the public finds a service whose only place is confidential (a shelter): by
its coverage, with no distance and no location, wherever in the area the point is. On each engine: the CLI
loads into the module's database (`module_engine`), which stays running for the module's tests."""

from __future__ import annotations

import csv
import json
import os
from typing import Any

import pytest

from api.context import Context
from api.schema import schema
from domain.roles import Role
from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import DatabaseSettings
from tests.e2e.cli import run_cli

DISTRICT = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {"id": "dc", "name": "District of Columbia"},
    "geometry": {"type": "Polygon", "coordinates": [[[-77.2, 38.8], [-76.9, 38.8], [-76.9, 39.0], [-77.2, 39.0],
                                                     [-77.2, 38.8]]]}}]}
ROWS = [
    {"ResourceAgencyNum": "100", "PublicName": "Safe Haven", "TaxonomyLevelName": "Agency", "ParentAgencyNum": "0",
     "PhysicalAddress1": "1 Main St", "PhysicalCity": "Washington", "Latitude": "38.90", "Longitude": "-77.00"},
    {"ResourceAgencyNum": "200", "PublicName": "Shelter beds", "TaxonomyLevelName": "Program",
     "ParentAgencyNum": "100", "PhysicalAddress1": "9 Quiet Ln", "PhysicalCity": "Washington", "Latitude": "38.95",
     "Longitude": "-77.10", "PhysicalAddressIsPrivate": "Yes", "CoverageArea": "District of Columbia",
     "TaxonomyCodes": "BH-1800.8500", "TaxonomyTerm": "Domestic Violence Shelters"},
]
SEARCH = """query($near: GeoPointInput!) { services(need: ["BH-1800.8500"], near: $near, radiusKm: 1) {
  edges { reach distanceKm nearestLocation { id } node { id } } } }"""
AWAY, AT_THE_SHELTER = {"latitude": 38.85, "longitude": -77.15}, {"latitude": 38.95, "longitude": -77.10}


@pytest.fixture(scope="module")
def loaded(module_engine: GraphEngine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The areas, then the export, loaded by the CLI into the module's database (its server runs meanwhile,
    started by `module_engine`: the commands find it and leave it running)."""
    folder = tmp_path_factory.mktemp("coverage")
    env = {**os.environ, "SAFETYNET_DB": module_engine.uri, "NO_COLOR": "1"}
    (folder / "areas.geojson").write_text(json.dumps(DISTRICT))
    with (folder / "211.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, list(dict.fromkeys(k for row in ROWS for k in row)))
        writer.writeheader()
        writer.writerows(ROWS)
    run_cli(env, "load", "areas", str(folder / "areas.geojson"), "--dataset-id", "districts")
    run_cli(env, "load", "211", str(folder / "211.csv"), "--dataset-id", "dc-211")
    return env


def _edges(env: dict[str, str], near: dict[str, float], role: Role) -> list[dict[str, Any]]:
    db = connect(DatabaseSettings(db=env["SAFETYNET_DB"]))
    try:
        result = schema.execute_sync(SEARCH, variable_values={"near": near}, context_value=Context(db, role=role))
    finally:
        db.close()
    assert result.errors is None and result.data is not None, result.errors
    edges: list[dict[str, Any]] = result.data["services"]["edges"]
    return edges


@pytest.mark.parametrize("near", [AWAY, AT_THE_SHELTER])
def test_the_public_finds_a_confidential_shelter_by_its_coverage_and_learns_nothing_of_where_it_is(
        loaded: dict[str, str], near: dict[str, float]) -> None:
    assert _edges(loaded, near, Role.PUBLIC) == [
        {"reach": "SERVICE_AREA", "distanceKm": None, "nearestLocation": None, "node": {"id": "dc-211:service:200"}}]


def test_staff_find_it_by_its_coverage_away_from_it_and_by_its_place_beside_it(loaded: dict[str, str]) -> None:
    assert [e["reach"] for e in _edges(loaded, AWAY, Role.STAFF)] == ["SERVICE_AREA"]
    beside = _edges(loaded, AT_THE_SHELTER, Role.STAFF)
    assert [(e["reach"], e["nearestLocation"]) for e in beside] == [("LOCATION", {"id": "dc-211:location:200"})]
