"""Reading eligibility criteria out of free text: `loaders.eligibility_text.extract_criteria`.

Short made-up strings in the forms real 211 records use; the real ones are scored in
test_eligibility_accuracy.py.
"""

from __future__ import annotations

import dataclasses

import pytest

from loaders.eligibility_text import Criteria, extract_criteria


def ages(text: str) -> tuple[int | None, int | None]:
    c = extract_criteria(text)
    return c.minimum_age, c.maximum_age


def populations(text: str) -> set[str]:
    return set(extract_criteria(text).populations)


# ---------------------------------------------------------------- ages


@pytest.mark.parametrize(("text", "expected"), [
    ("Age 60 or over", (60, None)),
    ("60+", (60, None)),
    ("Ages 18 and older.", (18, None)),
    ("Persons 18 years of age or older", (18, None)),
    ("Open to anyone over 16.", (16, None)),
    ("Must be at least 21 years old", (21, None)),
    ("Minimum age: 55 years", (55, None)),
    ("ages 5-12", (5, 12)),
    ("Youth 14 to 24", (14, 24)),
    ("Ages 6 through 17", (6, 17)),
    ("Must be between the ages of 18 and 24", (18, 24)),
    ("Children ages 3 & 4", (3, 4)),
    ("under 21", (None, 20)),
    ("Youth under the age of 18", (None, 17)),
    ("Children 21 and younger", (None, 21)),
    ("Young adults up to age 21", (None, 21)),
    ("From birth to age 18", (0, 18)),
    ("Persons ages 15-over", (15, None)),
    ("Adult - 18yrs +", (18, None)),
    ("Persons18 and older", (18, None)),
])
def test_the_common_ways_of_stating_an_age_limit_are_read(text: str, expected: tuple[int | None, int | None]) -> None:
    assert ages(text) == expected


def test_months_and_weeks_become_whole_years() -> None:
    assert ages("Infants 0-36 months") == (0, 3)
    assert ages("Ages 6 weeks - 5 years") == (0, 5)
    assert ages("Ages 18 months - 4yrs") == (1, 4)
    assert ages("Ages 4 1/2 and older") == (4, None)


@pytest.mark.parametrize(("text", "expected"), [
    ("9th - 12th grade", (14, 18)),
    ("Ps - 5th grade", (3, 11)),
    ("Pre-K - 8th grade", (4, 14)),
    ("Kindergarten through 12th grade", (5, 18)),
    ("Grades 1 through 12", (6, 18)),
])
def test_school_grades_become_the_ages_of_pupils_in_them(text: str, expected: tuple[int, int]) -> None:
    assert ages(text) == expected


def test_a_single_grade_level_is_a_reading_level_not_an_age() -> None:
    assert ages("Must read at a 6th grade level") == (None, None)


def test_adults_alone_means_eighteen_and_over() -> None:
    assert ages("Adults in need.") == (18, None)
    assert ages("Open to any adult.") == (18, None)


def test_adults_named_beside_children_set_no_limit() -> None:
    assert ages("Children and adults with physical disabilities.") == (None, None)
    assert ages("Adolescents and adults.") == (None, None)


def test_the_age_of_a_clients_children_is_not_the_clients_age() -> None:
    assert ages("Low-income families with children under 5") == (None, None)
    assert ages("Parents with children ages 0-3") == (None, None)
    assert ages("Women with children under age 18.") == (None, None)
    assert ages("Homeless families, with at least one child under 18") == (None, None)


def test_the_childrens_age_counts_when_the_children_are_the_clients() -> None:
    assert ages("Children ages 3-4 and their parents.") == (3, 4)
    assert ages("Children, ages 2-5, whose parents work or attend school.") == (2, 5)


def test_ages_of_volunteers_mentors_and_providers_are_not_the_clients() -> None:
    assert ages("Children 4-17 years of age. Mentors 18 and older.") == (4, 17)
    assert ages("Volunteers must be 18 years old.") == (None, None)
    assert ages("Guests under 18 must be accompanied by a parent or guardian.") == (None, None)


def test_several_groups_with_their_own_ages_give_the_widest_limits() -> None:
    assert ages("Day camp for ages 6-15. Day care for ages 5-13.") == (5, 15)
    assert ages("Alateen groups 11-18 years old. Al-Anon groups 18 and older") == (11, None)


def test_a_group_without_an_age_limit_removes_it() -> None:
    assert ages("Children up to age 19, and pregnant women of any age.") == (None, None)
    assert ages("Ages 65 and older or disabled") == (None, None)
    assert ages("Persons who have limited income or are senior citizens age 60 and older.") == (None, None)
    assert ages("Pregnant women and infants up to 2 years of age.") == (None, None)
    assert ages("Seniors (60+), people with disabilities, and low-income taxpayers.") == (None, None)


@pytest.mark.parametrize("text", [
    "All ages.",
    "No age restriction",
    "Ages 55 and older. No age restrictions on the food pantry.",
    "18 and older with some exceptions for younger persons.",
    "Ages 62 or older. If under 62, must need a barrier-free apartment.",
    "60 or older (50-60 year olds accepted on case by case basis)",
    "Low to moderate income, priority given to seniors ages 60 and older",
])
def test_text_admitting_exceptions_to_its_age_limit_sets_none(text: str) -> None:
    assert ages(text) == (None, None)


@pytest.mark.parametrize("text", [
    "Patients with less than 6 months to live.",
    "Must have at least 1 year rental history.",
    "Must be drug free for at least 30 days.",
    "Income below 200% of the poverty level.",
    "Income limit $30,000 and under.",
    "Service available when the temperature is above 95 degrees.",
    "Accepted for a 2 - 4 year degree program.",
    "Residents of Ward 7.",
    "No boys over the age of 11.",
])
def test_numbers_that_are_not_the_clients_age_are_ignored(text: str) -> None:
    assert ages(text) == (None, None)


def test_a_text_saying_anyone_may_come_keeps_only_rules_for_all() -> None:
    assert extract_criteria("Open to anyone. Camp is for boys ages 8-16.") == Criteria()
    assert ages("Anyone in need. Must be 18 or older.") == (18, None)


# ---------------------------------------------------------------- populations


@pytest.mark.parametrize(("text", "expected"), [
    ("Homeless women, 18 and older", {"pop-women", "pop-homeless"}),
    ("Seniors 62+", {"pop-seniors"}),
    ("Senior citizens and frail elderly", {"pop-seniors"}),
    ("Youth ages 14 to 24", {"pop-youth"}),
    ("Low-income families with children under 5", {"pop-families", "pop-low-income"}),
    ("Must meet income guidelines", {"pop-low-income"}),
    ("Veterans with an honorable discharge", {"pop-veterans"}),
    ("Active duty and retired military and their families", {"pop-military", "pop-veterans"}),
    ("Refugees, asylees and immigrants", {"pop-newcomers"}),
    ("Gay, lesbian, bisexual and transgender persons", {"pop-2slgbtq"}),
    ("Persons with developmental disabilities", {"pop-disabilities"}),
    ("Deaf or hard of hearing", {"pop-disabilities"}),
    ("Adults with severe and persistent mental illness", {"pop-mental-illness"}),
    ("Persons addicted to alcohol and/or drugs", {"pop-substance-use"}),
    ("Persons living with HIV/AIDS", {"pop-hiv"}),
    ("Ex-offenders returning to the community", {"pop-justice-involved"}),
    ("Victims of domestic violence", {"pop-survivors"}),
    ("Uninsured or underinsured persons", {"pop-uninsured"}),
    ("Pregnant women", {"pop-pregnant", "pop-women"}),
    ("Native Americans", {"pop-indigenous"}),
    ("College students", {"pop-students"}),
    ("Men only", {"pop-men"}),
])
def test_the_groups_a_text_names_are_read_as_population_terms(text: str, expected: set[str]) -> None:
    assert populations(text) == expected


@pytest.mark.parametrize("text", [
    "Not for men.",
    "Ages 18 and over. No homeless clients.",
    "Open to anyone. No income restrictions.",
    "Does not accept active substance abusers.",
    "Elderly people only; non elderly people are referred elsewhere.",
])
def test_groups_named_only_in_a_negation_are_not_read(text: str) -> None:
    assert populations(text) <= {"pop-seniors"}
    assert "pop-men" not in populations(text) and "pop-homeless" not in populations(text)


def test_a_negation_reaches_only_the_few_words_after_it() -> None:
    assert populations("Low or no income individuals who have committed a crime") == {
        "pop-low-income", "pop-justice-involved"}


def test_groups_only_hedged_illustrated_or_welcomed_are_not_read() -> None:
    assert populations("Low-income residents. Families with children are top priority.") == {"pop-low-income"}
    assert populations("Anyone in need, including homeless individuals and families.") == set()
    assert populations("Men 18 and over. Ex-offenders welcome.") == {"pop-men"}
    assert populations("Gay fathers, friends, families, or other interested persons.") == set()


def test_men_and_women_together_restrict_no_gender() -> None:
    assert populations("Homeless men and women over 18") == {"pop-homeless"}


def test_relatives_of_a_group_are_not_that_group() -> None:
    assert populations("Families and friends of persons with mental illness.") == set()
    assert populations("Persons with mental illness, their families, and friends.") == {"pop-mental-illness"}


def test_children_of_the_client_are_not_the_clients_group() -> None:
    assert populations("Women with children under 18") == {"pop-women", "pop-families"}
    assert "pop-children" not in populations("Disabled adults with no minor, dependent children in the home.")


def test_words_that_look_like_groups_but_are_not() -> None:
    assert populations("High school seniors") == {"pop-students"}
    assert populations("People who need hearing aids") == set()  # "AIDS" is upper case only
    assert populations("At risk of homelessness") == set()
    assert populations("Referred by the Child and Family Services Agency") == set()


# ---------------------------------------------------------------- residency


@pytest.mark.parametrize(("text", "expected"), [
    ("Residents of Baltimore City", ("Baltimore City",)),
    ("Must live in Montgomery County", ("Montgomery County",)),
    ("DC residents, ages 60 and older", ("DC",)),
    ("All D.C. and Montgomery County residents.", ("DC", "Montgomery County")),
    ("Baltimore City and County residents in need.", ("Baltimore City", "Baltimore County")),
    ("Residents of ward 7 only", ("Ward 7",)),
    ("Wards 1, 3 and 4 residents", ("Ward 1", "Ward 3", "Ward 4")),
    ("Must be a resident of zip code 21216.", ("21216",)),
    ("Residents of the District of Columbia", ("District of Columbia",)),
    ("Persons who reside in Prince George's County", ("Prince George's County",)),
])
def test_places_of_residence_are_read_as_written(text: str, expected: tuple[str, ...]) -> None:
    assert extract_criteria(text).residency == expected


@pytest.mark.parametrize("text", [
    "No residency requirement.",
    "Persons who live or work in Baltimore City.",
    "Primarily District of Columbia residents",
    "Low-income residents.",
    "Jewish residents only.",
    "Residents of City Public Housing.",
    "Must reside in one of the target areas.",
    "Must live in NW, SW or SE Washington, DC",
    "Low to moderate income, preference given to Ward 4 residents",
])
def test_no_residency_is_read_where_none_is_required_or_no_place_is_named(text: str) -> None:
    assert extract_criteria(text).residency == ()


# ---------------------------------------------------------------- the result


def test_text_with_no_criteria_gives_empty_criteria() -> None:
    assert extract_criteria("") == Criteria()
    assert extract_criteria("See notes.") == Criteria()
    assert extract_criteria("Open to anyone in need.") == Criteria()


def test_criteria_are_immutable_and_populations_come_in_vocabulary_order() -> None:
    criteria = extract_criteria("Low income homeless seniors 60+, DC residents")
    assert criteria == Criteria(60, None, ("pop-seniors", "pop-homeless", "pop-low-income"), ("DC",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        criteria.minimum_age = 1  # type: ignore[misc]
