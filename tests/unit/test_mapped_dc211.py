"""The shipped DC 211 mapping (mappings/dc-211.yaml) against `load 211` on the same export: the same
organizations, services, places, taxonomy tags and schedules on the fields the mapping covers.

Both parses are pure (no database) and both plans go to the same writer, so comparing plans compares what
each load writes. The mapped plan is compared after `--skip-invalid` has left out what HSDS 3.0 refuses and
`load 211` accepts (a program without a name or a status): those records are checked to be exactly those.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from loaders.airs211 import parse_211
from loaders.airs211.privacy import STAFF_ONLY_RECORD
from loaders.hours_text import read_hours
from loaders.mapped import parse_mapped
from loaders.plan import GraphPlan
from loaders.skipping import skip_invalid

pytestmark = pytest.mark.shared_data
MAPPING = Path(__file__).resolve().parents[2] / "mappings" / "dc-211.yaml"


@pytest.fixture(scope="module")
def export(shared_data: Path) -> Path:
    return shared_data / "dc-211" / "211.csv"


@pytest.fixture(scope="module")
def rows(export: Path) -> dict[str, dict[str, str]]:
    with export.open(newline="", encoding="utf-8", errors="replace") as handle:
        return {row["ResourceAgencyNum"]: {k: v.strip() for k, v in row.items()} for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def native(export: Path) -> GraphPlan:
    parsed = parse_211(export, namespace="dc")
    assert not parsed.report.errors
    return parsed.plan


@pytest.fixture(scope="module")
def mapped(export: Path) -> tuple[GraphPlan, dict[tuple[str, str], Any]]:
    parsed = parse_mapped([export], MAPPING, namespace="dc")
    skipped = skip_invalid(parsed.plan, parsed.report.problems, parsed.origins)
    assert not skipped.unattributed
    return parsed.plan, skipped.records()


def _rels(plan: GraphPlan, key: tuple[str, str, str]) -> set[tuple[str, str]]:
    return {(r["from"], r["to"]) for r in plan.relationships.get(key, {}).values()}


def _single_line(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def test_the_services_left_out_are_the_programs_hsds_refuses(rows, native, mapped) -> None:
    plan, rejected = mapped
    programs = {f"dc:service:{n}" for n, row in rows.items() if row["TaxonomyLevelName"] == "Program"}
    refused = {f"dc:service:{n}" for n, row in rows.items() if row["TaxonomyLevelName"] == "Program"
               and (not (row["PublicName"] or row["OfficialName"] or row["AlternateName"]) or not row["AgencyStatus"])}
    assert refused and set(native.nodes["Service"]) == programs
    assert set(plan.nodes["Service"]) == programs - refused
    assert {rid for kind, rid in rejected if kind == "service"} == refused


def test_organizations_are_the_same(native, mapped) -> None:
    plan, _ = mapped
    ours, theirs = plan.nodes["Organization"], native.nodes["Organization"]
    assert set(ours) == set(theirs) and len(ours) == 494
    for rid, node in theirs.items():
        mine, props = ours[rid]["props"], node["props"]
        # `load 211` writes names on one line (runs of spaces collapsed); HSDS keeps the text as given
        assert _single_line(mine["name"]) == props["name"], rid
        assert mine.get("alternateName") == props.get("alternateName"), rid
        if props.get("description"):  # HSDS requires one: the mapping gives the name where the export has none
            assert mine["description"] == props["description"], rid
        assert (STAFF_ONLY_RECORD in mine.get("staffOnly", ())) == (STAFF_ONLY_RECORD in props.get("staffOnly", ()))


def test_services_are_the_same_with_their_providers(native, mapped) -> None:
    plan, _ = mapped
    ours = plan.nodes["Service"]
    # (`load 211` also cleans web and e-mail addresses, "www.x.org" -> "http://www.x.org"; a mapping copies them)
    fields = ("description", "eligibilityDescription", "feesDescription", "applicationProcess", "status")
    private = 0
    for rid, node in ours.items():
        mine, props = node["props"], native.nodes["Service"][rid]["props"]
        assert _single_line(mine["name"]) == props["name"], rid
        for name in fields:
            assert mine.get(name) == props.get(name), (rid, name)
        whole = STAFF_ONLY_RECORD in mine.get("staffOnly", ())
        assert whole == (STAFF_ONLY_RECORD in props.get("staffOnly", ())), rid
        private += whole
    assert private > 100  # ExcludeFromWebsite rows are staff-only records in both
    provides = ("Organization", "PROVIDES", "Service")
    assert _rels(plan, provides) == {(o, s) for o, s in _rels(native, provides) if s in ours}


def test_taxonomy_tags_terms_and_chains_are_the_same(native, mapped) -> None:
    plan, _ = mapped
    assert set(plan.nodes["TaxonomyTerm"]) == set(native.nodes["TaxonomyTerm"])
    broader = ("TaxonomyTerm", "BROADER", "TaxonomyTerm")
    assert _rels(plan, broader) == _rels(native, broader) and len(_rels(plan, broader)) > 1000
    for label in ("Organization", "Service"):
        key = (label, "TAGGED", "TaxonomyTerm")
        kept = plan.nodes[label]
        assert _rels(plan, key) == {(o, t) for o, t in _rels(native, key) if o in kept}
        types = {(r["from"], r["to"]): r["props"]["linkType"] for r in plan.relationships[key].values()}
        assert types == {(r["from"], r["to"]): r["props"]["linkType"] for r in native.relationships[key].values()
                         if r["from"] in kept}


def _hours(plan: GraphPlan, owner_label: str) -> dict[str, set[tuple[Any, ...]]]:
    out: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    for owner, schedule in _rels(plan, (owner_label, "HAS_SCHEDULE", "Schedule")):
        props = plan.nodes["Schedule"][schedule]["props"]
        out[owner].add(tuple(props.get(k) for k in ("freq", "byday", "opensAt", "closesAt", "description")))
    return out


def test_schedules_are_the_same(rows, native, mapped) -> None:
    plan, _ = mapped
    # Both read HoursOfOperation, else the by-day `Hours` column; `load 211` also reads `Hours` where
    # HoursOfOperation is there but cannot be read (keeping the text as the description): left out of the comparison
    by_day = {n for n, row in rows.items() if row["HoursOfOperation"] and row["Hours"]
              and not read_hours(row["HoursOfOperation"]).understood and read_hours(row["Hours"]).understood}
    for label in ("Service", "Location"):
        ours, theirs = _hours(plan, label), _hours(native, label)
        kept = plan.nodes[label]
        compared = {o for o in set(ours) | set(theirs) if o in kept and o.rsplit(":", 1)[1] not in by_day}
        assert len(compared) > (400 if label == "Location" else 1500)
        for owner in compared:
            assert ours.get(owner) == theirs.get(owner), owner


def _places(plan: GraphPlan) -> dict[str, tuple[Any, Any, Any]]:
    """Each service's place: (latitude, longitude, street address) of the location it is delivered at."""
    delivered = dict(_rels(plan, ("Service", "DELIVERED_AT", "ServiceAtLocation")))
    at = dict(_rels(plan, ("ServiceAtLocation", "AT", "Location")))
    street = {loc: plan.nodes["Address"][a]["props"].get("address1")
              for loc, a in _rels(plan, ("Location", "HAS_ADDRESS", "Address"))
              if plan.nodes["Address"][a]["props"].get("addressType") == "physical"}
    out = {}
    for service, sal in delivered.items():
        location = at[sal]
        props = plan.nodes["Location"][location]["props"]
        out[service] = (props.get("latitude"), props.get("longitude"), street.get(location))
    return out


def test_services_are_delivered_at_the_same_places(native, mapped) -> None:
    """`load 211` merges a program's place with another record's of the same address (loaders.airs211.places)
    and keeps a staff-only place's point from the public; the mapping gives each row its own location. Where
    each answers with a point, the points agree for all but a handful of services (those merges)."""
    plan, _ = mapped
    ours, theirs = _places(plan), _places(native)
    both = [s for s in set(ours) & set(theirs) if theirs[s][0] is not None]
    assert len(both) > 1500
    differ = [s for s in both if ours[s][:2] != theirs[s][:2]]
    assert len(differ) <= len(both) // 100, differ
