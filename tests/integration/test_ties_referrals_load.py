"""Agency ties and referral aggregates loaded onto the demo city on the real embedded FalkorDB:
organizations matched in the graph, counts exactly as computed here, reloads that change nothing,
and malformed files that leave the graph untouched."""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from graph.engine import GraphEngine
from graph.schema.model import TIE_TYPES
from loaders.directory_lookup import Directory, load_directory
from loaders.hsds import parse_hsds
from loaders.load import load_parsed
from loaders.plan import GraphPlan
from loaders.referrals import parse_referrals
from loaders.report import LoadRejected
from loaders.ties import parse_ties
from tests.factories import ReadyPlan
from tests.graph_snapshot import snapshot

AREAS = {"test-ward-1": "Lakeshore Ward", "test-ward-2": "Westbrook Ward"}




@pytest.fixture
def city(db: GraphEngine, demo_source: Path) -> Directory:
    """The demo city plus two planning areas, and the directory read back from the graph."""
    load_parsed(db, parse_hsds(demo_source), dataset_id="demo", path=demo_source)
    areas = GraphPlan()
    for area_id, name in AREAS.items():
        areas.add_node("Area", area_id, {"name": name, "kind": "ward"})
    load_parsed(db, ReadyPlan(areas, format="test-areas", records=len(AREAS)), dataset_id="test-areas",
                path=Path("memory"))
    return load_directory(db)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _demo_table(demo_source: Path, name: str) -> list[dict[str, str]]:
    with (demo_source / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_directory_holds_the_graphs_organizations_services_areas_and_need_terms(
    city: Directory, demo_source: Path,
) -> None:
    organizations = {r["id"]: r["name"] for r in _demo_table(demo_source, "organizations.csv")}
    assert dict(city.organizations) == organizations
    assert city.services == {r["id"] for r in _demo_table(demo_source, "services.csv")}
    assert city.areas == set(AREAS)
    terms = _demo_table(demo_source, "taxonomy_terms.csv")
    assert {t["id"] for t in terms} | {t["code"] for t in terms if t["code"]} <= city.need_terms
    some = next(iter(organizations.items()))
    assert city.find_organization(some[1].upper()) == some[0]


def _ties(db: GraphEngine) -> set[tuple[str, str, str, str | None, float | None, str | None, str]]:
    rows = db.read(
        "MATCH (a:Organization)-[r]->(b:Organization) WHERE type(r) IN $types "
        "RETURN a.id AS a, type(r) AS type, b.id AS b, r.since AS since, r.weight AS weight, r.source AS source, "
        "r.dataset AS dataset",
        {"types": list(TIE_TYPES)},
    )
    return {(r["a"], r["type"], r["b"], r["since"], r["weight"], r["source"], r["dataset"]) for r in rows}


def test_ties_load_onto_the_demo_organizations_and_a_reload_or_replace_changes_nothing(
    db: GraphEngine, city: Directory, tmp_path: Path,
) -> None:
    ids = sorted(city.organizations)
    name = city.organizations
    table = "ties:collaborative:situation-table"
    rows = [
        [ids[0], ids[1], "REFERS_TO", "2019", "3", "intake survey"],
        [f"  {name[ids[2]].upper()} ", ids[3], "partners with", "2020-05", "", ""],
        [ids[3], ids[2], "PARTNERS_WITH", "", "", ""],  # the same mutual tie: merged
        [ids[4], name[ids[5]], "FUNDS", "2021-01-15", "125000", "city budget"],
        [ids[0], "Situation Table", "MEMBER_OF", "2018", "", ""],
        [ids[1], "situation table", "MEMBER_OF", "", "", ""],
        [name[ids[2]], "Situation Table", "MEMBER_OF", "", "", ""],
        ["Situation Table", ids[6], "REFERS_TO", "", "1", ""],
    ]
    path = _write(tmp_path / "ties.csv", ["from_org", "to_org", "type", "since", "weight", "source"], rows)
    parsed = parse_ties(path, namespace="ties", directory=city)
    result = load_parsed(db, parsed, dataset_id="ties", path=path)
    assert [str(w) for w in result.warnings] == [
        "ties.csv:4:: the same PARTNERS_WITH tie as row 3 (a mutual tie: either direction is the same); merged",
    ]
    low, high = sorted((ids[2], ids[3]))
    expected = {
        (ids[0], "REFERS_TO", ids[1], "2019", 3.0, "intake survey", "ties"),
        (low, "PARTNERS_WITH", high, "2020-05", None, None, "ties"),
        (ids[4], "FUNDS", ids[5], "2021-01-15", 125000.0, "city budget", "ties"),
        (ids[0], "MEMBER_OF", table, "2018", None, None, "ties"),
        (ids[1], "MEMBER_OF", table, None, None, None, "ties"),
        (ids[2], "MEMBER_OF", table, None, None, None, "ties"),
        (table, "REFERS_TO", ids[6], None, 1.0, None, "ties"),
    }
    assert _ties(db) == expected
    collaboratives = db.read("MATCH (o:Organization {sector: $sector}) RETURN o.id AS id, o.name AS name",
                             {"sector": "collaborative"})
    assert collaboratives == [{"id": table, "name": "Situation Table"}]
    (dataset,) = db.read("MATCH (d:Dataset {id: $id}) RETURN d.format AS format, d.path AS path", {"id": "ties"})
    assert dataset == {"format": "agency-ties", "path": str(path)}

    before = snapshot(db)
    again = parse_ties(path, namespace="ties", directory=load_directory(db))  # the table is in the graph now
    assert [str(p) for p in again.report.problems] == [str(w) for w in result.warnings]  # the merge, no new node
    assert list(again.plan.nodes["Organization"]) == [table]  # restated, not created anew
    load_parsed(db, again, dataset_id="ties", path=path)
    assert snapshot(db) == before
    load_parsed(db, parse_ties(path, namespace="ties", directory=load_directory(db)), dataset_id="ties", path=path,
                replace=True)  # removes what the last load brought, the table included, and restores it
    assert snapshot(db) == before


def _events(city: Directory, demo_source: Path, count: int) -> tuple[list[list[str]], Counter[tuple[str, ...]],
                                                                     Counter[tuple[str, ...]]]:
    """Random events over the demo's organizations, services and needs, and the counts expected of
    them, worked out here from the demo's own tables (not through the parser's matching)."""
    rng = random.Random(20240301)
    organizations = _demo_table(demo_source, "organizations.csv")
    services = [s["id"] for s in _demo_table(demo_source, "services.csv")]
    terms = _demo_table(demo_source, "taxonomy_terms.csv")
    needs = [t["code"] for t in terms[:6]] + [t["id"] for t in terms[6:12]]
    rows: list[list[str]] = []
    flows: Counter[tuple[str, ...]] = Counter()
    need_counts: Counter[tuple[str, ...]] = Counter()
    for _ in range(count):
        sender = rng.choice(organizations)
        month = f"2024-{rng.randint(1, 4):02d}"
        day = f"{month}-{rng.randint(1, 28):02d}" + rng.choice(["", "T09:30:00", " 16:45"])
        need, area = rng.choice(needs), rng.choice(sorted(AREAS))
        outcome = rng.choice(["referred", "referred", "referred", "unmet:waitlist", "Unmet: No capacity"])
        kind = rng.choice(["organization", "organization-name", "service", "none"])
        if kind == "none" and outcome == "referred":
            kind = "service"
        recipient: tuple[str, str] | None = None
        if kind == "service":
            to = rng.choice(services)
            recipient = ("Service", to)
        elif kind == "none":
            to = ""
        else:
            target = rng.choice(organizations)
            to = target["id"] if kind == "organization" else target["name"].lower()
            recipient = ("Organization", target["id"])
        rows.append([day, rng.choice([sender["id"], sender["name"]]), to, need, area, outcome])
        if recipient:
            flows[(sender["id"], *recipient, need, month)] += 1
        need_counts[(area, need, month, outcome.lower().replace(": ", ":").replace(" ", "-"))] += 1
    assert len(city.organizations) == len(organizations)
    return rows, flows, need_counts


REFERRAL_HEADER = ["date", "from_org", "to_org_or_service", "need_code", "area_id", "outcome"]


def _flows(db: GraphEngine) -> Counter[tuple[str, ...]]:
    rows = db.read("MATCH (o:Organization)-[:SENT]->(f:ReferralFlow)-[:RECEIVED_BY]->(t) "
                   "RETURN o.id AS sender, labels(t)[0] AS label, t.id AS recipient, f.need AS need, "
                   "f.month AS month, f.count AS count")
    return Counter({(r["sender"], r["label"], r["recipient"], r["need"], r["month"]): r["count"] for r in rows})


def _need_counts(db: GraphEngine) -> Counter[tuple[str, ...]]:
    rows = db.read("MATCH (n:NeedCount)-[:IN_AREA]->(a:Area) "
                   "RETURN a.id AS area, n.need AS need, n.month AS month, n.outcome AS outcome, n.count AS count")
    return Counter({(r["area"], r["need"], r["month"], r["outcome"]): r["count"] for r in rows})


def test_referral_events_load_as_the_counts_computed_here_and_a_reload_does_not_add(
    db: GraphEngine, city: Directory, demo_source: Path, tmp_path: Path,
) -> None:
    rows, flows, need_counts = _events(city, demo_source, 400)
    path = _write(tmp_path / "referrals.csv", REFERRAL_HEADER, rows)
    parsed = parse_referrals(path, namespace="referrals-2024", directory=city)
    assert [str(p) for p in parsed.report.problems] == []
    result = load_parsed(db, parsed, dataset_id="referrals-2024", path=path)
    assert result.records == 400
    assert result.counts["ReferralFlow"] == len(flows) and result.counts["NeedCount"] == len(need_counts)
    assert _flows(db) == flows
    assert _need_counts(db) == need_counts
    assert sum(_need_counts(db).values()) == 400

    stored = db.read("MATCH (n) WHERE n:ReferralFlow OR n:NeedCount RETURN properties(n) AS props")
    texts = [str(v) for r in stored for v in r["props"].values()]
    assert not [t for t in texts if re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}", t)]  # months only

    before = snapshot(db)
    load_parsed(db, parse_referrals(path, namespace="referrals-2024", directory=load_directory(db)),
                dataset_id="referrals-2024", path=path)
    assert _flows(db) == flows and _need_counts(db) == need_counts
    assert snapshot(db) == before


def test_malformed_files_are_refused_with_precise_errors_and_the_graph_is_unchanged(
    db: GraphEngine, city: Directory, demo_source: Path, tmp_path: Path,
) -> None:
    rows, _, _ = _events(city, demo_source, 20)
    good = _write(tmp_path / "referrals.csv", REFERRAL_HEADER, rows)
    load_parsed(db, parse_referrals(good, namespace="referrals", directory=city), dataset_id="referrals", path=good)
    before = snapshot(db)

    broken = [list(r) for r in rows]
    broken[1][4] = "ward-99"
    broken[4][0] = "04/03/2024"
    broken[6][2] = "bob@example.org"
    bad = _write(tmp_path / "referrals-bad.csv", REFERRAL_HEADER, broken)
    with pytest.raises(LoadRejected) as rejected:
        load_parsed(db, parse_referrals(bad, namespace="referrals", directory=city), dataset_id="referrals", path=bad)
    assert [f"{p.file}:{p.row}:{p.field}" for p in rejected.value.report.errors] == [
        "referrals-bad.csv:3:area_id", "referrals-bad.csv:6:date", "referrals-bad.csv:8:to_org_or_service",
    ]
    assert "bob@" not in str(rejected.value)

    personal = _write(tmp_path / "with-names.csv", ["client_name", *REFERRAL_HEADER],
                      [["Jane Doe", *row] for row in rows])
    with pytest.raises(LoadRejected, match=r"with-names\.csv:1:client_name: the column looks like personal data"):
        load_parsed(db, parse_referrals(personal, namespace="referrals", directory=city), dataset_id="referrals",
                    path=personal)

    ties = _write(tmp_path / "ties-bad.csv", ["from_org", "to_org", "type"],
                  [[sorted(city.organizations)[0], sorted(city.organizations)[1], "REFERS_TO"],
                   [sorted(city.organizations)[0], "No Such Agency", "FUNDS"]])
    with pytest.raises(LoadRejected, match=r"ties-bad\.csv:3:to_org: no organization in the graph has the id or "
                                           r"name 'No Such Agency'"):
        load_parsed(db, parse_ties(ties, namespace="ties", directory=city), dataset_id="ties", path=ties)
    assert snapshot(db) == before
