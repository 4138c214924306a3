"""When a full-text match may be shown to the public (domain/public_text.py), pure."""

from __future__ import annotations

from domain.public_text import public_match


def test_a_record_with_nothing_private_is_matched_as_the_index_says() -> None:
    assert public_match(["anything"], None, None) and public_match(["anything"], ["email"], None)


def test_a_record_kept_off_the_public_directory_is_never_matched() -> None:
    assert not public_match(["food"], ["*", "name"], ["Food bank", None])


def test_a_record_with_a_private_description_is_matched_by_its_public_name_only() -> None:
    texts = ["Harbour Shelters", "Beds for survivors of trafficking"]
    assert public_match(["harbour", "shelter"], ["description"], texts)  # "shelter" finds "Shelters"
    assert not public_match(["trafficking"], ["description"], texts)
    assert not public_match(["harbour", "survivors"], ["description"], texts)  # every word must be public


def test_a_record_with_a_private_name_is_matched_by_its_public_description_only() -> None:
    assert not public_match(["casa"], ["name"], ["Casa Unit", "Housing help"])
    assert public_match(["housing"], ["name"], ["Casa Unit", "Housing help"])
