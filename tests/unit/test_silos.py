"""Unlinked overlap (silo pairs, cell counts) and sector gaps (analytics.silos), against answers worked by hand."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.silos import (
    CellCount,
    OrganizationReach,
    SectorGap,
    SiloPair,
    SiloReport,
    referral_cooccurrence,
    sector_gaps,
    shared_need_cooccurrence,
    unlinked_overlaps,
)


def _org(org_id: str, *cells: str, populations: Iterable[str] = (), sector: str | None = None) -> OrganizationReach:
    """An organization whose cells are written "need@area"."""
    return OrganizationReach(
        id=org_id, name=f"Name of {org_id}", sector=sector,
        cells=frozenset((cell.split("@")[0], cell.split("@")[1]) for cell in cells),
        populations=frozenset(populations),
    )


def _links(*edges: tuple[str, str]) -> Callable[[str], Collection[str]]:
    """A stand-in for the network's BFS: each edge (x, y) puts y within reach of x only."""
    def linked_within(org_id: str) -> list[str]:
        return [y for x, y in edges if x == org_id]
    return linked_within


NO_LINKS = _links()


def _ids(report: SiloReport) -> list[tuple[str, str]]:
    return [(pair.a, pair.b) for pair in report.pairs]


# --- silo pairs --------------------------------------------------------------------------------------------------

def test_two_organizations_meeting_the_same_need_in_the_same_area_without_a_link_are_a_silo_pair() -> None:
    food_bank = _org("org-food", "food@ward-1", "food@ward-2", sector="food")
    pantry = _org("org-church", "food@ward-1", "housing@ward-1", sector="faith")
    report = unlinked_overlaps([pantry, food_bank], linked_within=NO_LINKS)
    assert report.pairs == (SiloPair(
        a="org-church", b="org-food", a_name="Name of org-church", b_name="Name of org-food",
        a_sector="faith", b_sector="food", shared_needs=("food",), shared_areas=("ward-1",),
        shared_cells=1, overlap=1,
    ),)
    assert (report.total_pairs, report.overlapping_pairs) == (1, 1)


def test_a_pair_linked_within_max_hops_is_no_silo_but_still_overlaps() -> None:
    orgs = [_org("a", "food@ward-1"), _org("b", "food@ward-1")]
    report = unlinked_overlaps(orgs, linked_within=_links(("a", "b")))
    assert report.pairs == ()
    assert (report.total_pairs, report.overlapping_pairs) == (0, 1)


def test_a_link_seen_from_either_side_counts() -> None:
    orgs = [_org("a", "food@ward-1"), _org("b", "food@ward-1")]
    assert unlinked_overlaps(orgs, linked_within=_links(("b", "a"))).pairs == ()


def test_links_to_organizations_outside_the_overlap_do_not_hide_a_pair() -> None:
    orgs = [_org("a", "food@ward-1"), _org("b", "food@ward-1"), _org("c", "legal@ward-9")]
    report = unlinked_overlaps(orgs, linked_within=_links(("a", "c"), ("b", "c"), ("a", "outsider"), ("a", "a")))
    assert _ids(report) == [("a", "b")]


def test_the_same_need_in_different_areas_or_different_needs_in_one_area_are_no_overlap() -> None:
    orgs = [_org("a", "food@ward-1"), _org("b", "food@ward-2"), _org("c", "housing@ward-1")]
    report = unlinked_overlaps(orgs, linked_within=NO_LINKS)
    assert (report.pairs, report.total_pairs, report.overlapping_pairs, report.cells) == ((), 0, 0, ())


def test_pairs_rank_by_shared_needs_times_shared_areas_then_shared_cells_then_ids() -> None:
    orgs = [
        _org("h", "meals@w1", "meals@w2", "meals@w3"),
        _org("c", "food@w1", "housing@w2"),
        _org("b", "food@w1", "food@w2", "housing@w1", "housing@w2"),
        _org("g", "meals@w1", "meals@w2", "meals@w3"),
        _org("a", "food@w1", "food@w2", "housing@w1", "housing@w2"),
    ]
    report = unlinked_overlaps(orgs, linked_within=NO_LINKS)
    # a-b: 2 needs x 2 areas = 4 from 4 cells; a-c and b-c: 4 from only 2 cells; g-h: 1 need x 3 areas = 3 from 3 cells.
    assert _ids(report) == [("a", "b"), ("a", "c"), ("b", "c"), ("g", "h")]
    assert [(p.overlap, p.shared_cells) for p in report.pairs] == [(4, 4), (4, 2), (4, 2), (3, 3)]
    a_c = report.pairs[1]
    assert (a_c.shared_needs, a_c.shared_areas) == (("food", "housing"), ("w1", "w2"))


def test_max_pairs_truncates_the_list_but_the_total_counts_every_pair() -> None:
    orgs = [_org(x, "food@w1") for x in "dcba"]
    full = unlinked_overlaps(orgs, linked_within=NO_LINKS)
    assert (len(full.pairs), full.total_pairs) == (6, 6)
    report = unlinked_overlaps(orgs, linked_within=NO_LINKS, max_pairs=2)
    assert _ids(report) == [("a", "b"), ("a", "c")] and report.total_pairs == 6
    assert report.cells == full.cells
    assert unlinked_overlaps(orgs, linked_within=NO_LINKS, max_pairs=0).pairs == ()


def test_a_negative_max_pairs_or_a_repeated_organization_is_refused() -> None:
    with pytest.raises(ValueError, match="max_pairs"):
        unlinked_overlaps([], linked_within=NO_LINKS, max_pairs=-1)
    with pytest.raises(ValueError, match="'a' is listed twice"):
        unlinked_overlaps([_org("a", "food@w1"), _org("a", "food@w2")], linked_within=NO_LINKS)


# --- cell counts -------------------------------------------------------------------------------------------------

def test_cell_counts_give_organizations_pairs_and_siloed_pairs_most_siloed_first() -> None:
    orgs = [
        _org("a", "food@w1", "shelter@w1", "beds@w1", "zinc@w0"),
        _org("b", "food@w1", "shelter@w1", "beds@w1", "zinc@w0"),
        _org("c", "food@w1", "housing@w2"),
        _org("d", "housing@w2", "food@w2"),
    ]
    report = unlinked_overlaps(orgs, linked_within=_links(("a", "b")))
    assert report.cells == (
        CellCount("food", "w1", organizations=3, pairs=3, siloed_pairs=2, linked_pairs=1),  # a-c, b-c; a-b linked
        CellCount("housing", "w2", organizations=2, pairs=1, siloed_pairs=1, linked_pairs=0),
        CellCount("zinc", "w0", organizations=2, pairs=1, siloed_pairs=0, linked_pairs=1),  # then area, then need
        CellCount("beds", "w1", organizations=2, pairs=1, siloed_pairs=0, linked_pairs=1),
        CellCount("shelter", "w1", organizations=2, pairs=1, siloed_pairs=0, linked_pairs=1),
    )  # food@w2 holds one organization: not listed


# --- same population ---------------------------------------------------------------------------------------------

def test_with_same_population_disjoint_populations_are_left_out_and_no_populations_means_everyone() -> None:
    orgs = [
        _org("youth", "food@w1", populations={"pop:youth"}),
        _org("seniors", "food@w1", populations={"pop:seniors"}),
        _org("anyone", "food@w1"),
        _org("young-seniors", "food@w2", populations={"pop:seniors", "pop:youth"}),
        _org("youth-2", "food@w2", populations={"pop:youth"}),
    ]
    report = unlinked_overlaps(orgs, linked_within=NO_LINKS, same_population=True)
    assert _ids(report) == [("anyone", "seniors"), ("anyone", "youth"), ("young-seniors", "youth-2")]
    assert (report.total_pairs, report.overlapping_pairs) == (3, 3)
    assert report.cells[0] == CellCount("food", "w1", organizations=3, pairs=3, siloed_pairs=2, linked_pairs=None)
    assert unlinked_overlaps(orgs, linked_within=NO_LINKS).total_pairs == 4


def test_with_same_population_a_linked_compatible_pair_still_counts_as_overlapping() -> None:
    orgs = [_org("a", "food@w1", populations={"p"}), _org("b", "food@w1", populations={"p", "q"})]
    report = unlinked_overlaps(orgs, linked_within=_links(("a", "b")), same_population=True)
    assert (report.total_pairs, report.overlapping_pairs, report.cells[0].siloed_pairs) == (0, 1, 0)


# --- the network is asked once per organization --------------------------------------------------------------------

def test_linked_within_is_asked_once_per_organization_and_only_for_overlapping_ones() -> None:
    calls: Counter[str] = Counter()
    inner = _links(("b", "c"))

    def counting(org_id: str) -> Collection[str]:
        calls[org_id] += 1
        return inner(org_id)

    orgs = [
        _org("a", "food@w1", "food@w2", "housing@w1"),
        _org("b", "food@w1", "food@w2", "housing@w1"),
        _org("c", "food@w1", "housing@w1"),
        _org("alone", "legal@w1"),
        _org("apart", "meals@w9", populations={"pop:other"}),  # overlaps youth, but serves nobody youth serves
        _org("youth", "meals@w9", populations={"pop:youth"}),
    ]
    report = unlinked_overlaps(orgs, linked_within=counting, same_population=True)
    assert calls == {"a": 1, "b": 1, "c": 1}  # each is in two pairs
    assert _ids(report) == [("a", "b"), ("a", "c")]


# --- property: the bucketed computation agrees with a brute force over all pairs --------------------------------

IDS = [f"o{k}" for k in range(7)]
CELLS = st.tuples(st.sampled_from(["n0", "n1", "n2"]), st.sampled_from(["a0", "a1", "a2"]))


@st.composite
def _scenarios(draw: st.DrawFn) -> tuple[list[OrganizationReach], set[tuple[str, str]]]:
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=len(IDS)))
    orgs = [
        OrganizationReach(
            id=org_id, name=f"Name {org_id}", sector=draw(st.sampled_from([None, "s1", "s2"])),
            cells=frozenset(draw(st.lists(CELLS, max_size=5))),
            populations=frozenset(draw(st.lists(st.sampled_from(["p0", "p1", "p2"]), max_size=2))),
        )
        for org_id in ids
    ]
    ends = st.sampled_from([*IDS, "outsider"])
    return orgs, draw(st.sets(st.tuples(ends, ends), max_size=12))


def _brute_force(orgs: list[OrganizationReach], links: set[tuple[str, str]], *, same_population: bool,
                 max_pairs: int | None) -> SiloReport:
    pairs: list[SiloPair] = []
    compatible_count = 0
    for a, b in combinations(sorted(orgs, key=lambda o: o.id), 2):
        shared = a.cells & b.cells
        if not shared:
            continue
        if same_population and a.populations and b.populations and not a.populations & b.populations:
            continue
        compatible_count += 1
        if (a.id, b.id) in links or (b.id, a.id) in links:
            continue
        needs, areas = sorted({n for n, _ in shared}), sorted({r for _, r in shared})
        pairs.append(SiloPair(a.id, b.id, a.name, b.name, a.sector, b.sector, tuple(needs), tuple(areas),
                              len(shared), len(needs) * len(areas)))
    pairs.sort(key=lambda p: (-p.overlap, -p.shared_cells, p.a, p.b))
    cells = []
    for cell in {c for org in orgs for c in org.cells}:
        holders = [org.id for org in orgs if cell in org.cells]
        if len(holders) < 2:
            continue
        total = len(holders) * (len(holders) - 1) // 2
        siloed = sum(1 for p in pairs if p.a in holders and p.b in holders)
        linked = None if same_population else total - siloed
        cells.append(CellCount(cell[0], cell[1], len(holders), total, siloed, linked))
    cells.sort(key=lambda c: (-c.siloed_pairs, c.area, c.need))
    kept = pairs if max_pairs is None else pairs[:max_pairs]
    return SiloReport(tuple(kept), len(pairs), compatible_count, tuple(cells))


@settings(max_examples=200, deadline=None)
@given(_scenarios(), st.booleans(), st.one_of(st.none(), st.integers(0, 8)))
def test_the_bucketed_computation_matches_a_brute_force_over_all_pairs(
    scenario: tuple[list[OrganizationReach], set[tuple[str, str]]], same_population: bool, max_pairs: int | None,
) -> None:
    orgs, links = scenario
    calls: Counter[str] = Counter()

    def linked_within(org_id: str) -> list[str]:
        calls[org_id] += 1
        return [y for x, y in links if x == org_id]

    report = unlinked_overlaps(orgs, linked_within=linked_within, same_population=same_population, max_pairs=max_pairs)
    assert report == _brute_force(orgs, links, same_population=same_population, max_pairs=max_pairs)
    assert all(count == 1 for count in calls.values())


# --- sector gaps -------------------------------------------------------------------------------------------------

SECTORS: dict[str, str | None] = {
    "h1": "health", "h2": "health", "s1": "shelter", "f1": "food", "f2": "food", "f3": "food", "x": None,
}
TIES = [("h1", "s1"), ("s1", "h1"), ("h1", "h2"), ("h1", "f1"), ("h2", "f1"), ("f2", "h1"), ("x", "s1"),
        ("s1", "ghost")]


def test_sector_gaps_count_distinct_cross_sector_ties_against_co_occurrence_fewest_per_unit_first() -> None:
    gaps = sector_gaps(SECTORS, TIES, {
        ("food", "health"): 4.0, ("health", "shelter"): 2.0, ("shelter", "food"): 3.0,
        ("food", "legal"): 1.0, ("health", "legal"): 0.0, ("aa", "zz"): 1.0,
    })
    assert gaps == [
        SectorGap("food", "shelter", 3, 1, 3.0, ties=0, possible=3, tie_density=0.0, ties_per_cooccurrence=0.0),
        SectorGap("aa", "zz", 0, 0, 1.0, ties=0, possible=0, tie_density=None, ties_per_cooccurrence=0.0),
        SectorGap("food", "legal", 3, 0, 1.0, ties=0, possible=0, tie_density=None, ties_per_cooccurrence=0.0),
        # h1-s1 given in both directions counts once; x (unknown sector) and ghost (not listed) are left out
        SectorGap("health", "shelter", 2, 1, 2.0, ties=1, possible=2, tie_density=0.5, ties_per_cooccurrence=0.5),
        # h1-f1, h2-f1, f2-h1; h1-h2 is within one sector
        SectorGap("food", "health", 3, 2, 4.0, ties=3, possible=6, tie_density=0.5, ties_per_cooccurrence=0.75),
        SectorGap("health", "legal", 2, 0, 0.0, ties=0, possible=0, tie_density=None, ties_per_cooccurrence=None),
    ]


def test_sector_gaps_refuse_a_pair_given_twice_a_sector_with_itself_or_a_negative_strength() -> None:
    with pytest.raises(ValueError, match="both orders"):
        sector_gaps(SECTORS, TIES, {("food", "health"): 1.0, ("health", "food"): 2.0})
    with pytest.raises(ValueError, match="with itself"):
        sector_gaps(SECTORS, TIES, {("food", "food"): 1.0})
    with pytest.raises(ValueError, match="≥ 0"):
        sector_gaps(SECTORS, TIES, {("food", "health"): -1.0})
    with pytest.raises(ValueError, match="≥ 0"):
        sector_gaps(SECTORS, TIES, {("food", "health"): float("nan")})


def test_only_sector_pairs_given_a_co_occurrence_are_reported() -> None:
    assert sector_gaps(SECTORS, TIES, {}) == []


def test_shared_need_co_occurrence_counts_the_needs_both_sectors_address() -> None:
    assert shared_need_cooccurrence({
        "health": {"food", "mental"}, "food": ["food"], "shelter": {"housing", "mental", "food"}, "legal": {"tax"},
    }) == {("food", "health"): 1.0, ("food", "shelter"): 1.0, ("health", "shelter"): 2.0}


def test_referral_co_occurrence_adds_both_directions_and_skips_same_sector_and_unknown_rows() -> None:
    flows = [("health", "shelter", 3), ("shelter", "health", 2), ("health", "health", 9), (None, "food", 4),
             ("food", None, 1), ("food", "health", 0), ("food", "legal", 1)]
    assert referral_cooccurrence(flows) == {("health", "shelter"): 5.0, ("food", "legal"): 1.0}
    with pytest.raises(ValueError, match="≥ 0"):
        referral_cooccurrence([("food", "health", -1)])
