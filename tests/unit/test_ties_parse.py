"""Parsing agency-tie tables against a hand-built directory: pure, no database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.schema.model import TIE_TYPES
from loaders.directory_lookup import Directory, Unknown
from loaders.report import Severity
from loaders.skipping import skip_invalid
from loaders.ties import (
    COLLABORATIVE_SECTOR,
    FORMAT,
    TiesResult,
    collaborative_id,
    parse_since,
    parse_tie_type,
    parse_ties,
    parse_weight,
    tie_id,
)

NS = "ties-test"
HEADER = "from_org,to_org,type,since,weight,source\n"
DIRECTORY = Directory(
    organizations={
        "org-shelter": "Harbour Light Shelter Services",
        "org-food": "Lakeshore Food Bank",
        "org-health": "Westbrook Community Health Centre",
        "org-police": "Maple Harbour Police Service",
        "org-fam-1": "Family Services",
        "org-fam-2": "family  services",  # the same name but for case and spacing: ambiguous
    },
    services=frozenset({"svc-1"}),
)


def _parse(tmp_path: Path, body: str, *, header: str = HEADER, directory: Directory = DIRECTORY,
           strict: bool = False) -> TiesResult:
    path = tmp_path / "ties.csv"
    path.write_text(header + body, encoding="utf-8")
    return parse_ties(path, namespace=NS, directory=directory, strict=strict)


def _ties(result: TiesResult) -> dict[tuple[str, str, str], dict[str, object]]:
    """(from, TYPE, to) → properties of every tie in the plan."""
    return {
        (rel["from"], rel_type, rel["to"]): rel["props"]
        for (_, rel_type, _), rels in result.plan.relationships.items()
        for rel in rels.values()
    }


def _messages(result: TiesResult, severity: Severity = Severity.ERROR) -> list[str]:
    return [str(p) for p in result.report.problems if p.severity is severity]


def test_ties_named_by_id_or_by_name_become_relationships_with_their_properties(tmp_path: Path) -> None:
    result = _parse(tmp_path, (
        "org-food,org-shelter,REFERS_TO,2019,2.5,intake survey 2024\n"
        "  lakeshore   FOOD bank ,Westbrook Community Health Centre,FUNDS,2021-04-01,,\n"
        "org-police,org-health,SHARES_DATA_WITH,2020-07,0,\n"
    ))
    assert _messages(result) == []
    assert result.records == 3 and result.format == FORMAT == "agency-ties"
    assert _ties(result) == {
        ("org-food", "REFERS_TO", "org-shelter"): {"since": "2019", "weight": 2.5, "source": "intake survey 2024"},
        ("org-food", "FUNDS", "org-health"): {"since": "2021-04-01"},
        ("org-health", "SHARES_DATA_WITH", "org-police"): {"since": "2020-07", "weight": 0.0},
    }
    assert result.plan.nodes.get("Organization", {}) == {}  # existing organizations are not re-written


def test_a_tie_id_is_derived_from_its_ends_and_type_so_a_reload_merges_onto_it(tmp_path: Path) -> None:
    body = "org-food,org-shelter,REFERS_TO,,,\norg-food,org-shelter,FUNDS,,,\n"
    first, second = _parse(tmp_path, body), _parse(tmp_path, body)
    ids = {rel["id"] for rels in first.plan.relationships.values() for rel in rels.values()}
    assert ids == {tie_id(NS, "org-food", "REFERS_TO", "org-shelter"), tie_id(NS, "org-food", "FUNDS", "org-shelter")}
    assert len(ids) == 2 and all(i.startswith(f"{NS}:tie:") for i in ids)
    assert first.plan.relationships == second.plan.relationships
    assert tie_id("other", "org-food", "FUNDS", "org-shelter") not in ids


@pytest.mark.parametrize(("text", "expected"), [
    ("REFERS_TO", "REFERS_TO"), ("refers to", "REFERS_TO"), (" Partners-With ", "PARTNERS_WITH"),
    ("member of", "MEMBER_OF"), ("refers", None), ("LIKES", None), ("", None),
])
def test_tie_types_forgive_case_spaces_and_hyphens_but_nothing_else(text: str, expected: str | None) -> None:
    assert parse_tie_type(text) == expected


def test_an_unknown_tie_type_is_an_error_naming_the_row_and_the_allowed_types(tmp_path: Path) -> None:
    result = _parse(tmp_path, "org-food,org-shelter,REFERS_TO,,,\norg-food,org-health,LIKES,,,\n")
    (message,) = _messages(result)
    assert message.startswith("ties.csv:3:type: 'LIKES' is not a tie type; use one of ")
    assert all(t in message for t in TIE_TYPES)


@pytest.mark.parametrize(("text", "expected"), [
    ("2019", "2019"), ("2019-03", "2019-03"), ("2019-03-01", "2019-03-01"), ("2019-02-30", None),
    ("2019-13", None), ("1700", None), ("2200", None), ("19", None), ("March 2019", None), ("2019/03/01", None),
])
def test_since_is_an_iso_date_year_month_or_year_kept_at_its_precision(text: str, expected: str | None) -> None:
    assert parse_since(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("0", 0.0), ("3", 3.0), ("0.25", 0.25), ("-1", None), ("heavy", None), ("nan", None), ("inf", None),
])
def test_weight_is_a_finite_number_not_below_zero(text: str, expected: float | None) -> None:
    assert parse_weight(text) == expected


def test_a_bad_since_or_weight_is_an_error_at_its_row_and_column(tmp_path: Path) -> None:
    result = _parse(tmp_path, "org-food,org-shelter,REFERS_TO,last year,2,\norg-food,org-health,FUNDS,2020,-3,\n")
    assert [m.split(": ")[0] for m in _messages(result)] == ["ties.csv:2:since", "ties.csv:3:weight"]
    assert "'last year' is not a date; give an ISO date (2019-03-01)" in _messages(result)[0]
    assert "'-3' is not a number ≥ 0" in _messages(result)[1]
    assert _ties(result) == {}  # a row with an error adds no tie


def test_missing_required_columns_are_errors_and_extra_columns_warnings(tmp_path: Path) -> None:
    missing = _parse(tmp_path, "org-food,org-shelter\n", header="from_org,to_org\n")
    assert _messages(missing) == [
        "ties.csv:1:type: missing required column; the header must have from_org, to_org, type "
        "(optional: since, weight, source)",
    ]
    extra = _parse(tmp_path, "org-food,org-shelter,REFERS_TO,yes\n", header="From_Org, to_org ,TYPE,confirmed\n")
    assert _messages(extra) == []
    assert _messages(extra, Severity.WARNING) == ["ties.csv:1:confirmed: not a column of this format; ignored"]
    assert _ties(extra) == {("org-food", "REFERS_TO", "org-shelter"): {}}


def test_an_unknown_organization_is_an_error_listing_the_nearest_known_names(tmp_path: Path) -> None:
    result = _parse(tmp_path, "Lakeshore Fod Bank,org-shelter,REFERS_TO,,,\norg-food,Nobody At All,REFERS_TO,,,\n")
    first, second = _messages(result)
    assert first == ("ties.csv:2:from_org: no organization in the graph has the id or name 'Lakeshore Fod Bank'; "
                     "nearest names: 'Lakeshore Food Bank' (id org-food); correct the name or give the "
                     "organization's id")
    assert second.startswith("ties.csv:3:to_org: no organization in the graph has the id or name 'Nobody At All';")
    assert _ties(result) == {}


def test_a_name_shared_by_several_organizations_is_an_error_listing_their_ids(tmp_path: Path) -> None:
    result = _parse(tmp_path, "Family Services,org-food,PARTNERS_WITH,,,\norg-fam-2,org-food,PARTNERS_WITH,,,\n")
    assert _messages(result) == [
        "ties.csv:2:from_org: 'Family Services' is the name of 2 organizations (ids org-fam-1, org-fam-2); "
        "give the id of the one meant instead of the name",
    ]


def test_an_id_wins_over_a_name(tmp_path: Path) -> None:
    directory = Directory({"a": "b", "b": "Other", "c": "Third"})
    result = _parse(tmp_path, "b,c,FUNDS,,,\n", directory=directory)
    assert _ties(result) == {("b", "FUNDS", "c"): {}}


def test_a_member_of_target_that_names_no_organization_becomes_a_collaborative(tmp_path: Path) -> None:
    result = _parse(tmp_path, (
        "org-police,Situation  Table,MEMBER_OF,2018,,city\n"
        "org-health,situation table,MEMBER_OF,,,\n"
        "org-food,Situation-Table!,member of,,,\n"
        "Situation Table,org-shelter,REFERS_TO,,,\n"  # named before: found like any organization
    ))
    assert _messages(result) == [] and _messages(result, Severity.WARNING) == []
    table = f"{NS}:collaborative:situation-table"
    assert collaborative_id(NS, "Situation  Table") == table
    assert result.plan.nodes["Organization"] == {
        table: {"id": table, "props": {"name": "Situation Table", "sector": COLLABORATIVE_SECTOR}},
    }
    assert set(_ties(result)) == {
        ("org-police", "MEMBER_OF", table), ("org-health", "MEMBER_OF", table), ("org-food", "MEMBER_OF", table),
        (table, "REFERS_TO", "org-shelter"),
    }


def test_a_collaborative_already_in_the_graph_is_restated_not_duplicated(tmp_path: Path) -> None:
    table = f"{NS}:collaborative:situation-table"
    directory = DIRECTORY.with_organizations({table: "Situation Table"})
    result = _parse(tmp_path, "org-police,SITUATION TABLE,MEMBER_OF,,,\norg-food,Situation_Table,MEMBER_OF,,,\n",
                    directory=directory)
    assert _messages(result) == []
    assert list(result.plan.nodes["Organization"]) == [table]  # restated, so a --replace keeps it
    assert set(_ties(result)) == {("org-police", "MEMBER_OF", table), ("org-food", "MEMBER_OF", table)}


def test_only_member_of_creates_collaboratives_other_unknown_targets_are_errors(tmp_path: Path) -> None:
    result = _parse(tmp_path, "org-police,Situation Table,PARTNERS_WITH,,,\n")
    assert _messages(result)[0].startswith("ties.csv:2:to_org: no organization in the graph has the id or name")
    assert "Organization" not in result.plan.nodes or not result.plan.nodes["Organization"]


def test_a_new_collaborative_close_to_a_known_name_or_like_an_id_is_warned_about(tmp_path: Path) -> None:
    result = _parse(tmp_path, "org-police,Lakeshore Food Bnk,MEMBER_OF,,,\norg-police,org-f00d,MEMBER_OF,,,\n"
                              "org-police,???,MEMBER_OF,,,\n")
    assert _messages(result, Severity.WARNING) == [
        f"ties.csv:2:to_org: no organization is named 'Lakeshore Food Bnk', so it becomes the new collaborative "
        f"{NS}:collaborative:lakeshore-food-bnk; if one of 'Lakeshore Food Bank' (id org-food) was meant, "
        "correct the name",
        f"ties.csv:3:to_org: 'org-f00d' looks like an id, but no organization has it; it becomes the new "
        f"collaborative {NS}:collaborative:org-f00d",
    ]
    assert _messages(result) == [
        "ties.csv:4:to_org: '???' names no organization and has no letter or digit to make a collaborative's id "
        "from; give an organization's id or a name",
    ]


def test_a_tie_from_an_organization_to_itself_is_an_error(tmp_path: Path) -> None:
    result = _parse(tmp_path, "org-food,Lakeshore Food Bank,PARTNERS_WITH,,,\n")
    assert _messages(result) == [
        "ties.csv:2:to_org: a tie from an organization to itself (org-food); name two different organizations",
    ]


def test_repeated_ties_are_merged_with_a_warning_and_mutual_ties_count_either_way(tmp_path: Path) -> None:
    result = _parse(tmp_path, (
        "org-food,org-shelter,REFERS_TO,2019,1,survey\n"
        "Lakeshore Food Bank,org-shelter,REFERS_TO,,3,\n"
        "org-shelter,org-food,REFERS_TO,,,\n"  # the other direction: a different tie
        "org-shelter,org-food,PARTNERS_WITH,,,\n"
        "org-food,org-shelter,PARTNERS_WITH,2017,,\n"
    ))
    assert _messages(result) == []
    assert _messages(result, Severity.WARNING) == [
        "ties.csv:3:: the same REFERS_TO tie as row 2; merged; kept row 2's weight",
        "ties.csv:6:: the same PARTNERS_WITH tie as row 5 (a mutual tie: either direction is the same); merged",
    ]
    assert _ties(result) == {
        ("org-food", "REFERS_TO", "org-shelter"): {"since": "2019", "weight": 1.0, "source": "survey"},
        ("org-shelter", "REFERS_TO", "org-food"): {},
        ("org-food", "PARTNERS_WITH", "org-shelter"): {"since": "2017"},  # stored from the smaller id
    }


def test_under_strict_a_repeated_tie_or_a_doubtful_collaborative_is_an_error_whose_row_brings_nothing(
    tmp_path: Path,
) -> None:
    """--strict --skip-invalid must leave such a row out whole: the repeated row's values are not merged into the
    first row's tie, and the doubtful collaborative is not made, so what is skipped is not loaded after all."""
    result = _parse(tmp_path, (
        "org-food,org-shelter,REFERS_TO,2019,,survey\n"
        "Lakeshore Food Bank,org-shelter,REFERS_TO,,3,\n"
        "org-police,Lakeshore Food Bnk,MEMBER_OF,,,\n"
        "org-health,Lakeshore Food Bnk,MEMBER_OF,,,\n"
    ), strict=True)
    assert _messages(result) == [
        "ties.csv:3:: the same REFERS_TO tie as row 2",
        f"ties.csv:4:to_org: no organization is named 'Lakeshore Food Bnk', so it becomes the new collaborative "
        f"{NS}:collaborative:lakeshore-food-bnk; if one of 'Lakeshore Food Bank' (id org-food) was meant, "
        "correct the name",
        f"ties.csv:5:to_org: no organization is named 'Lakeshore Food Bnk', so it becomes the new collaborative "
        f"{NS}:collaborative:lakeshore-food-bnk; if one of 'Lakeshore Food Bank' (id org-food) was meant, "
        "correct the name",
    ]
    assert [p.record for p in result.report.errors] == [("tie", "row 3"), ("tie", "row 4"), ("tie", "row 5")]
    assert _ties(result) == {("org-food", "REFERS_TO", "org-shelter"): {"since": "2019", "source": "survey"}}
    assert not result.plan.nodes.get("Organization")


def test_rows_with_broken_csv_are_errors_at_their_row(tmp_path: Path) -> None:
    result = _parse(tmp_path, "org-food,org-shelter,REFERS_TO\n\norg-food,org-health,FUNDS,,,\n")
    assert _messages(result) == [
        "ties.csv:2:: the row has 3 cells but the header has 6 columns; check the quoting and the separators",
    ]
    assert result.records == 2  # the blank row is no record


def test_a_file_that_is_not_utf8_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ties.csv"
    path.write_bytes(HEADER.encode() + b"org-food,org-shelter,REFERS_TO,,,\norg-food,Caf\xe9,FUNDS,,,\n")
    result = parse_ties(path, namespace=NS, directory=DIRECTORY)
    assert _messages(result) == [
        "ties.csv:3:: line 3 of the file is not UTF-8 text; save the file as UTF-8 CSV and load it again",
    ]


def test_a_byte_order_mark_does_not_hide_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "ties.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + b"org-food,org-shelter,FUNDS,,,\n")
    assert _ties(parse_ties(path, namespace=NS, directory=DIRECTORY)) == {("org-food", "FUNDS", "org-shelter"): {}}


def test_an_empty_file_is_an_error_and_a_header_alone_a_warning(tmp_path: Path) -> None:
    assert _messages(_parse(tmp_path, "", header="")) == [
        "ties.csv:1:: the file is empty; the first row must be the header",
    ]
    assert _messages(_parse(tmp_path, ""), Severity.WARNING) == ["ties.csv:0:: the file has no ties"]


def test_progress_is_reported_with_the_file_and_the_records_read(tmp_path: Path) -> None:
    path = tmp_path / "ties.csv"
    path.write_text(HEADER + "org-food,org-shelter,FUNDS,,,\n" * 2500, encoding="utf-8")
    seen: list[tuple[str, int]] = []
    result = parse_ties(path, namespace=NS, directory=DIRECTORY, on_progress=lambda f, n: seen.append((f, n)))
    assert seen == [("ties.csv", 1000), ("ties.csv", 2000), ("ties.csv", 2500)]
    assert result.records == 2500 and result.plan.relationship_count() == 1


def test_a_missing_file_or_an_empty_namespace_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        parse_ties(tmp_path / "nope.csv", namespace=NS, directory=DIRECTORY)
    with pytest.raises(ValueError, match="namespace"):
        parse_ties(tmp_path / "nope.csv", namespace=" ", directory=DIRECTORY)


def test_a_name_repeated_on_many_rows_is_searched_among_the_known_names_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import difflib

    searches: list[str] = []
    real = difflib.get_close_matches

    def counting(word: str, *args: Any, **kwargs: Any) -> list[str]:
        searches.append(word)
        return real(word, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counting)  # the module loaders.directory_lookup searches with
    directory = Directory({f"org-{i}": f"Agency {i}" for i in range(50)})
    for _ in range(20):
        assert isinstance(directory.find_organization("Acute Risk Situation Table"), Unknown)
    assert searches == ["acute risk situation table"]


# --- --skip-invalid: each row is a record ----------------------------------------------------------------------

def test_with_skip_invalid_each_bad_row_is_a_tie_record_and_becomes_no_relationship(tmp_path: Path) -> None:
    result = _parse(tmp_path, (
        "org-food,org-shelter,REFERS_TO,2019,2,survey\n"            # 2: loads
        "org-food,Nobody At All,REFERS_TO,,,\n"                     # 3: unknown organization
        "org-food,org-health,LIKES,,,\n"                            # 4: not a tie type
        "org-food,org-health,FUNDS,,-1,\n"                          # 5: bad weight
        "org-food,Lakeshore Food Bank,PARTNERS_WITH,,,\n"           # 6: a tie to itself
        "org-food,org-health\n"                                     # 7: too few cells
        "org-health,Westside Table,MEMBER_OF,,,\n"                  # 8: loads, with a new collaborative
        "Nobody At All,Eastside Table,MEMBER_OF,,,\n"               # 9: unknown member: its collaborative is not made
    ))
    assert {p.row: p.record for p in result.report.errors} == {
        row: ("tie", f"row {row}") for row in (3, 4, 5, 6, 7, 9)}
    assert all(p.node is None for p in result.report.errors)  # a tie is a relationship, not a node of its own
    skipped = skip_invalid(result.plan, result.report.errors)
    assert skipped.unattributed == [] and skipped.counts() == {"tie": 6}
    westside = collaborative_id(NS, "Westside Table")
    assert set(_ties(result)) == {("org-food", "REFERS_TO", "org-shelter"), ("org-health", "MEMBER_OF", westside)}
    assert set(result.plan.nodes["Organization"]) == {westside}  # no Eastside Table: only a skipped row named it


def test_a_new_collaborative_is_warned_about_at_the_first_row_that_loads_with_it(tmp_path: Path) -> None:
    result = _parse(tmp_path, (
        "Nobody At All,Harbour Light Shelter Service,MEMBER_OF,,,\n"  # 2: skipped (unknown member)
        "org-food,Harbour Light Shelter Service,MEMBER_OF,,,\n"       # 3: loads, and makes the collaborative
    ))
    (warning,) = result.report.warnings
    assert (warning.row, warning.record) == (3, ("tie", "row 3"))
    assert "becomes the new collaborative" in warning.message


def test_a_header_problem_or_unreadable_text_names_no_record_so_a_skipping_load_stops(tmp_path: Path) -> None:
    missing = _parse(tmp_path, "org-food,org-shelter\n", header="from_org,to_org\n")
    assert missing.report.errors and all(p.record is None for p in missing.report.errors)
    assert skip_invalid(missing.plan, missing.report.errors).unattributed == missing.report.errors
    path = tmp_path / "ties.csv"
    path.write_bytes(HEADER.encode() + b"org-food,org-shelter,REFERS_TO,,,\norg-food,Caf\xe9,FUNDS,,,\n")
    unreadable = parse_ties(path, namespace=NS, directory=DIRECTORY)
    assert [p.record for p in unreadable.report.errors] == [None]  # the rest of the file is unread


def test_a_repeated_tie_is_a_warning_about_its_own_row(tmp_path: Path) -> None:
    result = _parse(tmp_path, "org-food,org-shelter,REFERS_TO,,,\norg-food,org-shelter,REFERS_TO,,,\n")
    assert [(p.row, p.record) for p in result.report.warnings] == [(3, ("tie", "row 3"))]
