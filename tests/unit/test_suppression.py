"""Small-count suppression: primary cells, complements, totals, and that nothing hidden can be worked out."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.suppression import (
    SUPPRESSED,
    ZERO,
    Cell,
    Group,
    TableKey,
    over_quarters,
    rounded_up,
    share,
    suppress,
    suppress_list,
    suppress_table,
)


def test_counts_from_one_to_four_are_suppressed_and_zero_and_five_are_shown() -> None:
    out = suppress({"a": 0, "b": 1, "c": 4, "d": 5}, [])
    assert out == {"a": Cell(0, False), "b": SUPPRESSED, "c": SUPPRESSED, "d": Cell(5, False)}


def test_a_lone_suppressed_cell_beside_a_total_gets_the_smallest_nonzero_cell_as_its_complement() -> None:
    cells, total = suppress_list([3, 40, 12, 0, 9])
    assert [c.suppressed for c in cells] == [True, False, False, False, True]  # 3 hidden, then 9 (not the 0)
    assert total == Cell(64, False)


def test_two_small_cells_protect_each_other_and_need_no_complement() -> None:
    cells, total = suppress_list([3, 2, 40])
    assert [c.suppressed for c in cells] == [True, True, False]
    assert total.value == 45


def test_without_a_shown_total_no_complement_is_needed() -> None:
    out = suppress({"a": 3, "b": 40}, [Group(("a", "b"), None)])
    assert out["a"].suppressed and not out["b"].suppressed


def test_when_every_other_cell_is_zero_the_total_is_suppressed_instead() -> None:
    cells, total = suppress_list([3, 0, 0])
    assert cells[0].suppressed and cells[1] == Cell(0, False) and total.suppressed


def test_a_small_total_is_suppressed_itself() -> None:
    _, total = suppress_list([1, 2])
    assert total.suppressed


def test_a_table_complement_can_cascade_into_the_crossing_column() -> None:
    # rows r1, r2; columns c1, c2. r1c1 = 2 is small. Its row needs a complement (r1c2 = 30),
    # its column needs one (r2c1 = 20); then column c2 has r1c2 alone hidden → r2c2 hidden too.
    out = suppress_table({("r1", "c1"): 2, ("r1", "c2"): 30, ("r2", "c1"): 20, ("r2", "c2"): 50})
    hidden = {(k.row, k.column) for k, cell in out.items() if cell.suppressed}
    assert hidden == {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")}
    assert out[TableKey(None, None)] == Cell(102, False)


def test_the_threshold_is_configurable() -> None:
    cells, _ = suppress_list([7, 30, 30], threshold=10)
    assert cells[0].suppressed and sum(c.suppressed for c in cells) == 2
    cells, _ = suppress_list([1, 30], threshold=1)
    assert not any(c.suppressed for c in cells)


def test_a_share_of_a_hidden_count_is_not_given() -> None:
    assert share(Cell(10, False), Cell(40, False)) == 0.25
    assert share(SUPPRESSED, Cell(40, False)) is None
    assert share(Cell(0, False), Cell(0, False)) is None


def test_derived_figures_use_counts_rounded_up_to_the_threshold() -> None:
    assert [rounded_up(n, 5) for n in (0, 1, 4, 5, 6, 15, 16)] == [0, 5, 5, 5, 10, 15, 20]
    assert rounded_up(3, 1) == 3


def test_hidden_cells_summing_to_less_than_the_threshold_get_another_complement() -> None:
    # 1 and 1 hidden beside 30 and 40 with the total shown: 72 − 70 = 2 = 1 + 1 gives both away
    cells, total = suppress_list([1, 1, 30, 40])
    assert [c.suppressed for c in cells] == [True, True, True, False] and total.value == 72


def _recoverable(out: dict[TableKey, Cell], groups: list[Group[TableKey]],
                 values: dict[TableKey, int]) -> set[TableKey]:
    """Hidden cells that a group's shown total minus its shown cells gives away: a single hidden cell, or
    hidden cells whose sum (each ≥ 1) is below the threshold."""
    found: set[TableKey] = set()
    for group in groups:
        if group.total is None or out[group.total].suppressed:
            continue
        hidden = [k for k in group.members if out[k].suppressed]
        if len(hidden) == 1 or (hidden and sum(values[k] for k in hidden) < 5):
            found.update(hidden)
    return found


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=4), min_size=1, max_size=4)
       .filter(lambda rows: len({len(r) for r in rows}) == 1))
def test_no_small_count_can_be_recovered_by_subtraction_from_a_row_column_or_total(rows: list[list[int]]) -> None:
    cells = {(f"r{i}", f"c{j}"): n for i, row in enumerate(rows) for j, n in enumerate(row)}
    out = suppress_table(cells)
    for key, cell in out.items():
        value = cells.get((key.row, key.column)) if key.row is not None and key.column is not None else None
        if value is not None and 0 < value < 5:
            assert cell.suppressed
    r_keys, c_keys = sorted({r for r, _ in cells}), sorted({c for _, c in cells})
    groups = [Group(tuple(TableKey(r, c) for c in c_keys), TableKey(r, None)) for r in r_keys]
    groups += [Group(tuple(TableKey(r, c) for r in r_keys), TableKey(None, c)) for c in c_keys]
    groups += [Group(tuple(TableKey(r, None) for r in r_keys), TableKey(None, None)),
               Group(tuple(TableKey(None, c) for c in c_keys), TableKey(None, None))]
    values = {**{TableKey(r, c): n for (r, c), n in cells.items()},
              **{k: c.value for k, c in out.items() if c.value is not None}}
    for key in out:  # totals' true values, for the hidden sums
        if key not in values:
            values[key] = sum(n for (r, c), n in cells.items()
                              if (key.row is None or r == key.row) and (key.column is None or c == key.column))
    assert not _recoverable(out, groups, values)
    for r, c in itertools.product(r_keys, c_keys):  # shown values are the true ones
        shown = out[TableKey(r, c)]
        assert shown.suppressed or shown.value == cells[(r, c)]


def test_a_period_shows_a_count_only_when_each_of_its_quarters_shows_it() -> None:
    first = {"a": Cell(20, False), "b": SUPPRESSED, "total": Cell(38, False)}
    second = {"a": SUPPRESSED, "total": Cell(9, False)}  # no "b" this quarter: a 0
    assert over_quarters([first, second]) == {"a": SUPPRESSED, "b": SUPPRESSED, "total": Cell(47, False)}
    assert over_quarters([{"a": Cell(5, False)}, {}]) == {"a": Cell(5, False)}
    assert over_quarters([]) == {}


_ROWS, _COLUMNS = ("r0", "r1", "r2"), ("c0", "c1", "c2")
_QUARTER = st.dictionaries(st.tuples(st.sampled_from(_ROWS), st.sampled_from(_COLUMNS)), st.integers(0, 12), max_size=9)


def _table_groups(rows: list[str], columns: list[str]) -> list[Group[TableKey]]:
    groups = [Group(tuple(TableKey(r, c) for c in columns), TableKey(r, None)) for r in rows]
    groups += [Group(tuple(TableKey(r, c) for r in rows), TableKey(None, c)) for c in columns]
    return groups + [Group(tuple(TableKey(r, None) for r in rows), TableKey(None, None)),
                     Group(tuple(TableKey(None, c) for c in columns), TableKey(None, None))]


@settings(max_examples=200, deadline=None)
@given(st.lists(_QUARTER, min_size=1, max_size=4))
def test_no_run_of_quarters_minus_a_run_inside_it_gives_a_small_count(quarters: list[dict[tuple[str, str], int]],
                                                                     ) -> None:
    tables = [suppress_table(q) for q in quarters]
    runs = [(i, j) for i in range(len(tables)) for j in range(i, len(tables))]
    for (i, j), (k, m) in itertools.permutations(runs, 2):
        if not i <= k <= m <= j:
            continue
        outer, inner = over_quarters(tables[i:j + 1]), over_quarters(tables[k:m + 1])
        for key, cell in outer.items():
            other = inner.get(key, ZERO)
            if cell.value is not None and other.value is not None:
                assert not 0 < cell.value - other.value < 5, (key, cell, other)


@settings(max_examples=200, deadline=None)
@given(st.lists(_QUARTER, min_size=1, max_size=4))
def test_a_period_built_from_quarters_gives_nothing_hidden_away_by_its_own_totals(
        quarters: list[dict[tuple[str, str], int]]) -> None:
    out = over_quarters(suppress_table(q) for q in quarters)
    rows = sorted({r for q in quarters for r, _ in q})
    columns = sorted({c for q in quarters for _, c in q})
    values: dict[TableKey, int] = {}
    for key in [TableKey(r, c) for r in [*rows, None] for c in [*columns, None]]:
        out.setdefault(key, ZERO)  # in no quarter's table: 0 throughout
        values[key] = sum(n for q in quarters for (r, c), n in q.items()
                          if key.row in (None, r) and key.column in (None, c))
        assert out[key].suppressed or out[key].value == values[key]  # what is shown is exact
    assert not _recoverable(out, _table_groups(rows, columns), values)
