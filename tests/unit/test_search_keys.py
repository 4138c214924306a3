"""The search grid and search-site lookup keys (domain.geo, domain.search_keys): a lookup near a
point must find every site within the radius, whatever the level, and give up (None, or bare need
terms) rather than miss one."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.geo import GRID_LEVELS, grid_cells, grid_cells_within, haversine_km
from domain.search_keys import area_key, cell_key, lookup_keys, site_keys, term_key
from domain.search_model import EARTH_RADIUS_KM, GeoPoint

NO_LIMIT = 10**9


def _destination(start: GeoPoint, bearing_deg: float, km: float) -> GeoPoint:
    """The point `km` from `start` along the great circle leaving at `bearing_deg`."""
    lat1, lon1, bearing = math.radians(start.latitude), math.radians(start.longitude), math.radians(bearing_deg)
    angle = km / EARTH_RADIUS_KM
    lat2 = math.asin(math.sin(lat1) * math.cos(angle) + math.cos(lat1) * math.sin(angle) * math.cos(bearing))
    lon2 = lon1 + math.atan2(math.sin(bearing) * math.sin(angle) * math.cos(lat1),
                             math.cos(angle) - math.sin(lat1) * math.sin(lat2))
    return GeoPoint(math.degrees(lat2), math.degrees(lon2))


@settings(max_examples=400, deadline=None)
@given(lat=st.floats(-80, 80), lon=st.floats(-175, 175), radius=st.floats(0.01, 300),
       bearing=st.floats(0, 360), share=st.floats(0, 1), level=st.integers(0, len(GRID_LEVELS) - 1))
def test_the_cells_around_a_point_hold_every_point_within_the_radius(
    lat: float, lon: float, radius: float, bearing: float, share: float, level: int,
) -> None:
    centre = GeoPoint(lat, lon)
    cells = grid_cells_within(centre, radius, level, NO_LIMIT)
    if cells is None:  # the circle reaches a pole or the antimeridian
        return
    target = _destination(centre, bearing, radius * share)
    assert haversine_km(centre, target) <= radius + 1e-6
    assert grid_cells(target)[level] in cells


def test_a_point_has_one_cell_per_level_and_nearby_points_share_the_coarse_ones() -> None:
    a, b = GeoPoint(44.2301, -76.4812), GeoPoint(44.2302, -76.4811)
    assert len(grid_cells(a)) == len(GRID_LEVELS)
    assert grid_cells(a) == grid_cells(b)
    assert [c.split("|")[0] for c in grid_cells(a)] == [str(level) for level in range(len(GRID_LEVELS))]


def test_cells_near_a_pole_or_the_antimeridian_are_not_offered() -> None:
    assert grid_cells_within(GeoPoint(89.9, 10.0), 50.0, 0, NO_LIMIT) is None
    assert grid_cells_within(GeoPoint(10.0, 179.99), 5.0, 0, NO_LIMIT) is None
    assert grid_cells_within(GeoPoint(10.0, 179.0), 5.0, 0, NO_LIMIT) is not None


def test_more_cells_than_the_limit_is_none() -> None:
    cells = grid_cells_within(GeoPoint(44.23, -76.48), 5.0, 0, NO_LIMIT)
    assert cells is not None and len(cells) > 4
    assert grid_cells_within(GeoPoint(44.23, -76.48), 5.0, 0, len(cells)) == cells
    assert grid_cells_within(GeoPoint(44.23, -76.48), 5.0, 0, len(cells) - 1) is None


def test_a_site_is_keyed_by_each_need_alone_by_cell_and_by_area() -> None:
    point = GeoPoint(44.23, -76.48)
    keys = site_keys(["need-food", "need-meals"], point, ["abc"])
    for term in ("need-food", "need-meals"):
        assert term_key(term) in keys and area_key("abc", term) in keys
        assert all(cell_key(c, term) in keys for c in grid_cells(point))
    assert len(keys) == len(set(keys)) == 2 * (1 + len(GRID_LEVELS) + 1)
    assert site_keys(["need-food"], None, ["abc"]) == [term_key("need-food"), area_key("abc", "need-food")]


def test_a_lookup_takes_the_finest_level_within_the_budget_then_bare_terms() -> None:
    point = GeoPoint(44.23, -76.48)
    fine = lookup_keys(["t1"], point, 5.0, ["abc"])
    assert area_key("abc", "t1") in fine
    assert {k.split("|")[1] for k in fine if k.startswith("c|")} == {"0"}
    coarse = lookup_keys(["t1", "t2"], point, 5.0, [], max_keys=20)
    assert len(coarse) <= 20 and {k.split("|")[1] for k in coarse} == {"1"}
    assert lookup_keys(["t2", "t1"], point, 400.0, ["abc"], max_keys=20) == [term_key("t1"), term_key("t2")]
    assert lookup_keys(["t1"], GeoPoint(89.99, 0.0), 5.0, []) == [term_key("t1")]


@pytest.mark.parametrize("radius", [0.3, 5.0, 40.0, 500.0])
def test_a_lookup_never_exceeds_its_budget(radius: float) -> None:
    terms = [f"t{i}" for i in range(7)]
    keys = lookup_keys(terms, GeoPoint(44.23, -76.48), radius, ["a1", "a2"], max_keys=100)
    assert len(keys) <= 100
