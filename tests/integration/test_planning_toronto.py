"""Coverage end to end on real geography: Toronto's 158 neighbourhoods (with a generated population) and the
Toronto Public Library's branches as the supply, loaded into the real engine; scores checked against a
brute-force 2SFCA written here from the raw files (shapely centroids, haversine over every pair)."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import shape

from graph.engine import GraphEngine
from loaders.areas import parse_areas
from loaders.areas_links import existing_area_ids, located_locations
from loaders.load import load_parsed
from loaders.plan import GraphPlan
from services import planning
from services.planning import AccessMethod, DemandBasis
from tests.factories import ReadyPlan

pytestmark = pytest.mark.shared_data
NEED = "need-library"


def _branches(raw: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(branch code, latitude, longitude) of every branch with a point (one has null geometry)."""
    out = []
    for feature in raw["features"]:
        if feature.get("geometry"):
            lon, lat = feature["geometry"]["coordinates"][:2]
            out.append((str(feature["properties"]["BranchCode"]), float(lat), float(lon)))
    return out


def _library_plan(branches: list[tuple[str, float, float]]) -> GraphPlan:
    plan = GraphPlan()
    plan.add_node("Organization", "tpl", {"name": "Toronto Public Library"})
    plan.add_node("TaxonomyTerm", NEED, {"name": "Libraries", "code": "LIBRARY"})
    for code, lat, lon in branches:
        service, location, sal = f"tpl-{code}", f"tpl-{code}-site", f"tpl-{code}-sal"
        plan.add_node("Service", service, {"name": f"Branch {code}", "status": "active"})
        plan.add_node("Location", location, {"name": code, "latitude": lat, "longitude": lon})
        plan.add_node("ServiceAtLocation", sal, {})
        plan.add_relationship(("Organization", "PROVIDES", "Service"), "tpl", service)
        plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service, sal)
        plan.add_relationship(("ServiceAtLocation", "AT", "Location"), sal, location)
        plan.add_relationship(("Service", "TAGGED", "TaxonomyTerm"), service, NEED, {"linkType": "need"},
                              id=f"{service}-need")
    return plan


@pytest.fixture(scope="module")
def toronto(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    neighbourhoods = json.loads((shared_data / "toronto" / "toronto_neighbourhoods.geojson").read_text("utf-8"))
    rng = random.Random(2026)
    for feature in neighbourhoods["features"]:  # a generated population: the real one is not in the file
        feature["properties"]["population"] = rng.randint(6_000, 35_000)
    path = tmp_path_factory.mktemp("toronto") / "neighbourhoods-with-population.geojson"
    path.write_text(json.dumps(neighbourhoods), encoding="utf-8")
    libraries = json.loads((shared_data / "toronto" / "libraries.geojson").read_text("utf-8"))
    return {"areas_path": path, "areas": neighbourhoods, "branches": _branches(libraries)}


@pytest.fixture
def loaded(db: GraphEngine, toronto: dict[str, Any]) -> GraphEngine:
    load_parsed(db, ReadyPlan(_library_plan(toronto["branches"]), format="test-libraries"), dataset_id="tpl",
                path=Path("libraries.geojson"))
    path = toronto["areas_path"]
    parsed = parse_areas(path, namespace="toronto", locations=located_locations(db), known_areas=existing_area_ids(db))
    load_parsed(db, parsed, dataset_id="toronto", path=path)
    return db


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The textbook haversine on the mean Earth radius (written here, not the project's)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _brute_force(toronto: dict[str, Any], catchment_km: float) -> dict[str, float]:
    """Classic 2SFCA by the textbook, pair by pair: area id → A_i."""
    areas = []
    for feature in toronto["areas"]["features"]:
        centroid = shape(feature["geometry"]).centroid
        areas.append((f"toronto:{feature['properties']['AREA_SHORT_CODE']}", centroid.y, centroid.x,
                      feature["properties"]["population"]))
    ratios = []
    for _, lat, lon in toronto["branches"]:
        people = sum(p for _, alat, alon, p in areas if haversine_km(alat, alon, lat, lon) <= catchment_km)
        ratios.append((lat, lon, 1 / people if people else 0.0))
    return {aid: math.fsum(r for lat, lon, r in ratios if haversine_km(alat, alon, lat, lon) <= catchment_km)
            for aid, alat, alon, _ in areas}


def test_library_accessibility_in_every_toronto_neighbourhood_matches_a_brute_force(
        loaded: GraphEngine, toronto: dict[str, Any]) -> None:
    result = planning.coverage(loaded, need=[NEED], area_kind="neighbourhood", catchment_km=2.0,
                               method=AccessMethod.TWO_SFCA, steps=None, demand_basis=DemandBasis.POPULATION,
                               desert_below=0.5, from_month=None, to_month=None)
    assert len(result.areas) == 158 and result.unplaced_areas == 0
    assert result.sites == len(toronto["branches"]) == 100
    expected = _brute_force(toronto, 2.0)
    assert {a.id: a.score for a in result.areas} == pytest.approx(expected, rel=1e-9, abs=1e-15)
    assert {a.id for a in result.areas if a.score == 0} == {a for a, s in expected.items() if s == 0}
    population = {a.id: a.demand.value for a in result.areas}
    total = math.fsum(population[a.id] * a.score for a in result.areas)  # type: ignore[operator]
    assert total == pytest.approx(result.access.supply_with_catchment)
    assert 0 < result.access.supply_with_catchment <= 100


def test_decay_weights_keep_the_invariant_on_real_geography(loaded: GraphEngine) -> None:
    result = planning.coverage(loaded, need=[NEED], area_kind=None, catchment_km=3.0, method=AccessMethod.E2SFCA,
                               steps=None, demand_basis=DemandBasis.POPULATION, desert_below=0.5,
                               from_month=None, to_month=None)
    assert result.area_kind == "neighbourhood"  # the only kind loaded
    assert result.access.access_total == pytest.approx(result.access.supply_with_catchment)
    deserts = [a for a in result.areas if a.desert]
    assert deserts and all(a.score == 0 or (a.ratio_to_average or 0) < 0.5 for a in deserts)
