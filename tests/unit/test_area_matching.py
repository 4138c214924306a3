"""Matching a source's coverage-area names to loaded planning areas (loaders.area_matching)."""

from __future__ import annotations

from loaders.area_matching import Area, match_service_areas, normalise_area_name, unique_names
from loaders.plan import GraphPlan

AREAS = [Area("dc:ward-6", "Ward 6", "ward", None), Area("dc:dc", "District of Columbia", "city", None),
         Area("md:balt", "Baltimore", "city", None), Area("n:1", "Downtown", "neighbourhood", None),
         Area("n:2", "Downtown", "district", None), Area("qc:mtl", "Montréal", "city", None)]


def _plan(*names: str) -> GraphPlan:
    plan = GraphPlan()
    for i, name in enumerate(names):
        plan.add_node("ServiceArea", f"sa-{i}", {"name": name})
    return plan


def test_names_compare_without_case_accents_punctuation_or_a_leading_the() -> None:
    assert normalise_area_name("The  Ward 6,") == "ward 6"
    assert normalise_area_name("MONTRÉAL") == normalise_area_name("Montreal") == "montreal"


def test_a_name_one_area_has_matches_and_one_several_have_is_reported_not_guessed() -> None:
    plan = _plan("ward 6", "District Of Columbia", "Baltimore City", "Downtown", "Narnia", "montreal")
    report = match_service_areas(plan, AREAS)
    links = {(r["from"], r["to"]) for r in plan.relationships[("ServiceArea", "MATCHES", "Area")].values()}
    assert links == {("sa-0", "dc:ward-6"), ("sa-1", "dc:dc"), ("sa-2", "md:balt"), ("sa-5", "qc:mtl")}
    assert report.matched == 4 and report.ambiguous == ("Downtown",) and report.unmatched == ("Narnia",)


def test_a_trailing_city_is_dropped_only_when_the_full_name_is_no_area() -> None:
    areas = [*AREAS, Area("md:balt-city", "Baltimore City", "city", None)]
    plan = _plan("Baltimore City")
    match_service_areas(plan, areas)
    assert [r["to"] for r in plan.relationships[("ServiceArea", "MATCHES", "Area")].values()] == ["md:balt-city"]


def test_without_loaded_areas_nothing_is_reported_unmatched() -> None:
    report = match_service_areas(_plan("Ward 6"), [])
    assert (report.matched, report.unmatched) == (0, ())


def test_unique_names_leave_out_names_two_areas_share() -> None:
    assert "downtown" not in unique_names(AREAS) and unique_names(AREAS)["ward 6"] == "dc:ward-6"
