"""Silos: organizations that do the same work in the same places without being linked, and sector gaps.

Definitions (copied into docs/analytics.md):

**Cell.** A (need, area) pair: a need (a taxonomy term, already rolled up to the level the planner chose)
and an area. An organization *covers* a cell when one of its services addresses that need and reaches
that area.

**Overlapping pair.** Two different organizations that cover at least one cell in common. With
`same_population`, they must also serve a common population: they share a population term, or at least
one of them has no population terms at all. An organization with no population terms serves everyone,
so it is compatible with every other organization.

**Linked.** Two organizations are linked when one is within `maxHops` ties of the other in the agency
network: `b` is among the organizations `linked_within(a)` returns, or `a` among those of `b`
(the caller binds `maxHops`; for an undirected network the two tests agree).

**Silo pair (unlinked overlap).** An overlapping pair that is not linked. Its evidence: the shared
cells, the needs and areas those cells involve, and
`overlap = number of shared needs x number of shared areas` (the span of the shared work; it is at
least the number of shared cells and equals it when every shared need is met in every shared area).
Pairs are ranked by overlap (largest first), then by shared cells, then by the two ids. The report
also gives `total_pairs` (all silo pairs, however many are listed) and `overlapping_pairs`; the
difference is the number of overlapping pairs that are linked.

**Cell counts.** For every cell covered by two or more organizations: `organizations` covering it,
`pairs` = n(n-1)/2 among them, `siloed_pairs` = those pairs that are silo pairs (so, with
`same_population`, population-compatible as well as unlinked), and `linked_pairs` = pairs - siloed_pairs.
Without `same_population` every pair in a cell is either linked or siloed, so the two add up. With
`same_population` the remainder also holds population-incompatible pairs, which are not known to be
linked, so `linked_pairs` is not reported (None). Cells are ordered by siloed pairs (most first), then
area, then need.

**Sector gap.** For two different sectors whose work co-occurs (how strongly is the caller's measure:
e.g. referrals between them, or needs both address), `ties` counts the pairs of organizations, one in
each sector, joined by at least one tie (several ties between the same two organizations count once;
organizations of unknown sector are left out). `possible` = organizations in a x organizations in b,
`tie_density` = ties / possible (None when possible is 0) and `ties_per_cooccurrence` =
ties / cooccurrence (None when cooccurrence is 0). Gaps are ordered by ties per unit of co-occurrence,
fewest first (None last), then by co-occurrence (largest first), then by the sector names.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Cell = tuple[str, str]  # (need key, area id)
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class OrganizationReach:
    """What an organization's services address and reach; `populations` empty means everyone."""

    id: str
    name: str
    sector: str | None
    cells: frozenset[Cell]
    populations: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SiloPair:
    """Two overlapping, unlinked organizations (a < b) and the evidence of their overlap."""

    a: str
    b: str
    a_name: str
    b_name: str
    a_sector: str | None
    b_sector: str | None
    shared_needs: tuple[str, ...]
    shared_areas: tuple[str, ...]
    shared_cells: int
    overlap: int


@dataclass(frozen=True, slots=True)
class CellCount:
    """Pairs among the organizations covering one (need, area) cell; `linked_pairs` None with same_population."""

    need: str
    area: str
    organizations: int
    pairs: int
    siloed_pairs: int
    linked_pairs: int | None


@dataclass(frozen=True, slots=True)
class SiloReport:
    """Silo pairs (ranked, perhaps truncated), how many there are in all, and per-cell counts."""

    pairs: tuple[SiloPair, ...]
    total_pairs: int
    overlapping_pairs: int
    cells: tuple[CellCount, ...]


@dataclass(frozen=True, slots=True)
class SectorGap:
    """Ties between two sectors against how strongly their work co-occurs (sector_a < sector_b)."""

    sector_a: str
    sector_b: str
    organizations_a: int
    organizations_b: int
    cooccurrence: float
    ties: int
    possible: int
    tie_density: float | None
    ties_per_cooccurrence: float | None


def unlinked_overlaps(
    organizations: Sequence[OrganizationReach],
    *,
    linked_within: Callable[[str], Collection[str]],
    same_population: bool = False,
    max_pairs: int | None = None,
) -> SiloReport:
    """Silo pairs and cell counts (see the module docstring).

    `linked_within(id)` is called at most once per organization, and only for organizations in an
    overlapping pair. Pairs are enumerated from cell buckets, so the work is quadratic only within a cell;
    ids and cells are integer-encoded and the per-pair work is vectorised. Listing every pair costs a few
    microseconds per pair (hundreds of thousands in a large community): pass `max_pairs` for a page.
    """
    if max_pairs is not None and max_pairs < 0:
        raise ValueError("max_pairs must be ≥ 0 (or None for all pairs)")
    orgs = sorted(organizations, key=lambda o: o.id)  # index order = id order, so i < j means a < b
    for before, after in zip(orgs, orgs[1:], strict=False):
        if before.id == after.id:
            raise ValueError(f"organization {before.id!r} is listed twice; merge its cells first")
    n = max(len(orgs), 1)  # pair key = i * n + j

    cell_index: dict[Cell, int] = {}
    member_org: list[int] = []
    member_cell: list[int] = []
    for i, org in enumerate(orgs):
        for cell in org.cells:
            member_org.append(i)
            member_cell.append(cell_index.setdefault(cell, len(cell_index)))
    cells = list(cell_index)
    size = np.bincount(np.array(member_cell, dtype=np.int64), minlength=len(cells))

    first, second, pair_cell = _pairs_in_cells(np.array(member_org, dtype=np.int64),
                                               np.array(member_cell, dtype=np.int64), size)
    pairs = _group_pairs(first * n + second, pair_cell, cells)
    pair_a, pair_b = np.divmod(pairs.keys, n)

    if same_population:
        compatible = _share_population(pair_a, pair_b, [org.populations for org in orgs])
    else:
        compatible = np.ones(len(pairs.keys), dtype=bool)
    linked = _linked(pairs.keys[compatible], n, orgs, linked_within)
    siloed = compatible.copy()
    siloed[compatible] = ~linked

    silo_index = np.flatnonzero(siloed)
    ranked = silo_index[np.lexsort((pairs.keys[silo_index], -pairs.cell_count[silo_index],
                                    -pairs.overlap[silo_index]))]
    kept = ranked if max_pairs is None else ranked[:max_pairs]
    counts = pairs.cell_count[kept]
    ends = np.cumsum(counts)
    shift = np.repeat(pairs.start[kept] - (ends - counts), counts)  # kept pairs' shared cells, one run per pair
    kept_cells = pairs.cell[shift + np.arange(len(shift))].tolist()
    silo_pairs = tuple(
        _silo_pair(orgs[a], orgs[b], [cells[c] for c in kept_cells[end - count:end]], overlap)
        for a, b, count, end, overlap in zip(pair_a[kept].tolist(), pair_b[kept].tolist(), counts.tolist(),
                                             ends.tolist(), pairs.overlap[kept].tolist(), strict=True)
    )

    siloed_per_cell = np.bincount(pairs.cell[siloed[pairs.pair_of]], minlength=len(cells)).tolist()
    cell_counts = []
    for c in np.flatnonzero(size >= 2).tolist():
        need, area = cells[c]
        members = int(size[c])
        total = members * (members - 1) // 2
        silo_count = siloed_per_cell[c]
        cell_counts.append(CellCount(need, area, members, total, silo_count,
                                     None if same_population else total - silo_count))
    cell_counts.sort(key=lambda c: (-c.siloed_pairs, c.area, c.need))
    return SiloReport(pairs=silo_pairs, total_pairs=len(silo_index), overlapping_pairs=int(compatible.sum()),
                      cells=tuple(cell_counts))



def _pairs_in_cells(member_org: Ints, member_cell: Ints, size: Ints) -> tuple[Ints, Ints, Ints]:
    """Every (first org, second org, cell) with first < second both covering the cell, one bucket size at a time."""
    order = np.lexsort((member_org, member_cell))  # by cell, then organization
    org_sorted = member_org[order]
    bucket_start = np.cumsum(size) - size
    firsts, seconds, pair_cells = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)], [
        np.empty(0, dtype=np.int64)]
    for bucket_size in _distinct(size[size >= 2]).tolist():
        buckets = np.flatnonzero(size == bucket_size)
        x, y = np.triu_indices(bucket_size, 1)
        base = bucket_start[buckets][:, None]
        firsts.append(org_sorted[(base + x).ravel()])
        seconds.append(org_sorted[(base + y).ravel()])
        pair_cells.append(np.repeat(buckets, len(x)))
    return np.concatenate(firsts), np.concatenate(seconds), np.concatenate(pair_cells)


@dataclass(frozen=True, slots=True)
class _Pairs:
    """Distinct pairs (`keys`, ascending) and their shared cells grouped by pair (`cell[start:start+cell_count]`)."""

    keys: Ints
    start: Ints
    cell_count: Ints
    overlap: Ints
    cell: Ints  # shared cells, grouped by pair
    pair_of: Ints  # for each entry of `cell`, the index of its pair


def _group_pairs(keys: Ints, pair_cell: Ints, cells: list[Cell]) -> _Pairs:
    order = np.argsort(keys, kind="stable")
    sorted_keys, grouped_cells = keys[order], pair_cell[order]
    new = np.ones(len(sorted_keys), dtype=bool)
    new[1:] = sorted_keys[1:] != sorted_keys[:-1]
    start = np.flatnonzero(new)
    pair_of = np.cumsum(new) - 1
    cell_count = np.diff(np.append(start, len(sorted_keys)))
    needs = {need: k for k, need in enumerate(sorted({need for need, _ in cells}))}
    areas = {area: k for k, area in enumerate(sorted({area for _, area in cells}))}
    cell_need = np.array([needs[need] for need, _ in cells], dtype=np.int64)
    cell_area = np.array([areas[area] for _, area in cells], dtype=np.int64)
    overlap = (_distinct_per_pair(pair_of, cell_need[grouped_cells], len(needs), len(start))
               * _distinct_per_pair(pair_of, cell_area[grouped_cells], len(areas), len(start)))
    return _Pairs(sorted_keys[start], start, cell_count, overlap, grouped_cells, pair_of)


def _distinct_per_pair(pair_of: Ints, value: Ints, values: int, pairs: int) -> Ints:
    distinct = _distinct(pair_of * max(values, 1) + value)
    return np.bincount(distinct // max(values, 1), minlength=pairs)


def _distinct(values: Ints) -> Ints:
    """Sorted distinct values (np.unique's hash path is several times slower on these int arrays)."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def _share_population(pair_a: Ints, pair_b: Ints, populations: list[frozenset[str]]) -> npt.NDArray[np.bool_]:
    """True where a pair shares a population term or either side serves everyone (bit masks, 64 terms a word)."""
    terms = {term: k for k, term in enumerate(sorted(set().union(*populations)))}
    masks = np.zeros((len(populations), max(1, -(-len(terms) // 64))), dtype=np.uint64)
    for i, held in enumerate(populations):
        for term in held:
            word, bit = divmod(terms[term], 64)
            masks[i, word] |= np.uint64(1 << bit)
    everyone = np.array([not held for held in populations], dtype=bool)
    result: npt.NDArray[np.bool_] = everyone[pair_a] | everyone[pair_b]
    for word in range(masks.shape[1]):
        result |= (masks[pair_a, word] & masks[pair_b, word]) != 0
    return result


def _linked(keys: Ints, n: int, orgs: list[OrganizationReach],
            linked_within: Callable[[str], Collection[str]]) -> npt.NDArray[np.bool_]:
    """For each pair key, whether either side lists the other; one call per organization in the pairs.
    Each side's list is only probed for the pair's other id (a 2-hop neighbourhood can hold thousands)."""
    first, second = np.divmod(keys, n)
    near: dict[int, Collection[str]] = {}
    for i in _distinct(np.concatenate((first, second))).tolist():
        found = linked_within(orgs[i].id)
        near[i] = found if isinstance(found, (set, frozenset, dict)) else set(found)
    result = np.fromiter((orgs[j].id in near[i] or orgs[i].id in near[j]
                          for i, j in zip(first.tolist(), second.tolist(), strict=True)),
                         dtype=bool, count=len(keys))
    return result


def _silo_pair(a: OrganizationReach, b: OrganizationReach, cells: list[Cell], overlap: int) -> SiloPair:
    return SiloPair(
        a=a.id, b=b.id, a_name=a.name, b_name=b.name, a_sector=a.sector, b_sector=b.sector,
        shared_needs=tuple(sorted({need for need, _ in cells})),
        shared_areas=tuple(sorted({area for _, area in cells})),
        shared_cells=len(cells), overlap=overlap,
    )


def sector_gaps(
    sectors: Mapping[str, str | None],
    ties: Iterable[tuple[str, str]],
    cooccurrence: Mapping[tuple[str, str], float],
) -> list[SectorGap]:
    """Ties across each co-occurring sector pair (see the module docstring).

    `sectors` maps organization id to sector (None = unknown, left out). `ties` are the network's
    undirected ties; ties touching an organization not in `sectors`, or of unknown sector, are skipped.
    `cooccurrence` keys are sector pairs; a key given as (b, a) is read as (a, b), and a ValueError is
    raised when both orders are given, when a sector is paired with itself, or for a negative or NaN value.
    """
    wanted = _normalised(cooccurrence)
    members: dict[str, int] = {}
    for sector in sectors.values():
        if sector is not None:
            members[sector] = members.get(sector, 0) + 1

    seen: set[tuple[str, str]] = set()
    tie_counts: dict[tuple[str, str], int] = {}
    for x, y in ties:
        sector_x, sector_y = sectors.get(x), sectors.get(y)
        if sector_x is None or sector_y is None or sector_x == sector_y:
            continue
        pair = (x, y) if x < y else (y, x)
        if pair in seen:
            continue
        seen.add(pair)
        key = (sector_x, sector_y) if sector_x < sector_y else (sector_y, sector_x)
        tie_counts[key] = tie_counts.get(key, 0) + 1

    gaps = []
    for (a, b), strength in wanted.items():
        n_a, n_b = members.get(a, 0), members.get(b, 0)
        count = tie_counts.get((a, b), 0)
        possible = n_a * n_b
        gaps.append(SectorGap(
            sector_a=a, sector_b=b, organizations_a=n_a, organizations_b=n_b, cooccurrence=strength,
            ties=count, possible=possible, tie_density=count / possible if possible else None,
            ties_per_cooccurrence=count / strength if strength else None,
        ))
    gaps.sort(key=lambda g: (g.ties_per_cooccurrence is None, g.ties_per_cooccurrence or 0.0,
                             -g.cooccurrence, g.sector_a, g.sector_b))
    return gaps


def _normalised(cooccurrence: Mapping[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    result: dict[tuple[str, str], float] = {}
    for (a, b), value in cooccurrence.items():
        if a == b:
            raise ValueError(f"co-occurrence of sector {a!r} with itself: a gap needs two different sectors")
        if math.isnan(value) or value < 0:
            raise ValueError(f"co-occurrence of ({a!r}, {b!r}) must be a number ≥ 0, got {value!r}")
        key = (a, b) if a < b else (b, a)
        if key in result:
            raise ValueError(f"co-occurrence of {key!r} is given in both orders; give each sector pair once")
        result[key] = value
    return result


def shared_need_cooccurrence(needs_by_sector: Mapping[str, Collection[str]]) -> dict[tuple[str, str], float]:
    """(sector a, sector b), a < b -> number of needs both address; pairs sharing no need are left out."""
    needs = {sector: frozenset(keys) for sector, keys in needs_by_sector.items()}
    names = sorted(needs)
    result: dict[tuple[str, str], float] = {}
    for x, a in enumerate(names):
        for b in names[x + 1:]:
            common = len(needs[a] & needs[b])
            if common:
                result[(a, b)] = float(common)
    return result


def referral_cooccurrence(flows: Iterable[tuple[str | None, str | None, int]]) -> dict[tuple[str, str], float]:
    """(sector a, sector b), a < b -> referrals between them in either direction.

    Rows are (from sector, to sector, count); rows within one sector or with an unknown sector are
    skipped, a negative count raises ValueError, and pairs totalling zero are left out.
    """
    result: dict[tuple[str, str], float] = {}
    for source, target, count in flows:
        if count < 0:
            raise ValueError(f"referral count from {source!r} to {target!r} must be ≥ 0, got {count}")
        if source is None or target is None or source == target:
            continue
        key = (source, target) if source < target else (target, source)
        result[key] = result.get(key, 0.0) + count
    return {key: value for key, value in result.items() if value}
