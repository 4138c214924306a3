"""The demo city's planning files (ward areas, agency ties, referral events) and the scalable planning
graph: read by the real loaders' parsers without a problem, deterministic, and shaped as planners need
(silos bridged by one broker, isolates, under-served wards, counts on both sides of suppression)."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from pathlib import Path

import pytest
import shapely
from shapely.geometry import box, shape

from demo import city
from demo.generator import generate_demo
from demo.planning import (
    AREAS_DATASET,
    COALITION,
    REFERRAL_COLUMNS,
    REFERRALS_DATASET,
    SITUATION_TABLE,
    TIE_COLUMNS,
    TIES_DATASET,
    PlanningSummary,
    read_agencies,
    write_planning_files,
)
from demo.planning_scale import generate_planning_graph_files
from demo.taxonomy import TERMS_BY_ID
from loaders.areas import parse_areas
from loaders.directory_lookup import Directory
from loaders.hsds import parse_hsds
from loaders.referrals import ReferralsResult, parse_referrals, personal_data_kind, personal_value_kind
from loaders.ties import parse_ties

SUPPRESSED_BELOW = 5


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _directory(package: Path, area_ids: Iterable[str]) -> Directory:
    """What load_directory would read from a graph holding the package and the areas."""
    terms = _rows(package / "taxonomy_terms.csv")
    return Directory({r["id"]: r["name"] for r in _rows(package / "organizations.csv")},
                     frozenset(r["id"] for r in _rows(package / "services.csv")), frozenset(area_ids),
                     frozenset([t["id"] for t in terms] + [t["code"] for t in terms if t["code"]]))


def _make(folder: Path, services: int = 400, seed: int = 7) -> PlanningSummary:
    generate_demo(folder, services=services, seed=seed)
    return write_planning_files(folder, seed=seed)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PlanningSummary]:
    folder = tmp_path_factory.mktemp("planning400")
    return folder, _make(folder)


@pytest.fixture(scope="module")
def referrals(demo: tuple[Path, PlanningSummary]) -> ReferralsResult:
    package, summary = demo
    area_ids = [f"{AREAS_DATASET}:{w.key}" for w in city.WARDS]
    return parse_referrals(summary.referrals_path, namespace=REFERRALS_DATASET,
                           directory=_directory(package, area_ids))


# --- the loaders read the files -----------------------------------------------------------------------------

def test_the_ward_areas_load_with_their_populations_and_the_ids_referrals_name(
    demo: tuple[Path, PlanningSummary],
) -> None:
    _, summary = demo
    parsed = parse_areas(summary.areas_path, namespace=AREAS_DATASET, kind="ward")
    assert not parsed.report.problems
    areas = parsed.plan.nodes["Area"]
    assert sorted(areas) == sorted(f"{AREAS_DATASET}:{w.key}" for w in city.WARDS)
    assert sum(a["props"]["population"] for a in areas.values()) == city.POPULATION
    assert {a["props"]["kind"] for a in areas.values()} == {"ward"}
    referred = {r["area_id"] for r in _rows(summary.referrals_path)}
    assert referred == set(areas)


def test_the_ties_load_without_errors_or_warnings_and_create_the_two_collaboratives(
    demo: tuple[Path, PlanningSummary],
) -> None:
    package, summary = demo
    parsed = parse_ties(summary.ties_path, namespace=TIES_DATASET, directory=_directory(package, ()))
    assert not parsed.report.problems
    counts = parsed.plan.counts()
    assert counts["Organization"] == 2  # the situation table and the coalition
    assert {n["props"]["name"] for n in parsed.plan.nodes["Organization"].values()} == {SITUATION_TABLE, COALITION}
    assert all(counts[t] > 0 for t in ("REFERS_TO", "PARTNERS_WITH", "SHARES_DATA_WITH", "FUNDS", "MEMBER_OF"))
    assert sum(counts[t] for t in ("REFERS_TO", "PARTNERS_WITH", "SHARES_DATA_WITH", "FUNDS", "MEMBER_OF")) \
        == summary.ties


def test_the_referrals_load_without_errors_or_warnings_into_flows_and_need_counts(
    demo: tuple[Path, PlanningSummary], referrals: ReferralsResult,
) -> None:
    _, summary = demo
    assert not referrals.report.problems
    assert referrals.records == summary.referrals == 15 * 400
    counts = referrals.plan.counts()
    assert counts["ReferralFlow"] > 1000 and counts["NeedCount"] > 1000


def test_the_same_seed_writes_identical_planning_files_and_another_seed_other_ones(tmp_path: Path) -> None:
    def files(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted((folder / "planning").iterdir())}

    _make(tmp_path / "a", services=120, seed=3)
    _make(tmp_path / "b", services=120, seed=3)
    _make(tmp_path / "c", services=120, seed=4)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a")["ties.csv"] != files(tmp_path / "c")["ties.csv"]
    assert files(tmp_path / "a")["referrals.csv"] != files(tmp_path / "c")["referrals.csv"]


# --- the ties' structure ------------------------------------------------------------------------------------

def _graph(ties: Path) -> dict[str, set[str]]:
    """Undirected adjacency of the tie table (collaboratives by name)."""
    adjacency: dict[str, set[str]] = defaultdict(set)
    for row in _rows(ties):
        adjacency[row["from_org"]].add(row["to_org"])
        adjacency[row["to_org"]].add(row["from_org"])
    return adjacency


def _reachable(adjacency: dict[str, set[str]], start: str, without: str | None = None) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for other in adjacency[queue.popleft()]:
            if other not in seen and other != without:
                seen.add(other)
                queue.append(other)
    return seen


def _betweenness(adjacency: dict[str, set[str]]) -> dict[str, float]:
    """Brandes' algorithm, unweighted and undirected."""
    score = dict.fromkeys(adjacency, 0.0)
    for source in adjacency:
        order: list[str] = []
        parents: dict[str, list[str]] = defaultdict(list)
        paths, depth = Counter({source: 1}), {source: 0}
        queue = deque([source])
        while queue:
            v = queue.popleft()
            order.append(v)
            for w in adjacency[v]:
                if w not in depth:
                    depth[w] = depth[v] + 1
                    queue.append(w)
                if depth[w] == depth[v] + 1:
                    paths[w] += paths[v]
                    parents[w].append(v)
        credit: dict[str, float] = defaultdict(float)
        for w in reversed(order):
            for v in parents[w]:
                credit[v] += paths[v] / paths[w] * (1 + credit[w])
            if w != source:
                score[w] += credit[w]
    return score


def _assert_silos(package: Path, summary: PlanningSummary) -> None:
    sectors = {a.id: a.sector for a in read_agencies(package)}
    police = [a for a, s in sectors.items() if s == "police"]
    housing = [a for a, s in sectors.items() if s == "housing"]
    adjacency = _graph(summary.ties_path)
    assert police and housing
    for p in police:
        assert not adjacency[p] & set(housing), "a direct police-housing tie"
        assert set(housing) <= _reachable(adjacency, p), "a police agency cannot reach housing at all"
        assert not set(housing) & _reachable(adjacency, p, without=summary.broker_id), "a path avoiding the broker"
    tied = set(adjacency)
    assert summary.isolates and not tied & set(summary.isolates)
    assert set(sectors) - tied == set(summary.isolates)


def test_police_and_housing_agencies_are_tied_only_through_the_broker(demo: tuple[Path, PlanningSummary]) -> None:
    package, summary = demo
    assert summary.broker_name == "City of Maple Harbour Social Services"
    _assert_silos(package, summary)


def test_the_broker_has_the_highest_betweenness(demo: tuple[Path, PlanningSummary]) -> None:
    _, summary = demo
    scores = _betweenness(_graph(summary.ties_path))
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    assert ranked[0] == summary.broker_id
    assert scores[ranked[0]] > 1.2 * scores[ranked[1]]


def test_a_tiny_package_keeps_the_broker_the_silos_and_the_isolates(tmp_path: Path) -> None:
    summary = _make(tmp_path, services=20, seed=5)  # one organization per sector
    _assert_silos(tmp_path, summary)


def test_some_agencies_have_no_tie_and_referrals_mostly_go_one_way(demo: tuple[Path, PlanningSummary]) -> None:
    package, summary = demo
    assert 2 <= len(summary.isolates) <= 10
    refers = {(r["from_org"], r["to_org"]) for r in _rows(summary.ties_path) if r["type"] == "REFERS_TO"}
    answered = sum((b, a) in refers for a, b in refers)
    assert 0.05 * len(refers) < answered < 0.5 * len(refers)


def test_mental_health_and_housing_refer_people_to_each_other_without_any_tie(
    demo: tuple[Path, PlanningSummary],
) -> None:
    package, summary = demo
    sectors = {a.id: a.sector for a in read_agencies(package)}
    providers = {r["id"]: r["organization_id"] for r in _rows(package / "services.csv")}
    pair = {"mental-health", "housing"}
    tied = [r for r in _rows(summary.ties_path) if {sectors.get(r["from_org"]), sectors.get(r["to_org"])} == pair]
    assert tied == []
    flows = Counter(
        (sectors[r["from_org"]], sectors[providers.get(r["to_org_or_service"], r["to_org_or_service"])])
        for r in _rows(summary.referrals_path) if r["to_org_or_service"])
    assert flows["mental-health", "housing"] + flows["housing", "mental-health"] > 0.05 * sum(flows.values())
    assert flows.most_common(1)[0][0] == ("mental-health", "housing")


# --- the referral events ------------------------------------------------------------------------------------

def test_referral_rows_carry_no_personal_data(demo: tuple[Path, PlanningSummary]) -> None:
    """Every cell is a date, an agency or service id of the package, a need, an area or an outcome; the
    loader's scan finds nothing in the cells it scans (ids the graph holds are exempt: a random UUID
    can end like a health-card number, `…-1192703757fd`)."""
    package, summary = demo
    with summary.referrals_path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert tuple(header) == REFERRAL_COLUMNS
    assert [c for c in header if personal_data_kind(c)] == []
    ids = {r["id"] for r in _rows(package / "organizations.csv")} | {r["id"] for r in _rows(package / "services.csv")}
    areas = {f"{AREAS_DATASET}:{w.key}" for w in city.WARDS}
    for date, sender, recipient, need, area, outcome in rows:
        assert re.fullmatch(r"2025-\d\d-\d\d", date) and sender in ids and recipient in ids | {""}
        assert need in TERMS_BY_ID and area in areas and re.fullmatch(r"referred|unmet:[a-z-]+", outcome)
        assert not any(personal_value_kind(cell) for cell in (date, need, area, outcome))


def test_referrals_span_twelve_months_of_known_needs_mostly_referred(demo: tuple[Path, PlanningSummary]) -> None:
    _, summary = demo
    rows = _rows(summary.referrals_path)
    assert sorted({r["date"][:7] for r in rows}) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert {r["need_code"] for r in rows} <= set(TERMS_BY_ID)
    outcomes = Counter(r["outcome"] for r in rows)
    assert outcomes["referred"] > 0.8 * len(rows)
    assert {"unmet:waitlist", "unmet:not-eligible", "unmet:no-service"} <= set(outcomes)
    assert all(not r["to_org_or_service"] for r in rows if r["outcome"] == "unmet:no-service")


def test_unmet_needs_concentrate_in_the_two_underserved_wards(demo: tuple[Path, PlanningSummary]) -> None:
    _, summary = demo
    rows = _rows(summary.referrals_path)
    events = Counter(r["area_id"] for r in rows)
    unmet = Counter(r["area_id"] for r in rows if r["outcome"] != "referred")
    rate = {area: unmet[area] / events[area] for area in events}
    worst = sorted(rate, key=rate.__getitem__, reverse=True)
    assert set(worst[:2]) == {f"{AREAS_DATASET}:{key}" for key in summary.underserved}
    assert rate[worst[1]] > 2.5 * rate[worst[2]]


def test_some_monthly_need_counts_fall_below_the_suppression_threshold_and_many_do_not(
    referrals: ReferralsResult,
) -> None:
    counts = [n["props"]["count"] for n in referrals.plan.nodes["NeedCount"].values()]
    small = sum(c < SUPPRESSED_BELOW for c in counts)
    shown = [c for c in counts if c >= SUPPRESSED_BELOW]
    assert small > 100 and len(shown) > 100
    assert sum(shown) > 0.2 * sum(counts)


# --- the scalable planning graph ----------------------------------------------------------------------------

def test_the_scale_generator_writes_the_asked_counts_and_the_loaders_read_them(tmp_path: Path) -> None:
    summary = generate_planning_graph_files(tmp_path, organizations=300, ties=1200, services=3000, areas=37,
                                            referrals=800)
    assert (summary.organizations, summary.services, summary.areas, summary.ties, summary.referrals) == (
        300, 3000, 37, 1200, 800)
    hsds = parse_hsds(tmp_path)
    assert not hsds.report.problems
    assert hsds.plan.counts()["Organization"] == 300 and hsds.plan.counts()["Service"] == 3000
    assert hsds.plan.counts()["Location"] == summary.locations
    locations = [(r["id"], float(r["latitude"]), float(r["longitude"])) for r in _rows(tmp_path / "locations.csv")]
    areas = parse_areas(summary.areas_path, namespace=AREAS_DATASET, locations=locations)
    assert not areas.report.problems
    assert len(areas.plan.nodes["Area"]) == 37
    assert areas.plan.counts()["IN_AREA"] == len(locations)  # every site in exactly one cell
    directory = _directory(tmp_path, areas.shapes)
    ties = parse_ties(summary.ties_path, namespace="bench-ties", directory=directory)
    assert not ties.report.errors
    assert ties.records == 1200 and ties.plan.relationship_count() == 1200  # no two rows are the same tie
    events = parse_referrals(summary.referrals_path, namespace="bench-referrals", directory=directory)
    assert not events.report.problems and events.records == 800


def test_the_scale_cells_tile_the_city_bounding_box_and_house_its_population(tmp_path: Path) -> None:
    summary = generate_planning_graph_files(tmp_path, organizations=20, ties=30, services=40, areas=500)
    features = json.loads(summary.areas_path.read_text(encoding="utf-8"))["features"]
    cells = [shape(f["geometry"]) for f in features]
    bbox = box(*city.CITY_BBOX)
    assert len(cells) == 500
    assert shapely.union_all(cells).symmetric_difference(bbox).area < 1e-9
    assert sum(c.area for c in cells) == pytest.approx(bbox.area, rel=1e-6)  # no overlaps
    widths = [(c.bounds[2] - c.bounds[0]) * 0.716 / (c.bounds[3] - c.bounds[1]) for c in cells]
    assert min(widths) > 0.7 and max(widths) < 1.4  # square-ish on the ground
    populations = [f["properties"]["population"] for f in features]
    assert min(populations) > 0 and sum(populations) == pytest.approx(city.POPULATION, rel=0.02)


def test_the_scale_generator_is_deterministic_by_seed(tmp_path: Path) -> None:
    def files(folder: Path) -> dict[str, bytes]:
        return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        generate_planning_graph_files(tmp_path / name, organizations=50, ties=120, services=200, areas=10, seed=seed)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a")["planning/ties.csv"] != files(tmp_path / "c")["planning/ties.csv"]


def test_the_scale_generator_refuses_sizes_it_cannot_make(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 14"):
        generate_planning_graph_files(tmp_path, organizations=5)
    with pytest.raises(ValueError, match="distinct ties"):
        generate_planning_graph_files(tmp_path, organizations=14, ties=10_000, services=14, areas=1)


def test_the_ties_header_is_the_loaders(demo: tuple[Path, PlanningSummary]) -> None:
    _, summary = demo
    with summary.ties_path.open(encoding="utf-8", newline="") as handle:
        assert tuple(next(csv.reader(handle))) == TIE_COLUMNS
