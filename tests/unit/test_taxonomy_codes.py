"""AIRS/211 codes (loaders.taxonomy_codes): the tree from the code alone."""

from __future__ import annotations

import pytest

from loaders.taxonomy_codes import broader, chain, normalise_code, split_linked, term_id


@pytest.mark.parametrize(("code", "up"), [
    ("B", None), ("BD", "B"), ("BD-1800", "BD"), ("BD-1800.2000", "BD-1800"),
    ("BD-1800.2000-250", "BD-1800.2000"), ("BD-1800.2000-250.10", "BD-1800.2000-250"),
])
def test_each_level_of_a_code_names_its_parent(code: str, up: str | None) -> None:
    assert broader(code) == up


def test_the_chain_runs_from_the_code_to_its_letter() -> None:
    assert chain("PH-0300.0350") == ["PH-0300.0350", "PH-0300", "PH", "P"]
    assert term_id("PH-0300") == "airs:PH-0300"


@pytest.mark.parametrize(("text", "code"), [
    (" bd-1800.2000 ", "BD-1800.2000"), ("YF-5000", "YF-5000"), ("Food", None), ("BD-18", None),
    ("BD-1800.2000-250.10", "BD-1800.2000-250.10"), ("", None), ("BD1800", None),
])
def test_only_well_formed_codes_are_codes(text: str, code: str | None) -> None:
    assert normalise_code(text) == code


def test_linked_codes_are_split_and_repeats_dropped() -> None:
    assert split_linked("PH-0300.0350 * PH-0300.0400 * FJ-1600.0300 * PH-0300.0350") == [
        "PH-0300.0350", "PH-0300.0400", "FJ-1600.0300"]
    assert split_linked("TM-5100 * TM-5100") == ["TM-5100"]
    assert split_linked("P") == ["P"]
