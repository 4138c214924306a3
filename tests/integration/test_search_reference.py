"""`search_services` on a real embedded graph of the demo city, checked against the brute-force
reference computed straight from the same HSDS CSV files (`tests.reference.brute_force`).

One demo city per module (600 services), loaded once into its own graph; then seeded random
questions (need, point, radius, resident age, with and without ineligible services) and a few
deterministic ones. Opening hours are kept out of the random questions (unit-tested elsewhere);
one check at 03:00 on a Tuesday asks only what the schedules CSV says plainly.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from demo.generator import generate_demo
from domain.search_model import GeoPoint, Hit, Resident, ServiceQuery, UnknownNeed
from graph.engine import GraphEngine
from loaders.hsds import parse_hsds
from loaders.load import load_parsed
from services.search import search_services
from tests.reference.brute_force import BruteForce, RefHit, always_open, daytime_only

SERVICES = 600
SEED = 11
CASES = 200
DISTANCE_TOLERANCE_KM = 1e-6
RADII = (0.5, 1.0, 2.0, 5.0, 10.0, 25.0)
# the demo city's bounding box (demo.city.CITY_BBOX), and a margin around it
LAT_MIN, LAT_MAX, LON_MIN, LON_MAX = 44.22, 44.36, -76.62, -76.35
MARGIN = 0.03
CENTRE = GeoPoint(44.28, -76.49)
FAR_AWAY = GeoPoint(45.42, -75.70)  # about 130 km north-east of the city
CRISIS_LINE = "need-crisis-line"
TUESDAY_3AM = datetime(2026, 1, 13, 3, 0, tzinfo=ZoneInfo("America/Toronto"))  # winter: UTC-5, as the CSV says


# --- fixtures -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search-reference") / "maple-harbour"
    generate_demo(out, services=SERVICES, seed=SEED)
    return out


@pytest.fixture(scope="module")
def reference(city: Path) -> BruteForce:
    return BruteForce(city)


@pytest.fixture(scope="module")
def search_db(module_db: GraphEngine, city: Path) -> GraphEngine:
    """The demo city loaded once, on each engine in turn: both must give the reference's answers."""
    load_parsed(module_db, parse_hsds(city), dataset_id="search-reference", path=city)
    return module_db


# --- cases --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    query: ServiceQuery
    age: int | None

    def __str__(self) -> str:  # the test's own resident facts: fine to print
        q = self.query
        point = f"({q.near.latitude:.6f}, {q.near.longitude:.6f})" if q.near else "None"
        return (f"need={list(q.need)} point={point} radius_km={q.radius_km} age={self.age} "
                f"resident={'None' if q.resident is None else 'given'} include_ineligible={q.include_ineligible}")


def _random_case(index: int, reference: BruteForce) -> Case:
    rng = random.Random(f"search-reference-{SEED}-{index}")
    needs = sorted(t for t in reference.term_codes if t.startswith("need-"))
    others = sorted(t for t in reference.term_codes if not t.startswith("need-"))  # populations, sectors
    need: list[str] = []
    if rng.random() < 0.8:
        for _ in range(rng.choice((1, 1, 2))):
            term = rng.choice(needs) if rng.random() < 0.92 else rng.choice(others)
            need.append(term if rng.random() < 0.5 else reference.term_codes[term])
    near = None
    if rng.random() < 0.95:
        near = GeoPoint(rng.uniform(LAT_MIN - MARGIN, LAT_MAX + MARGIN),
                        rng.uniform(LON_MIN - MARGIN, LON_MAX + MARGIN))
    age = rng.randint(0, 95) if rng.random() < 0.6 else None
    resident = Resident(age=age) if age is not None else rng.choice((None, Resident()))
    query = ServiceQuery(need=tuple(need), near=near, radius_km=rng.choice(RADII), resident=resident,
                         include_ineligible=rng.random() < 0.25)
    return Case(query, age)


def _expected(reference: BruteForce, query: ServiceQuery) -> list[RefHit]:
    point = (query.near.latitude, query.near.longitude) if query.near else None
    age = query.resident.age if query.resident else None
    return reference.search(need=query.need, point=point, radius_km=query.radius_km, age=age,
                            include_ineligible=query.include_ineligible)


def _show(hit: RefHit | Hit) -> str:
    distance = getattr(hit, "distance_km", None)
    return f"{hit.service_id} reach={hit.reach} distance_km={distance}"


def differences(expected: Sequence[RefHit], got: Sequence[Hit]) -> list[str]:
    """Every way `got` departs from the reference, one line each (empty when they agree)."""
    problems: list[str] = []
    want_ids, got_ids = [h.service_id for h in expected], [h.service_id for h in got]
    want_by_id, got_by_id = {h.service_id: h for h in expected}, {h.service_id: h for h in got}
    if len(set(got_ids)) != len(got_ids):
        problems.append(f"duplicate service ids in the answer: {len(got_ids) - len(set(got_ids))}")
    if want_ids != got_ids:
        missing = [sid for sid in want_ids if sid not in got_by_id]
        extra = [sid for sid in got_ids if sid not in want_by_id]
        problems.append(f"service ids differ: expected {len(want_ids)}, got {len(got_ids)}; "
                        f"{len(missing)} missing, {len(extra)} extra")
        problems += [f"  missing {_show(want_by_id[sid])}" for sid in missing[:8]]
        problems += [f"  extra {_show(got_by_id[sid])}" for sid in extra[:8]]
        common_want = [sid for sid in want_ids if sid in got_by_id]
        common_got = [sid for sid in got_ids if sid in want_by_id]
        for position, (w, g) in enumerate(zip(common_want, common_got, strict=True)):
            if w != g:
                problems.append(f"  order differs at common position {position}: expected {_show(want_by_id[w])}, "
                                f"got {_show(got_by_id[g])}")
                break
    for sid in want_ids:
        want, hit = want_by_id[sid], got_by_id.get(sid)
        if hit is None:
            continue
        if hit.reach != want.reach:
            problems.append(f"{sid}: reach expected {want.reach}, got {hit.reach}")
        if (want.distance_km is None) != (hit.distance_km is None) or (
                want.distance_km is not None and hit.distance_km is not None
                and abs(want.distance_km - hit.distance_km) > DISTANCE_TOLERANCE_KM):
            problems.append(f"{sid}: distance_km expected {want.distance_km}, got {hit.distance_km}")
        if want.nearest_location_ids and hit.nearest_location_id not in want.nearest_location_ids:
            problems.append(f"{sid}: nearest_location_id expected one of {sorted(want.nearest_location_ids)}, "
                            f"got {hit.nearest_location_id}")
        if not want.nearest_location_ids and hit.nearest_location_id is not None:
            problems.append(f"{sid}: nearest_location_id expected None, got {hit.nearest_location_id}")
        if want.ineligible != (hit.eligibility.status == "INELIGIBLE"):
            problems.append(f"{sid}: ineligible by age expected {want.ineligible}, "
                            f"got {hit.eligibility.status} {list(hit.eligibility.reasons)}")
    return problems


def _assert_agrees(db: GraphEngine, reference: BruteForce, query: ServiceQuery, label: str) -> list[Hit]:
    got = search_services(db, query)
    problems = differences(_expected(reference, query), got)
    assert not problems, f"{label}\n" + "\n".join(problems[:40])
    return got


# --- random questions ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("index", range(CASES))
def test_search_agrees_with_the_brute_force_reference_on_a_random_question(
    index: int, search_db: GraphEngine, reference: BruteForce,
) -> None:
    case = _random_case(index, reference)
    _assert_agrees(search_db, reference, case.query, f"case {index}: {case}")


def test_the_random_questions_exercise_every_kind_of_answer(reference: BruteForce) -> None:
    """The generated cases are not vacuous: they cover both reaches, exclusions, empty and long answers."""
    reaches: set[str | None] = set()
    sizes: list[int] = []
    ineligible = 0
    for index in range(CASES):
        expected = _expected(reference, _random_case(index, reference).query)
        sizes.append(len(expected))
        reaches |= {h.reach for h in expected}
        ineligible += sum(h.ineligible for h in expected)
    assert reaches == {"LOCATION", "SERVICE_AREA", None}
    assert sizes.count(0) >= 10 and sum(s >= 20 for s in sizes) >= 20
    assert ineligible > 0


# --- deterministic questions --------------------------------------------------------------------------------

def test_a_point_far_outside_the_city_is_reached_by_nothing_within_ten_kilometres(
    search_db: GraphEngine, reference: BruteForce,
) -> None:
    query = ServiceQuery(near=FAR_AWAY, radius_km=10)
    assert _assert_agrees(search_db, reference, query, "far away, 10 km") == []


def test_from_far_outside_the_city_a_500_km_radius_reaches_every_located_service_by_location(
    search_db: GraphEngine, reference: BruteForce,
) -> None:
    got = _assert_agrees(search_db, reference, ServiceQuery(near=FAR_AWAY, radius_km=500), "far away, 500 km")
    assert got, "no located service in the reference city: the checks below would see nothing"
    assert {h.service_id for h in got} == {sid for sid in reference.service_ids if reference.places[sid]}
    assert all(h.reach == "LOCATION" and h.distance_km is not None and h.distance_km > 100 for h in got)


def test_from_the_city_centre_a_500_km_radius_reaches_every_service_and_unlocated_ones_come_last(
    search_db: GraphEngine, reference: BruteForce,
) -> None:
    got = _assert_agrees(search_db, reference, ServiceQuery(near=CENTRE, radius_km=500), "centre, 500 km")
    located = [h for h in got if h.reach == "LOCATION"]
    by_area = [h for h in got if h.reach == "SERVICE_AREA"]
    assert located and by_area and got == located + by_area
    assert all(h.distance_km is None for h in by_area)


@pytest.mark.parametrize("term", ["need-food", "need-housing-shelter", "need-crisis-line", "need-mental-health"])
def test_a_need_asked_by_code_gets_the_same_answer_as_by_id(
    term: str, search_db: GraphEngine, reference: BruteForce,
) -> None:
    by_id = ServiceQuery(need=(term,), near=CENTRE, radius_km=25, resident=Resident(age=40))
    by_code = ServiceQuery(need=(reference.term_codes[term],), near=CENTRE, radius_km=25, resident=Resident(age=40))
    got = _assert_agrees(search_db, reference, by_id, f"{term} by id")
    assert got, f"{term}: the check is vacuous"
    assert search_services(search_db, by_code) == got


def test_a_parent_need_finds_every_service_of_its_children(search_db: GraphEngine, reference: BruteForce) -> None:
    parents = sorted(t for t in reference.term_codes if t.startswith("need-") and reference.children.get(t))
    assert parents
    for parent in parents:
        whole = {h.service_id for h in _assert_agrees(
            search_db, reference, ServiceQuery(need=(parent,), near=CENTRE, radius_km=25), parent)}
        for child in reference.children[parent]:
            part = {h.service_id for h in search_services(search_db, ServiceQuery(
                need=(child,), near=CENTRE, radius_km=25))}
            assert part <= whole, f"{child} services missing under {parent}: {sorted(part - whole)[:5]}"


def test_an_unknown_need_is_an_error(search_db: GraphEngine) -> None:
    with pytest.raises(UnknownNeed):
        search_services(search_db, ServiceQuery(need=("need-no-such-thing",), near=CENTRE))


def test_include_ineligible_returns_the_services_too_young_or_old_for_with_the_age_as_reason(
    search_db: GraphEngine, reference: BruteForce,
) -> None:
    age = 7
    everyone = ServiceQuery(near=CENTRE, radius_km=25, resident=Resident(age=age), include_ineligible=True)
    got = _assert_agrees(search_db, reference, everyone, "include_ineligible, age 7")
    ineligible = [h for h in got if h.eligibility.status == "INELIGIBLE"]
    assert ineligible, "no service has an age limit excluding a 7-year-old: the check is vacuous"
    for hit in ineligible:
        assert any(re.search(rf"\bage {age}\b", reason) for reason in hit.eligibility.reasons), hit
    without = _assert_agrees(search_db, reference, ServiceQuery(near=CENTRE, radius_km=25, resident=Resident(age=age)),
                             "without ineligible, age 7")
    assert [h.service_id for h in without] == [h.service_id for h in got if h.eligibility.status != "INELIGIBLE"]


def test_age_limits_are_inclusive_for_every_limit_in_the_data(search_db: GraphEngine, reference: BruteForce) -> None:
    limits = {limit for pair in reference.ages.values() for limit in pair if limit is not None}
    assert len(limits) >= 3
    for age in sorted({a for limit in limits for a in (limit - 1, limit, limit + 1) if a >= 0}):
        query = ServiceQuery(resident=Resident(age=age), include_ineligible=True)
        _assert_agrees(search_db, reference, query, f"every service, age {age}, include_ineligible")


@pytest.mark.parametrize("start", ["point", "need"])
def test_a_location_just_inside_the_radius_reaches_and_one_just_outside_does_not(
    start: str, search_db: GraphEngine, reference: BruteForce,
) -> None:
    """Radii a billionth above and below a location's distance: the edge is decided by the haversine
    distance (R = 6371.0088 km), whatever the engine's own distance function says. `start`: ask without
    a need (the search starts from the point) or with one of the service's needs (it starts from the need)."""
    located = sorted(sid for sid in reference.service_ids if reference.places[sid] and reference.tags.get(sid))
    from_centre = {h.service_id: h.distance_km for h in _expected(reference, ServiceQuery(near=CENTRE, radius_km=500))}
    problems: list[str] = []
    farthest = sorted(located, key=lambda sid: -(from_centre[sid] or 0.0))[:5]  # the widest radii: the most slack
    for sid in [*farthest, *random.Random(SEED).sample(sorted(set(located) - set(farthest)), 5)]:
        distance = from_centre[sid]
        assert distance is not None
        need = (min(reference.tags[sid]),) if start == "need" else ()
        for radius in (distance * (1 + 1e-9), distance * (1 - 1e-9)):
            query = ServiceQuery(need=need, near=CENTRE, radius_km=radius)
            got = search_services(search_db, query)
            reach = next((h.reach for h in got if h.service_id == sid), None)
            if (reach == "LOCATION") != (radius > distance):
                problems.append(f"{sid} at {distance!r} km, need={list(need)}, radius_km={radius!r}: reach {reach}")
            problems += [f"  {p}" for p in differences(_expected(reference, query), got)[:3]]
    assert not problems, "\n".join(problems)


def test_at_3am_on_a_tuesday_crisis_lines_stay_and_daytime_only_services_go(
    search_db: GraphEngine, reference: BruteForce,
) -> None:
    crisis_lines = {sid for sid in reference.service_ids if CRISIS_LINE in reference.tags.get(sid, set())}
    assert crisis_lines
    for sid in crisis_lines:  # what the check relies on: every crisis line is open 24/7 by the CSV
        schedules = reference.schedules_of(sid)
        assert schedules and all(always_open(s) for s in schedules), sid
    daytime = {sid for sid in reference.service_ids
               if not reference.schedules_of(sid) or daytime_only(reference.schedules_of(sid))}
    for point in (CENTRE, GeoPoint(44.25, -76.58), FAR_AWAY):
        anytime = search_services(search_db, ServiceQuery(near=point, radius_km=25))
        at_3am = search_services(search_db, ServiceQuery(near=point, radius_km=25, open_at=TUESDAY_3AM))
        reaching = {h.service_id for h in anytime}
        kept = {h.service_id for h in at_3am}
        assert kept <= reaching
        assert [h for h in anytime if h.service_id in kept] == at_3am, "open_at must only filter, not reorder"
        assert crisis_lines & reaching <= kept, f"crisis lines dropped: {sorted(crisis_lines & reaching - kept)}"
        assert not kept & daytime, f"daytime-only services kept at 3 a.m.: {sorted(kept & daytime)[:5]}"
        if point != FAR_AWAY:
            assert crisis_lines & reaching and daytime & reaching, "the check is vacuous here"
