"""Spatial accessibility, 2SFCA and E2SFCA: `analytics.accessibility`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analytics.accessibility import (
    EARTH_RADIUS_KM,
    Accessibility,
    AccessibilityInputError,
    DecayStep,
    DemandPoint,
    SupplySite,
    default_steps,
    deserts,
    two_step_fca,
)

KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180  # 111.195 km: along a meridian, distance = km per degree × Δlatitude


def area(area_id: str, km: float, population: float) -> DemandPoint:
    """An area `km` north of (0, 0) on the prime meridian."""
    return DemandPoint(area_id, km / KM_PER_DEGREE, 0.0, population)


def site(site_id: str, km: float, capacity: float = 1.0) -> SupplySite:
    return SupplySite(site_id, km / KM_PER_DEGREE, 0.0, capacity)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The textbook formula, scalar, as the reference for the module's chord form."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# A line along the meridian, in km from the origin: areas a0 (0 km, 100 people), a1 (10 km, 200), a2 (20 km, 300);
# sites s1 (3 km, capacity 2), s2 (15 km, capacity 5). Distances (km):
#        s1   s2
#   a0    3   15
#   a1    7    5
#   a2   17    5
LINE_AREAS = [area("a0", 0, 100), area("a1", 10, 200), area("a2", 20, 300)]
LINE_SITES = [site("s1", 3, 2), site("s2", 15, 5)]


def by_id(result: Accessibility) -> dict[str, Any]:
    items: list[Any] = [*result.areas, *result.sites]
    return {item.id: item for item in items}


# ---------------------------------------------------------------- hand-computed examples

def test_classic_2sfca_on_a_line_matches_the_hand_computation() -> None:
    # catchment 8 km: s1 reaches a0, a1; s2 reaches a1, a2.
    # R_s1 = 2 / (100 + 200) = 1/150; R_s2 = 5 / (200 + 300) = 1/100
    # A_a0 = 1/150; A_a1 = 1/150 + 1/100 = 1/60; A_a2 = 1/100
    # Σ P A = 100/150 + 200/60 + 300/100 = 7 = 2 + 5; average 7/600; ratios 4/7, 10/7, 6/7
    result = two_step_fca(LINE_AREAS, LINE_SITES, catchment_km=8)
    got = by_id(result)
    assert got["s1"].catchment_population == pytest.approx(300)
    assert got["s1"].ratio == pytest.approx(1 / 150)
    assert got["s2"].catchment_population == pytest.approx(500)
    assert got["s2"].ratio == pytest.approx(1 / 100)
    assert [a.id for a in result.areas] == ["a0", "a1", "a2"]  # input order
    assert [a.score for a in result.areas] == pytest.approx([1 / 150, 1 / 60, 1 / 100])
    assert result.regional_average == pytest.approx(7 / 600)
    assert [a.ratio_to_average for a in result.areas] == pytest.approx([4 / 7, 10 / 7, 6 / 7])
    assert [a.sites_in_reach for a in result.areas] == [1, 2, 1]
    assert [a.supply_in_reach for a in result.areas] == [2, 7, 5]
    assert [a.nearest_site_km for a in result.areas] == pytest.approx([3, 5, 5], rel=1e-9)
    assert (result.total_population, result.total_supply, result.supply_with_catchment) == (600, 7, 7)
    assert result.access_total == pytest.approx(7)
    assert deserts(result, below_ratio=0.6) == {"a0"}


def test_e2sfca_with_two_steps_matches_the_hand_computation() -> None:
    # steps: ≤ 4 km weight 1, (4, 8] km weight 0.5. Weights: a0-s1 1; a1-s1 0.5; a1-s2 0.5; a2-s2 0.5.
    # R_s1 = 2 / (100·1 + 200·0.5) = 2/200 = 0.01; R_s2 = 5 / (200·0.5 + 300·0.5) = 5/250 = 0.02
    # A_a0 = 0.01·1 = 0.01; A_a1 = 0.01·0.5 + 0.02·0.5 = 0.015; A_a2 = 0.02·0.5 = 0.01
    # Σ P A = 1 + 3 + 3 = 7; ratios 6/7, 9/7, 6/7.
    # Had R_j used unweighted populations (300, 500), A would be 1/150, 1/120, 1/200 and Σ P A = 3.83 ≠ 7.
    steps = (DecayStep(4, 1.0), DecayStep(8, 0.5))
    result = two_step_fca(LINE_AREAS, LINE_SITES, catchment_km=8, steps=steps)
    got = by_id(result)
    assert got["s1"].catchment_population == pytest.approx(200)
    assert got["s1"].ratio == pytest.approx(0.01)
    assert got["s2"].catchment_population == pytest.approx(250)
    assert got["s2"].ratio == pytest.approx(0.02)
    assert [a.score for a in result.areas] == pytest.approx([0.01, 0.015, 0.01])
    assert [a.ratio_to_average for a in result.areas] == pytest.approx([6 / 7, 9 / 7, 6 / 7])
    assert [a.supply_in_reach for a in result.areas] == [2, 7, 5]  # unweighted
    assert result.access_total == pytest.approx(7)
    assert result.steps == steps


def test_default_steps_are_thirds_of_the_catchment_with_luo_and_qi_weights() -> None:
    assert default_steps(30) == (DecayStep(10, 1.0), DecayStep(20, 0.68), DecayStep(30, 0.22))
    assert default_steps(0.7)[-1].up_to_km == 0.7  # the last bound is the catchment itself, not 3 × a third


def test_a_last_step_short_of_the_catchment_narrows_the_catchment_to_it() -> None:
    result = two_step_fca([area("a", 0, 10)], [site("s", 7)], catchment_km=8, steps=[DecayStep(5, 1.0)])
    assert result.areas[0].score == 0
    assert result.areas[0].sites_in_reach == 0
    assert result.sites[0].empty_catchment


def test_each_step_covers_distances_above_the_previous_bound_up_to_its_own() -> None:
    # Bounds at 4 and 8 km; sites 1 m inside and 1 m outside each bound, and one on the area itself (0 km).
    # (A pair exactly on a bound is decided by rounding at ~1e-12 km; the module docstring says so.)
    steps = (DecayStep(4, 1.0), DecayStep(8, 0.5))
    offsets = {"zero": 0.0, "in4": 3.999, "out4": 4.001, "in8": 7.999, "out8": 8.001}
    for name, km in offsets.items():
        result = two_step_fca([area("a", 0, 10)], [site(name, km)], catchment_km=8, steps=steps)
        expected = {"zero": 10, "in4": 10, "out4": 5, "in8": 5, "out8": 0}[name]
        assert result.sites[0].catchment_population == expected, name


def test_distances_are_great_circle_including_across_the_antimeridian() -> None:
    result = two_step_fca([DemandPoint("east", 0, 179.9, 1), DemandPoint("toronto", 43.6532, -79.3832, 1)],
                          [SupplySite("west", 0, -179.9), SupplySite("montreal", 45.5019, -73.5674)],
                          catchment_km=25)
    east, toronto = result.areas
    assert east.nearest_site_km == pytest.approx(haversine_km(0, 179.9, 0, -179.9), rel=1e-9)  # 22.2 km
    assert east.sites_in_reach == 1
    assert toronto.nearest_site_km == pytest.approx(504.3, abs=0.5)
    assert toronto.sites_in_reach == 0


# ---------------------------------------------------------------- empty catchments, unserved areas, no people

def test_sites_nobody_can_reach_have_no_ratio_and_areas_out_of_reach_score_zero() -> None:
    # catchment 5 km. s1 (1 km) serves a (0 km, 100 people): R = 3/100. s2 (52 km) reaches only b (50 km),
    # who has no people: empty. s3 (150 km) reaches nobody: empty. c (100 km) reaches no site; nearest is s2.
    areas = [area("a", 0, 100), area("b", 50, 0), area("c", 100, 40)]
    sites = [site("s1", 1, 3), site("s2", 52, 4), site("s3", 150, 6)]
    result = two_step_fca(areas, sites, catchment_km=5)
    got = by_id(result)
    assert got["s1"].ratio == pytest.approx(0.03) and not got["s1"].empty_catchment
    for empty in ("s2", "s3"):
        assert got[empty].empty_catchment
        assert (got[empty].ratio, got[empty].catchment_population) == (0, 0)
    assert result.total_supply == 13
    assert result.supply_with_catchment == 3  # empty catchments are left out of the invariant's right side
    assert result.access_total == pytest.approx(3)
    assert got["b"].score == 0 and got["b"].sites_in_reach == 1
    assert got["c"].score == 0 and got["c"].sites_in_reach == 0 and got["c"].supply_in_reach == 0
    assert got["c"].nearest_site_km == pytest.approx(48, rel=1e-9)
    assert result.regional_average == pytest.approx(3 / 140)
    assert got["a"].ratio_to_average == pytest.approx(1.4)
    assert deserts(result, below_ratio=0.5) == {"b", "c"}
    assert deserts(result, below_ratio=0) == {"b", "c"}  # score 0 is a desert whatever the threshold
    assert deserts(result, below_ratio=2) == {"a", "b", "c"}


def test_zero_total_population_leaves_the_average_and_every_ratio_undefined() -> None:
    result = two_step_fca([area("a", 0, 0), area("b", 2, 0)], [site("s", 1)], catchment_km=5)
    assert result.total_population == 0
    assert result.regional_average is None
    assert [a.ratio_to_average for a in result.areas] == [None, None]
    assert result.sites[0].empty_catchment
    assert result.supply_with_catchment == 0 == result.access_total


def test_without_sites_every_area_scores_zero_and_has_no_nearest_site() -> None:
    result = two_step_fca([area("a", 0, 10), area("b", 2, 0)], [], catchment_km=5)
    assert [(a.score, a.sites_in_reach, a.nearest_site_km) for a in result.areas] == [(0, 0, None)] * 2
    assert result.regional_average == 0
    assert [a.ratio_to_average for a in result.areas] == [None, None]  # no ratio to an average of 0
    assert deserts(result, below_ratio=0.5) == {"a", "b"}


def test_without_areas_every_site_has_an_empty_catchment() -> None:
    result = two_step_fca([], [site("s", 1, 2)], catchment_km=5)
    assert result.areas == ()
    assert result.regional_average is None
    assert result.sites[0].empty_catchment
    assert (result.total_supply, result.supply_with_catchment) == (2, 0)


# ---------------------------------------------------------------- the invariant, and a reference computation

def _wrap(longitude: float) -> float:
    return (longitude + 180) % 360 - 180


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[DemandPoint], list[SupplySite], float, tuple[DecayStep, ...] | None]:
    """A region about 220 × 330 km anywhere on Earth (antimeridian included), with random steps or none."""
    centre_lat = draw(st.floats(-80, 80))
    centre_lon = draw(st.floats(-180, 180))
    offset = st.tuples(st.floats(-1, 1), st.floats(-1.5, 1.5))
    population = st.one_of(st.just(0.0), st.floats(0.01, 1e6))
    areas = [DemandPoint(f"a{i}", centre_lat + dlat, _wrap(centre_lon + dlon), draw(population))
             for i, (dlat, dlon) in enumerate(draw(st.lists(offset, min_size=1, max_size=12)))]
    places = st.one_of(offset, st.sampled_from([(a.latitude - centre_lat, 0.0) for a in areas]))  # on an area too
    sites = [SupplySite(f"s{j}", centre_lat + dlat, _wrap(centre_lon + dlon), draw(st.floats(0.01, 1e4)))
             for j, (dlat, dlon) in enumerate(draw(st.lists(places, max_size=15)))]
    catchment = draw(st.floats(0.5, 200))
    kind = draw(st.sampled_from(["classic", "default", "random"]))
    steps: tuple[DecayStep, ...] | None = None
    if kind == "default":
        steps = default_steps(catchment)
    elif kind == "random":
        fractions = sorted(draw(st.sets(st.floats(0.05, 1), min_size=1, max_size=4)))
        weights = sorted(draw(st.lists(st.floats(0.01, 1), min_size=len(fractions), max_size=len(fractions))),
                         reverse=True)
        steps = tuple(DecayStep(catchment * f, w) for f, w in zip(fractions, weights, strict=True))
    return areas, sites, catchment, steps


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_population_weighted_access_sums_to_the_supply_with_a_catchment(
        scenario: tuple[list[DemandPoint], list[SupplySite], float, tuple[DecayStep, ...] | None]) -> None:
    # Σ_i P_i A_i = Σ_j S_j over non-empty catchments. It fails if step 1 and step 2 weigh differently, e.g. if
    # R_j divided by unweighted populations under E2SFCA (see the hand example: 3.83 instead of 7).
    areas, sites, catchment, steps = scenario
    result = two_step_fca(areas, sites, catchment_km=catchment, steps=steps)
    direct = math.fsum(a.population * a.score for a in result.areas)
    assert direct == pytest.approx(result.supply_with_catchment, rel=1e-9, abs=1e-12)
    assert result.access_total == pytest.approx(result.supply_with_catchment, rel=1e-9, abs=1e-12)
    assert result.supply_with_catchment == pytest.approx(
        math.fsum(s.capacity for s in result.sites if s.catchment_population > 0))
    if result.total_population > 0:
        assert result.regional_average == pytest.approx(result.supply_with_catchment / result.total_population)


def _reference(areas: list[DemandPoint], sites: list[SupplySite], catchment: float,
               steps: tuple[DecayStep, ...] | None) -> tuple[list[float], list[float]]:
    """Per-pair loops straight from the definitions: (A_i per area, R_j per site)."""
    bounds = [(catchment, 1.0)] if steps is None else [(s.up_to_km, s.weight) for s in steps]
    distance = [[haversine_km(a.latitude, a.longitude, s.latitude, s.longitude) for s in sites] for a in areas]
    assume(all(abs(d - b) > 1e-9 for row in distance for d in row for b, _ in bounds))  # no pair on an edge

    def weight(d: float) -> float:
        return next((w for b, w in bounds if d <= b), 0.0)

    ratios = []
    for j, s in enumerate(sites):
        catchment_population = sum(a.population * weight(distance[i][j]) for i, a in enumerate(areas))
        ratios.append(s.capacity / catchment_population if catchment_population > 0 else 0.0)
    scores = [sum(ratios[j] * weight(distance[i][j]) for j in range(len(sites))) for i in range(len(areas))]
    return scores, ratios


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_scores_and_ratios_agree_with_a_pair_by_pair_reference(
        scenario: tuple[list[DemandPoint], list[SupplySite], float, tuple[DecayStep, ...] | None]) -> None:
    areas, sites, catchment, steps = scenario
    scores, ratios = _reference(areas, sites, catchment, steps)
    result = two_step_fca(areas, sites, catchment_km=catchment, steps=steps)
    assert [a.score for a in result.areas] == pytest.approx(scores, rel=1e-9, abs=1e-300)
    assert [s.ratio for s in result.sites] == pytest.approx(ratios, rel=1e-9, abs=1e-300)


# ---------------------------------------------------------------- chunking

def test_blocks_of_sites_of_any_size_give_the_same_result() -> None:
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(44, 44.5, 230).tolist(), rng.uniform(-76.8, -76.2, 230).tolist()
    areas = [DemandPoint(f"a{i}", lat[i], lon[i], float(rng.integers(0, 5000))) for i in range(30)]
    sites = [SupplySite(f"s{j}", lat[j], lon[j], float(rng.integers(1, 4))) for j in range(30, 230)]
    for steps in (None, default_steps(12)):
        whole = two_step_fca(areas, sites, catchment_km=12, steps=steps)  # one block: 30 × 200 ≪ CHUNK_CELLS
        for chunk in (1, 7):
            parts = two_step_fca(areas, sites, catchment_km=12, steps=steps, chunk_sites=chunk)
            for a, b in zip(whole.areas, parts.areas, strict=True):
                assert (a.id, a.sites_in_reach, a.population) == (b.id, b.sites_in_reach, b.population)
                assert (a.score, a.supply_in_reach, a.nearest_site_km) == pytest.approx(
                    (b.score, b.supply_in_reach, b.nearest_site_km), rel=1e-12)
            for s, t in zip(whole.sites, parts.sites, strict=True):
                assert (s.id, s.empty_catchment) == (t.id, t.empty_catchment)
                assert (s.ratio, s.catchment_population) == pytest.approx((t.ratio, t.catchment_population), rel=1e-12)
            assert parts.regional_average == pytest.approx(whole.regional_average, rel=1e-12)


# ---------------------------------------------------------------- input validation

GOOD_AREA = DemandPoint("a", 44.2, -76.5, 10)
GOOD_SITE = SupplySite("s", 44.21, -76.5)


@pytest.mark.parametrize(("catchment", "steps", "message"), [
    (0, None, r"catchmentKm must be > 0 and ≤ 200, not 0"),
    (-3, None, r"catchmentKm must be > 0 and ≤ 200"),
    (250, None, r"catchmentKm must be > 0 and ≤ 200, not 250"),
    (math.nan, None, r"catchmentKm must be > 0 and ≤ 200, not nan"),
    (10, [], r"at least one step, or be omitted for classic 2SFCA"),
    (10, [DecayStep(0, 1)], r"step 1: upToKm must be > 0"),
    (10, [DecayStep(5, 1), DecayStep(5, 0.5)], r"step 2: upToKm must be more than step 1's 5, not 5"),
    (10, [DecayStep(5, 1), DecayStep(3, 0.5)], r"steps run from near to far"),
    (10, [DecayStep(5, 1.2)], r"step 1: weight must be > 0 and ≤ 1, not 1.2"),
    (10, [DecayStep(5, 1), DecayStep(10, 0)], r"step 2: weight must be > 0 and ≤ 1, not 0"),
    (10, [DecayStep(5, 0.5), DecayStep(10, 0.8)], r"step 2: weight must be at most step 1's 0.5.*decay"),
    (10, [DecayStep(5, 1), DecayStep(12, 0.5)], r"last step's upToKm \(12\) must be at most catchmentKm \(10\)"),
])
def test_bad_catchments_and_steps_are_refused_saying_what_to_fix(
        catchment: float, steps: list[DecayStep] | None, message: str) -> None:
    with pytest.raises(AccessibilityInputError, match=message):
        two_step_fca([GOOD_AREA], [GOOD_SITE], catchment_km=catchment, steps=steps)


@pytest.mark.parametrize(("areas", "sites", "message"), [
    ([DemandPoint("a", 44, -76, -1)], [GOOD_SITE], r"demand point 'a': population must be ≥ 0 and finite, not -1"),
    ([DemandPoint("a", 44, -76, math.inf)], [GOOD_SITE], r"population must be ≥ 0 and finite, not inf"),
    ([GOOD_AREA], [SupplySite("s", 44, -76, 0)], r"site 's': capacity must be > 0 and finite \(1 when unknown\)"),
    ([DemandPoint("a", 91, -76, 1)], [GOOD_SITE], r"demand point 'a': latitude must be between -90 and 90, not 91"),
    ([GOOD_AREA], [SupplySite("s", 44, math.nan)], r"site 's': longitude must be between -180 and 180, not nan"),
    ([GOOD_AREA, GOOD_AREA], [GOOD_SITE], r"demand point ids must be unique; 'a' appears more than once"),
    ([GOOD_AREA], [GOOD_SITE, GOOD_SITE], r"site ids must be unique; 's' appears more than once"),
])
def test_bad_points_are_refused_naming_the_point_and_the_field(
        areas: list[DemandPoint], sites: list[SupplySite], message: str) -> None:
    with pytest.raises(AccessibilityInputError, match=message):
        two_step_fca(areas, sites, catchment_km=10)


def test_input_errors_are_value_errors_and_other_arguments_are_checked_too() -> None:
    assert issubclass(AccessibilityInputError, ValueError)
    with pytest.raises(AccessibilityInputError, match="catchmentKm must be > 0"):
        default_steps(0)
    with pytest.raises(AccessibilityInputError, match="chunk_sites must be at least 1, not 0"):
        two_step_fca([GOOD_AREA], [GOOD_SITE], catchment_km=10, chunk_sites=0)
    result = two_step_fca([GOOD_AREA], [GOOD_SITE], catchment_km=10)
    with pytest.raises(AccessibilityInputError, match=r"belowRatio must be ≥ 0 .*not -0.5"):
        deserts(result, below_ratio=-0.5)
