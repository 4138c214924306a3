"""Structured criteria added to a write plan from its services' eligibility text
(`loaders.eligibility_enrich`): ages, population tags, residency links, `derivedFields`."""

from __future__ import annotations

import copy
from typing import Any

from demo.taxonomy import POPULATION_PHRASES, POPULATION_TERMS, POPULATIONS
from loaders.eligibility_enrich import (
    DERIVED_NOTE,
    ELIGIBILITY_LINK,
    IN_TAXONOMY,
    RESIDENTS_OF,
    TAGGED,
    apply_criteria,
    residency_key,
    residency_links,
)
from loaders.eligibility_text import extract_criteria
from loaders.plan import GraphPlan
from loaders.populations import TAXONOMY_ID, TAXONOMY_NAME, TERMS, TERMS_BY_ID


def plan_of(*services: tuple[str, dict[str, Any]]) -> GraphPlan:
    plan = GraphPlan()
    for service_id, props in services:
        plan.add_node("Service", service_id, {"name": service_id, **props})
    return plan


def props(plan: GraphPlan, service_id: str) -> dict[str, Any]:
    found: dict[str, Any] = plan.nodes["Service"][service_id]["props"]
    return found


def tags(plan: GraphPlan, service_id: str) -> set[str]:
    return {r["to"] for r in plan.relationships[TAGGED].values() if r["from"] == service_id}


def snapshot(plan: GraphPlan) -> tuple[dict[str, Any], dict[Any, Any]]:
    return copy.deepcopy(dict(plan.nodes)), copy.deepcopy({k: v for k, v in plan.relationships.items() if v})


# ---------------------------------------------------------------- ages


def test_ages_the_source_did_not_state_are_derived_and_listed_as_derived() -> None:
    plan = plan_of(("s1", {"eligibilityDescription": "Youth, ages 14 to 24"}))
    counts = apply_criteria(plan)
    assert props(plan, "s1")["minimumAge"] == 14 and props(plan, "s1")["maximumAge"] == 24
    assert props(plan, "s1")["derivedFields"] == ["maximumAge", "minimumAge", "populations"]
    assert props(plan, "s1")["eligibilityDescription"] == "Youth, ages 14 to 24"  # the text is kept
    assert (counts.services, counts.minimum_ages, counts.maximum_ages) == (1, 1, 1)


def test_an_age_the_source_stated_wins_over_the_text() -> None:
    plan = plan_of(("s1", {"eligibilityDescription": "Ages 18 and older", "minimumAge": 21}))
    counts = apply_criteria(plan)
    assert props(plan, "s1")["minimumAge"] == 21
    assert "derivedFields" not in props(plan, "s1")
    assert counts.stated_ages_kept == 1 and counts.minimum_ages == 0


def test_a_stated_limit_and_a_derived_one_combine() -> None:
    plan = plan_of(("s1", {"eligibilityDescription": "Ages 5-12", "maximumAge": 10}))
    apply_criteria(plan)
    assert (props(plan, "s1")["minimumAge"], props(plan, "s1")["maximumAge"]) == (5, 10)
    assert props(plan, "s1")["derivedFields"] == ["minimumAge"]


def test_a_derived_limit_at_odds_with_a_stated_one_is_not_set() -> None:
    plan = plan_of(("s1", {"eligibilityDescription": "18 and older", "maximumAge": 17}))
    apply_criteria(plan)
    assert "minimumAge" not in props(plan, "s1") and "derivedFields" not in props(plan, "s1")


def test_services_without_eligibility_text_are_left_alone() -> None:
    plan = plan_of(("s1", {}), ("s2", {"eligibilityDescription": "  "}))
    before = snapshot(plan)
    assert apply_criteria(plan).services == 0
    assert snapshot(plan) == before


# ---------------------------------------------------------------- populations


def test_population_groups_become_eligibility_tags_on_vocabulary_terms() -> None:
    plan = plan_of(("s1", {"eligibilityDescription": "Homeless women, 18 and older"}))
    counts = apply_criteria(plan)
    assert tags(plan, "s1") == {"pop-women", "pop-homeless"}
    for rel in plan.relationships[TAGGED].values():
        assert rel["id"] == f"{rel['from']}>{rel['to']}"
        assert rel["props"] == {"linkType": ELIGIBILITY_LINK, "linkEntity": "service", "note": DERIVED_NOTE}
    assert set(plan.nodes["TaxonomyTerm"]) == {"pop-women", "pop-homeless"}
    assert plan.nodes["TaxonomyTerm"]["pop-women"]["props"]["code"] == "POP.WOMEN"
    assert plan.nodes["Taxonomy"][TAXONOMY_ID]["props"]["name"] == TAXONOMY_NAME
    assert {(r["from"], r["to"]) for r in plan.relationships[IN_TAXONOMY].values()} == {
        ("pop-women", TAXONOMY_ID), ("pop-homeless", TAXONOMY_ID)}
    assert (counts.tagged_services, counts.tags) == (1, 2)


def test_a_service_the_source_tagged_with_populations_gets_no_derived_tags() -> None:
    plan = plan_of(("s1", {"eligibilityDescription": "Seniors and veterans"}))
    plan.add_node("TaxonomyTerm", "src-seniors", {"name": "Older Adults"})
    plan.add_relationship(TAGGED, "s1", "src-seniors", {"linkType": ELIGIBILITY_LINK}, id="attr-1")
    apply_criteria(plan)
    assert tags(plan, "s1") == {"src-seniors"}
    assert "derivedFields" not in props(plan, "s1")


def test_a_term_the_plan_already_has_is_not_replaced() -> None:
    plan = plan_of(("s1", {"eligibilityDescription": "Veterans"}))
    plan.add_node("TaxonomyTerm", "pop-veterans", {"name": "Veterans (from the source)"})
    apply_criteria(plan)
    assert plan.nodes["TaxonomyTerm"]["pop-veterans"]["props"]["name"] == "Veterans (from the source)"


# ---------------------------------------------------------------- idempotence


def test_applying_twice_gives_the_same_plan() -> None:
    plan = plan_of(("s1", {"eligibilityDescription": "Low-income seniors 60+, DC residents"}),
                   ("s2", {"eligibilityDescription": "Ages 18 and older", "minimumAge": 21}))
    apply_criteria(plan)
    residency_links(plan, {"District of Columbia": "area-dc"})
    once = snapshot(plan)
    apply_criteria(plan)
    residency_links(plan, {"District of Columbia": "area-dc"})
    assert snapshot(plan) == once


def test_reapplying_after_the_text_changed_replaces_what_was_derived() -> None:
    plan = plan_of(("s1", {"eligibilityDescription": "Homeless women, 18 and older"}))
    apply_criteria(plan)
    props(plan, "s1")["eligibilityDescription"] = "Veterans"
    apply_criteria(plan)
    assert "minimumAge" not in props(plan, "s1")
    assert tags(plan, "s1") == {"pop-veterans"}
    assert props(plan, "s1")["derivedFields"] == ["populations"]


# ---------------------------------------------------------------- residency


def test_residency_links_the_named_areas_by_normalised_name() -> None:
    plan = plan_of(("s1", {"eligibilityDescription": "DC residents"}),
                   ("s2", {"eligibilityDescription": "Residents of ward 7 only"}),
                   ("s3", {"eligibilityDescription": "Baltimore City residents"}),
                   ("s4", {"eligibilityDescription": "Residents of Narnia"}))
    made = residency_links(plan, {"District of Columbia": "a-dc", "Ward 7": "a-w7", "Baltimore": "a-balt"})
    links = {(r["from"], r["to"]) for r in plan.relationships[RESIDENTS_OF].values()}
    assert links == {("s1", "a-dc"), ("s2", "a-w7"), ("s3", "a-balt")}
    assert made == 3
    assert props(plan, "s1")["derivedFields"] == ["residency"]
    assert "derivedFields" not in props(plan, "s4")
    assert all(r["props"] == {"note": DERIVED_NOTE} for r in plan.relationships[RESIDENTS_OF].values())


def test_a_name_two_areas_share_is_not_guessed() -> None:
    plan = plan_of(("s1", {"eligibilityDescription": "Residents of Downtown"}))
    assert residency_links(plan, {"Downtown": "n-1", "DOWNTOWN": "d-2"}) == 0
    assert not plan.relationships[RESIDENTS_OF]


def test_residency_keys_ignore_case_punctuation_and_know_dc() -> None:
    assert residency_key("D.C.") == residency_key("District of Columbia") == residency_key("the District")
    assert residency_key("Ward  7,") == "ward 7"


# ---------------------------------------------------------------- vocabulary


def test_the_population_vocabulary_agrees_with_the_demo_where_they_overlap() -> None:
    assert (POPULATIONS.id, POPULATIONS.name) == (TAXONOMY_ID, TAXONOMY_NAME)
    for demo_term in POPULATION_TERMS:
        ours = TERMS_BY_ID[demo_term.id]
        assert (ours.code, ours.name) == (demo_term.code, demo_term.name)


def test_every_population_term_has_a_name_a_description_and_phrases() -> None:
    assert len({t.id for t in TERMS}) == len(TERMS)
    for term in TERMS:
        assert term.id.startswith("pop-") and term.name and term.description and term.phrases


def test_the_demo_eligibility_phrases_are_read_as_their_own_terms() -> None:
    for term_id, phrase in POPULATION_PHRASES.items():
        assert term_id in extract_criteria(f"For {phrase}.").populations, phrase
