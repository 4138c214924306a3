"""--skip-invalid on a plan: what a skipped record takes with it, what it leaves, and the rejects report."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from loaders.plan import GraphPlan
from loaders.rejects import COLUMNS, MaxRejects, write_rejects
from loaders.report import Problem, Report, Severity
from loaders.skipping import Origin, skip_invalid


def _plan() -> GraphPlan:
    """Two agencies, each with a service (with a phone), a location (with an address); a service-at-location
    joining service s1 to location l2 of the other agency; a taxonomy tag; a tie between the agencies."""
    plan = GraphPlan()
    for org, svc, loc in (("o1", "s1", "l1"), ("o2", "s2", "l2")):
        plan.add_node("Organization", org, {"name": org})
        plan.add_node("Service", svc, {"name": svc})
        plan.add_node("Location", loc, {"name": loc})
        plan.add_node("Phone", f"p-{svc}", {"number": "555"})
        plan.add_node("Address", f"a-{loc}", {"address1": "1 Main"})
        plan.add_relationship(("Organization", "PROVIDES", "Service"), org, svc)
        plan.add_relationship(("Organization", "HAS_LOCATION", "Location"), org, loc)
        plan.add_relationship(("Service", "HAS_PHONE", "Phone"), svc, f"p-{svc}")
        plan.add_relationship(("Location", "HAS_ADDRESS", "Address"), loc, f"a-{loc}")
    plan.add_node("ServiceAtLocation", "sal", {})
    plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), "s1", "sal")
    plan.add_relationship(("ServiceAtLocation", "AT", "Location"), "sal", "l2")
    plan.add_node("TaxonomyTerm", "t", {"name": "food"})
    plan.add_relationship(("Service", "TAGGED", "TaxonomyTerm"), "s1", "t")
    plan.add_relationship(("Organization", "REFERS_TO", "Organization"), "o1", "o2")
    return plan


ORIGINS = {("Organization", "o1"): Origin("f.csv", 2, ("agency", "o1")),
           ("Organization", "o2"): Origin("f.csv", 3, ("agency", "o2")),
           ("Service", "s1"): Origin("f.csv", 4, ("program", "s1")),
           ("Service", "s2"): Origin("f.csv", 5, ("program", "s2")),
           ("Location", "l1"): Origin("f.csv", 6, ("site", "l1")),
           ("Location", "l2"): Origin("f.csv", 7, ("site", "l2")),
           ("ServiceAtLocation", "sal"): Origin("f.csv", 8, ("program at site", "sal"))}


def _error(row: int, record: tuple[str, str], node: tuple[str, str] | None, message: str = "bad") -> Problem:
    return Problem("f.csv", row, "x", message, Severity.ERROR, record, node)


def test_a_skipped_agency_takes_what_depends_on_it_and_leaves_the_rest() -> None:
    plan = _plan()
    skipped = skip_invalid(plan, [_error(3, ("agency", "o2"), ("Organization", "o2"))], ORIGINS)
    assert not skipped.unattributed
    # o2 goes, with its service s2 (and phone), its location l2 (and address), and the service-at-location at l2
    assert set(plan.nodes["Organization"]) == {"o1"}
    assert set(plan.nodes["Service"]) == {"s1"}
    assert set(plan.nodes["Location"]) == {"l1"}
    assert set(plan.nodes["Phone"]) == {"p-s1"}
    assert set(plan.nodes["Address"]) == {"a-l1"}
    assert not plan.nodes["ServiceAtLocation"]
    # s1 keeps its tag (a term depends on no service); the tie to o2 goes with o2
    assert set(plan.relationships[("Service", "TAGGED", "TaxonomyTerm")]) == {"s1>t"}
    assert not plan.relationships[("Organization", "REFERS_TO", "Organization")]
    assert not plan.relationships[("ServiceAtLocation", "AT", "Location")]
    assert set(plan.nodes["TaxonomyTerm"]) == {"t"}


def test_each_skipped_record_is_reported_once_with_what_it_depended_on() -> None:
    plan = _plan()
    skipped = skip_invalid(plan, [_error(3, ("agency", "o2"), ("Organization", "o2"), "no name"),
                                  _error(3, ("agency", "o2"), ("Organization", "o2"), "no phone")], ORIGINS)
    records = skipped.records()
    # the agency (its two problems), and the records that depended on it: phones and addresses are parts of a
    # record (no origin of their own) and go with it unlisted
    assert set(records) == {("agency", "o2"), ("program", "s2"), ("site", "l2"), ("program at site", "sal")}
    assert [p.message for p in records[("agency", "o2")]] == ["no name", "no phone"]
    assert records[("program", "s2")][0].message == "skipped: its agency o2 was skipped"
    assert records[("program", "s2")][0].row == 5
    assert records[("program at site", "sal")][0].message == "skipped: its site l2 was skipped"
    assert skipped.counts() == {"agency": 1, "program": 1, "site": 1, "program at site": 1}


def test_a_record_the_parser_left_out_still_takes_its_dependants() -> None:
    """The parser did not build the invalid program s1 at all; what names it in the plan still goes."""
    plan = _plan()
    del plan.nodes["Service"]["s1"]
    skip_invalid(plan, [_error(4, ("program", "s1"), ("Service", "s1"))], ORIGINS)
    assert not plan.nodes["ServiceAtLocation"]
    assert set(plan.nodes["Phone"]) == {"p-s2"}
    assert set(plan.nodes["Location"]) == {"l1", "l2"}  # a location depends on no service


def test_a_record_owned_by_several_falls_only_with_the_last_of_them() -> None:
    """A funding source (one per text in a dataset) funds both agencies: it stays while one of them stays."""
    plan = _plan()
    plan.add_node("Funding", "city", {})
    for org in ("o1", "o2"):
        plan.add_relationship(("Organization", "HAS_FUNDING", "Funding"), org, "city")
    skip_invalid(plan, [_error(3, ("agency", "o2"), ("Organization", "o2"))], ORIGINS)
    assert set(plan.nodes["Funding"]) == {"city"}
    assert {r["from"] for r in plan.relationships[("Organization", "HAS_FUNDING", "Funding")].values()} == {"o1"}
    skip_invalid(plan, [_error(2, ("agency", "o1"), ("Organization", "o1"))], ORIGINS)
    assert not plan.nodes["Funding"]


def test_a_format_may_add_what_its_records_require() -> None:
    """Through `requires` (an Ohana service needs its location, which the plan links only through a
    service-at-location): the location skipped, the service falls too, reported at its row."""
    plan = _plan()
    skipped = skip_invalid(plan, [_error(6, ("site", "l1"), ("Location", "l1"))], ORIGINS,
                           requires=[(("Service", "s1"), ("Location", "l1"))])
    assert "s1" not in plan.nodes["Service"]
    assert skipped.records()[("program", "s1")][0].message == "skipped: its site l1 was skipped"


def test_an_area_within_a_skipped_one_falls_with_it() -> None:
    plan = GraphPlan()
    for area in ("city", "ward", "block", "other"):
        plan.add_node("Area", area, {"name": area})
    plan.add_relationship(("Area", "WITHIN", "Area"), "ward", "city")
    plan.add_relationship(("Area", "WITHIN", "Area"), "block", "ward")
    origins = {("Area", a): Origin("a.geojson", n, ("area", a)) for n, a in enumerate(("city", "ward", "block"), 1)}
    skipped = skip_invalid(plan, [_error(1, ("area", "city"), ("Area", "city"))], origins)
    assert set(plan.nodes["Area"]) == {"other"}
    assert skipped.records()[("area", "block")][0].message == "skipped: its area ward was skipped"


def test_a_problem_that_names_no_record_cannot_be_skipped() -> None:
    plan = _plan()
    before = plan.counts()
    whole_file = Problem("f.csv", 0, "ResourceAgencyNum", "required column is missing")
    skipped = skip_invalid(plan, [whole_file, _error(3, ("agency", "o2"), ("Organization", "o2"))], ORIGINS)
    assert skipped.unattributed == [whole_file]
    assert plan.counts() == before  # nothing removed: the load stops


def test_warnings_are_not_skipped_unless_strict_made_them_errors() -> None:
    report = Report()
    report.warning("f.csv", 4, "Website", "not a web address", record=("program", "s1"), node=("Service", "s1"))
    plan = _plan()
    assert not skip_invalid(plan, report.problems, ORIGINS).problems
    assert "s1" in plan.nodes["Service"]
    skipped = skip_invalid(plan, report.strict().problems, ORIGINS)
    assert ("program", "s1") in skipped.records()
    assert "s1" not in plan.nodes["Service"]


def test_the_rejects_report_has_one_line_per_record(tmp_path: Path) -> None:
    plan = _plan()
    skipped = skip_invalid(plan, [_error(3, ("agency", "o2"), ("Organization", "o2"), "no name"),
                                  _error(3, ("agency", "o2"), ("Organization", "o2"), "no phone")], ORIGINS)
    path = tmp_path / "out" / "rejects.csv"
    write_rejects(path, skipped.records())
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 4
    agency = next(r for r in rows if r["record_kind"] == "agency")
    assert agency == {"file": "f.csv", "row": "3", "field": "x", "severity": "error",
                      "message": "no name; no phone", "record_kind": "agency", "record_id": "o2"}


@pytest.mark.parametrize(("text", "read", "allowed"), [
    ("50", 1000, 50), ("0", 1000, 0), ("5%", 1000, 50), ("0.5%", 1000, 5), (" 10 % ", 95, 9), ("100%", 7, 7),
])
def test_max_rejects_is_a_count_or_a_share(text: str, read: int, allowed: int) -> None:
    assert MaxRejects.parse(text).allowed(read) == allowed


@pytest.mark.parametrize("text", ["", "ten", "-1", "5.5", "101%", "5%%"])
def test_max_rejects_refuses_what_is_neither(text: str) -> None:
    with pytest.raises(ValueError, match="--max-rejects"):
        MaxRejects.parse(text)
