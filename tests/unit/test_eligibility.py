"""Eligibility of a resident for a service: `domain.eligibility.assess`."""

from __future__ import annotations

import json

import pytest

from domain.eligibility import (
    Population,
    Residency,
    ResidentFacts,
    ServiceFacts,
    assess,
    says_open_to_all,
    unpublished,
)
from domain.search_model import Eligibility, GeoPoint

SENIORS = Population("pop-seniors", "SEN", "Seniors")
VETERANS = Population("pop-veterans", None, "Veterans")
YOUTH = Population("pop-youth", "YTH", "Youth")


def resident(age: int | None = None, languages: tuple[str, ...] = (),
             populations: set[str] | None = None) -> ResidentFacts:
    return ResidentFacts(age=age, languages=languages,
                         populations=frozenset(populations) if populations is not None else None)


# ---------------------------------------------------------------- nothing recorded

def test_a_service_recording_nothing_is_open_to_everyone() -> None:
    result = assess(ServiceFacts(), resident(age=30))
    assert result == Eligibility("ELIGIBLE", ("no eligibility requirements recorded",))


def test_a_service_recording_nothing_is_open_to_an_unknown_resident() -> None:
    assert assess(ServiceFacts(), None) == Eligibility("ELIGIBLE", ("no eligibility requirements recorded",))


def test_blank_eligibility_text_counts_as_nothing_recorded() -> None:
    service = ServiceFacts(eligibility_description="  \n ")
    assert assess(service, None) == Eligibility("ELIGIBLE", ("no eligibility requirements recorded",))


# ---------------------------------------------------------------- age

def test_age_below_the_minimum_is_ineligible() -> None:
    result = assess(ServiceFacts(minimum_age=18, maximum_age=64), resident(age=16))
    assert result == Eligibility("INELIGIBLE", ("age 16 is below the minimum age 18",))


def test_age_above_the_maximum_is_ineligible() -> None:
    result = assess(ServiceFacts(minimum_age=18, maximum_age=64), resident(age=70))
    assert result == Eligibility("INELIGIBLE", ("age 70 is above the maximum age 64",))


def test_age_within_both_limits_is_eligible() -> None:
    result = assess(ServiceFacts(minimum_age=18, maximum_age=64), resident(age=30))
    assert result == Eligibility("ELIGIBLE", ("age 30 is within the ages 18–64",))


@pytest.mark.parametrize("age", [18, 64])
def test_age_limits_are_inclusive(age: int) -> None:
    result = assess(ServiceFacts(minimum_age=18, maximum_age=64), resident(age=age))
    assert result == Eligibility("ELIGIBLE", (f"age {age} is within the ages 18–64",))


def test_age_meeting_a_minimum_only() -> None:
    result = assess(ServiceFacts(minimum_age=18), resident(age=18))
    assert result == Eligibility("ELIGIBLE", ("age 18 meets the minimum age 18",))
    assert assess(ServiceFacts(minimum_age=18), resident(age=17)) == Eligibility(
        "INELIGIBLE", ("age 17 is below the minimum age 18",))


def test_age_under_a_maximum_only() -> None:
    result = assess(ServiceFacts(maximum_age=17), resident(age=17))
    assert result == Eligibility("ELIGIBLE", ("age 17 does not exceed the maximum age 17",))
    assert assess(ServiceFacts(maximum_age=17), resident(age=18)) == Eligibility(
        "INELIGIBLE", ("age 18 is above the maximum age 17",))


def test_age_limits_without_the_residents_age_are_unknown() -> None:
    service = ServiceFacts(minimum_age=18, maximum_age=64)
    expected = Eligibility("UNKNOWN", ("for ages 18–64; the resident's age is not given",))
    assert assess(service, resident()) == expected
    assert assess(service, None) == expected


def test_one_sided_age_limits_without_the_residents_age_are_unknown() -> None:
    assert assess(ServiceFacts(minimum_age=55), None) == Eligibility(
        "UNKNOWN", ("for ages 55 and over; the resident's age is not given",))
    assert assess(ServiceFacts(maximum_age=17), None) == Eligibility(
        "UNKNOWN", ("for ages 17 and under; the resident's age is not given",))


def test_a_minimum_age_of_zero_is_no_limit() -> None:
    assert assess(ServiceFacts(minimum_age=0), None) == Eligibility(
        "ELIGIBLE", ("no eligibility requirements recorded",))
    assert assess(ServiceFacts(minimum_age=0, maximum_age=5), resident(age=0)) == Eligibility(
        "ELIGIBLE", ("age 0 does not exceed the maximum age 5",))


# ---------------------------------------------------------------- populations

def test_populations_without_the_residents_populations_are_unknown() -> None:
    service = ServiceFacts(populations=(SENIORS, VETERANS))
    expected = Eligibility("UNKNOWN", ("for: Seniors, Veterans; the resident's populations are not given",))
    assert assess(service, resident(age=70)) == expected
    assert assess(service, None) == expected


def test_a_population_matched_by_id_is_eligible() -> None:
    result = assess(ServiceFacts(populations=(SENIORS, VETERANS)), resident(populations={"pop-veterans"}))
    assert result == Eligibility("ELIGIBLE", ("for: Veterans (the resident is)",))


def test_a_population_matched_by_code_is_eligible() -> None:
    result = assess(ServiceFacts(populations=(SENIORS, VETERANS)), resident(populations={"SEN"}))
    assert result == Eligibility("ELIGIBLE", ("for: Seniors (the resident is)",))


def test_every_matched_population_is_named() -> None:
    result = assess(ServiceFacts(populations=(SENIORS, VETERANS, YOUTH)),
                    resident(populations={"SEN", "pop-veterans"}))
    assert result == Eligibility("ELIGIBLE", ("for: Seniors, Veterans (the resident is)",))


def test_no_matching_population_is_ineligible() -> None:
    result = assess(ServiceFacts(populations=(SENIORS, VETERANS)), resident(populations={"pop-youth", "YTH"}))
    assert result == Eligibility("INELIGIBLE", ("for: Seniors, Veterans — the resident is in none of these",))


def test_populations_given_as_none_at_all_are_ineligible() -> None:
    result = assess(ServiceFacts(populations=(SENIORS,)), resident(populations=set()))
    assert result == Eligibility("INELIGIBLE", ("for: Seniors — the resident is in none of these",))


def test_a_population_without_a_code_never_matches_a_missing_code() -> None:
    result = assess(ServiceFacts(populations=(VETERANS,)), resident(populations={""}))
    assert result.status == "INELIGIBLE"


# ---------------------------------------------------------------- languages

def test_a_common_language_is_eligible() -> None:
    result = assess(ServiceFacts(languages=("fr", "en")), resident(languages=("so", "fr")))
    assert result == Eligibility("ELIGIBLE", ("offered in: en, fr — including fr",))


def test_languages_are_compared_case_insensitively() -> None:
    result = assess(ServiceFacts(languages=("EN", "fr")), resident(languages=("en",)))
    assert result == Eligibility("ELIGIBLE", ("offered in: EN, fr — including EN",))


def test_a_regional_variant_matches_its_language() -> None:
    result = assess(ServiceFacts(languages=("fr-CA",)), resident(languages=("FR",)))
    assert result == Eligibility("ELIGIBLE", ("offered in: fr-CA — including fr-CA",))


def test_no_common_language_is_a_barrier_not_a_bar() -> None:
    result = assess(ServiceFacts(languages=("fr", "en")), resident(languages=("so",)))
    assert result == Eligibility("UNKNOWN", ("offered in: en, fr — not in: so",))


def test_no_common_language_with_interpretation_is_unknown() -> None:
    service = ServiceFacts(languages=("en", "fr"), interpretation_services="Telephone interpreters on request.")
    result = assess(service, resident(languages=("so", "ar")))
    assert result == Eligibility(
        "UNKNOWN", ("offered in: en, fr — not in: so, ar; interpretation: Telephone interpreters on request.",))


def test_interpretation_text_is_cut_to_120_characters() -> None:
    service = ServiceFacts(languages=("en",), interpretation_services="x" * 200)
    (reason,) = assess(service, resident(languages=("so",))).reasons
    assert reason == "offered in: en — not in: so; interpretation: " + "x" * 119 + "…"


def test_blank_interpretation_text_is_no_interpretation() -> None:
    service = ServiceFacts(languages=("en",), interpretation_services="   ")
    assert assess(service, resident(languages=("so",))) == Eligibility("UNKNOWN", ("offered in: en — not in: so",))


def test_languages_are_judged_only_when_both_sides_name_some() -> None:
    nothing = Eligibility("ELIGIBLE", ("no eligibility requirements recorded",))
    assert assess(ServiceFacts(languages=("en",)), resident()) == nothing
    assert assess(ServiceFacts(languages=("en",)), None) == nothing
    assert assess(ServiceFacts(), resident(languages=("so",))) == nothing


# ---------------------------------------------------------------- free text

@pytest.mark.parametrize("text", [
    "Open to everyone; no eligibility requirements.",
    "Open to everyone",
    "OPEN TO ALL!",
    "Open to the public.",
    "Available to anyone.",
    "No eligibility requirements",
    "There are no requirements.",
    "No restrictions.",
    "None",
    "none.",
    "All welcome",
    "Everyone is welcome!",
    "Anyone is eligible.",
])
def test_free_text_saying_there_are_no_requirements(text: str) -> None:
    assert says_open_to_all(text) is True
    assert assess(ServiceFacts(eligibility_description=text), None) == Eligibility(
        "ELIGIBLE", ("no eligibility requirements",))


@pytest.mark.parametrize("text", [
    "Open to everyone living in Ward 3.",
    "Open to residents of Maple Harbour.",
    "Open to everyone. Residents of Maple Harbour only.",
    "None of our clients may be under 18.",
    "For individuals and families with low income.",
    "No requirements for seniors; others call first.",
    "All ages welcome with a referral",
    "",
    "...",
])
def test_free_text_that_does_not_clearly_say_so(text: str) -> None:
    assert says_open_to_all(text) is False


def test_other_free_text_is_unknown_and_quoted() -> None:
    service = ServiceFacts(eligibility_description="For individuals and families\nwith low income.")
    assert assess(service, None) == Eligibility(
        "UNKNOWN", ("eligibility is described in words only: 'For individuals and families with low income.'",))


def test_free_text_is_cut_to_160_characters() -> None:
    service = ServiceFacts(eligibility_description="word " * 50)
    (reason,) = assess(service, None).reasons
    quoted = "word " * 31 + "word…"
    assert len(quoted) == 160
    assert reason == f"eligibility is described in words only: '{quoted}'"


def test_free_text_of_exactly_160_characters_is_not_cut() -> None:
    text = "a" * 160
    assert assess(ServiceFacts(eligibility_description=text), None).reasons == (
        f"eligibility is described in words only: '{text}'",)


def test_free_text_is_ignored_when_there_are_age_limits() -> None:
    service = ServiceFacts(minimum_age=18, eligibility_description="Ages 18 and over. Residents only.")
    assert assess(service, resident(age=40)) == Eligibility("ELIGIBLE", ("age 40 meets the minimum age 18",))


def test_free_text_is_ignored_when_there_are_populations() -> None:
    service = ServiceFacts(populations=(SENIORS,), eligibility_description="Open to everyone.")
    assert assess(service, None) == Eligibility(
        "UNKNOWN", ("for: Seniors; the resident's populations are not given",))


def test_free_text_is_still_read_beside_languages() -> None:
    service = ServiceFacts(languages=("en",), eligibility_description="Residents only.")
    assert assess(service, resident(languages=("en",))) == Eligibility(
        "UNKNOWN", ("offered in: en — including en", "eligibility is described in words only: 'Residents only.'"))


# ---------------------------------------------------------------- combining

def test_reasons_come_in_the_order_age_populations_languages() -> None:
    service = ServiceFacts(minimum_age=18, populations=(SENIORS,), languages=("en",))
    result = assess(service, resident(age=70, languages=("en",), populations={"SEN"}))
    assert result == Eligibility("ELIGIBLE", (
        "age 70 meets the minimum age 18",
        "for: Seniors (the resident is)",
        "offered in: en — including en",
    ))


def test_any_ineligible_finding_wins_over_unknown_and_eligible() -> None:
    service = ServiceFacts(minimum_age=18, maximum_age=64, populations=(SENIORS,), languages=("en",))
    result = assess(service, resident(age=70, languages=("en",)))
    assert result == Eligibility("INELIGIBLE", (
        "age 70 is above the maximum age 64",
        "for: Seniors; the resident's populations are not given",
        "offered in: en — including en",
    ))


def test_an_ineligible_age_wins_over_a_language_barrier() -> None:
    service = ServiceFacts(minimum_age=18, languages=("en",))
    result = assess(service, resident(age=16, languages=("so",)))
    assert result == Eligibility("INELIGIBLE", (
        "age 16 is below the minimum age 18",
        "offered in: en — not in: so",
    ))


def test_any_unknown_finding_wins_over_eligible_ones() -> None:
    service = ServiceFacts(minimum_age=18, populations=(SENIORS,))
    result = assess(service, resident(age=70))
    assert result == Eligibility("UNKNOWN", (
        "age 70 meets the minimum age 18",
        "for: Seniors; the resident's populations are not given",
    ))


def test_resident_facts_are_not_shown_in_their_repr() -> None:
    assert repr(resident(age=41, languages=("so",), populations={"pop-veterans"})) == "ResidentFacts(<redacted>)"


def test_criteria_read_from_text_are_judged_and_the_text_is_quoted_for_what_was_not_read() -> None:
    service = ServiceFacts(minimum_age=18, eligibility_description="Adults 18+. Must be drug free.", derived=True)
    young = assess(service, ResidentFacts(age=16))
    assert young.status == "INELIGIBLE"
    adult = assess(service, ResidentFacts(age=30))
    assert adult.status == "ELIGIBLE"
    assert adult.reasons[-1] == "criteria read from the eligibility text, which may say more: " \
                                "'Adults 18+. Must be drug free.'"
    stated = assess(ServiceFacts(minimum_age=18, eligibility_description="Adults 18+."), ResidentFacts(age=30))
    assert len(stated.reasons) == 1  # a source's own limits need no quote


WARD = Residency("dc:ward-6", "Ward 6", json.dumps({"type": "Polygon", "coordinates": [
    [[-77.0, 38.8], [-76.9, 38.8], [-76.9, 38.9], [-77.0, 38.9], [-77.0, 38.8]]]}))


def test_a_residency_rule_is_judged_by_where_the_resident_lives() -> None:
    service = ServiceFacts(residency=(WARD,))
    inside = assess(service, ResidentFacts(location=GeoPoint(38.85, -76.95)))
    assert inside.status == "ELIGIBLE" and "Ward 6" in inside.reasons[0]
    outside = assess(service, ResidentFacts(location=GeoPoint(38.95, -76.95)))
    assert outside.status == "INELIGIBLE"
    assert outside.reasons == ("for residents of Ward 6 — the resident's location is outside",)
    unknown = assess(service, ResidentFacts(age=30))
    assert unknown.status == "UNKNOWN" and "where the resident lives is not given" in unknown.reasons[0]


def test_an_area_without_a_boundary_cannot_rule_a_resident_out() -> None:
    service = ServiceFacts(residency=(WARD, Residency("dc:ward-7", "Ward 7", None)))
    assert assess(service, ResidentFacts(location=GeoPoint(38.95, -76.95))).status == "UNKNOWN"
    assert assess(service, ResidentFacts(location=GeoPoint(38.85, -76.95))).status == "ELIGIBLE"


# ---------------------------------------------------------------- private source values

PRIVATE_TEXT = "Women 18 and older fleeing trafficking, residents of Ward 6"
PRIVATE = ServiceFacts(minimum_age=18, populations=(SENIORS,), residency=(Residency("ward-6", "Ward 6"),),
                       eligibility_description=PRIVATE_TEXT, interpretation_services="Tigrinya via the hotline",
                       languages=("en",), derived=True,
                       unpublished=unpublished(["eligibilityDescription", "interpretationServices"],
                                               ["minimumAge", "populations", "residency"], staff=False))


def test_what_was_read_from_a_private_text_is_as_private_as_the_text() -> None:
    assert unpublished(["eligibilityDescription"], ["minimumAge", "populations"], staff=False) == {
        "eligibilityDescription", "minimumAge", "populations"}
    assert unpublished(["email"], ["minimumAge"], staff=False) == frozenset()  # a public text: its values too
    assert unpublished(["eligibilityDescription"], ["minimumAge"], staff=True) == frozenset()


@pytest.mark.parametrize("who", [None, resident(age=12, languages=("ti",), populations={"pop-youth"}),
                                 resident(age=70, languages=("en",), populations={"pop-seniors"})])
def test_reasons_never_quote_a_private_text_nor_state_what_was_read_from_it(who: ResidentFacts | None) -> None:
    reasons = " ".join(assess(PRIVATE, who).reasons)
    for secret in ("Women", "trafficking", "Ward 6", "18", "Seniors", "Tigrinya"):
        assert secret not in reasons, (secret, reasons)


def test_a_private_age_limit_still_decides_the_answer() -> None:
    assert assess(PRIVATE, resident(age=12)).status == "INELIGIBLE"
    assert assess(PRIVATE, resident(age=70, populations={"pop-seniors"})).status != "INELIGIBLE"


def test_staff_are_told_everything() -> None:
    staff = ServiceFacts(minimum_age=18, eligibility_description=PRIVATE_TEXT, derived=True)
    reasons = " ".join(assess(staff, resident(age=12)).reasons)
    assert "18" in reasons and "trafficking" in reasons
