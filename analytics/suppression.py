"""Small-count suppression of referral and need aggregates, with complementary suppression.

A count of 1 to `threshold - 1` people could point at a person ("the one resident of Ward 3 who was
turned away by the shelter in March"), so such a cell is shown as suppressed, with no value. Zero is
shown: it says nothing about anyone. A suppressed cell must not be recoverable from what is shown
beside it: wherever a total is shown for a group of cells (a table's row, its column, a list with a
grand total), a group with exactly one suppressed cell — or whose suppressed cells add up to less
than the threshold (their sum is the total minus what is shown, and every hidden count is ≥ 1: two
hidden cells summing to 2 are both 1) — gets another one, the smallest non-zero shown cell of the
group (ties: the first in the group's order); when the group has none, its total is suppressed
instead. A total that is itself small is suppressed like any cell. Suppressing a
complement can leave another group with a single suppressed cell, so the rule is applied until
nothing changes (each pass only adds suppressions, so this ends).

This is the usual primary + complementary rule of statistical agencies. It protects against the
subtraction attack on the tables it is given. Across periods, the answers are built by `over_quarters`
from quarters suppressed one by one, so that subtracting two periods gives nothing a quarter hides; other
combinations of queries are not covered (see docs/analytics.md, "Privacy of aggregates").
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

DEFAULT_THRESHOLD: Final[int] = 5

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)


@dataclass(frozen=True)
class Cell:
    """A count as it may be shown: `value` is None exactly when `suppressed`."""

    value: int | None
    suppressed: bool

    @classmethod
    def shown(cls, value: int) -> Cell:
        return cls(value, False)


SUPPRESSED: Final[Cell] = Cell(None, True)
ZERO: Final[Cell] = Cell(0, False)


def is_small(count: int, threshold: int) -> bool:
    """Whether a count is too small to show (1 … threshold − 1; zero is shown)."""
    return 0 < count < threshold


@dataclass(frozen=True)
class Group(Generic[K]):
    """Cells whose sum is shown as `total` (a key among the cells too, or None when no total is shown)."""

    members: tuple[K, ...]
    total: K | None = None


def suppress(counts: Mapping[K, int], groups: Sequence[Group[K]], *, threshold: int = DEFAULT_THRESHOLD,
             ) -> dict[K, Cell]:
    """Every count of `counts` as a Cell: small ones suppressed, then complements until no group with a
    shown total has exactly one suppressed cell. Totals are keys of `counts` like any cell."""
    if threshold < 1:
        raise ValueError("the suppression threshold must be ≥ 1 (1 shows every count)")
    hidden = {key for key, count in counts.items() if is_small(count, threshold)}
    changed = True
    while changed:
        changed = False
        for group in groups:
            if group.total is None or group.total in hidden:
                continue
            members = [key for key in group.members if key in hidden]
            if not members or (len(members) > 1 and sum(counts[key] for key in members) >= threshold):
                continue
            complement = _smallest_shown(group.members, counts, hidden)
            hidden.add(complement if complement is not None else group.total)
            changed = True
    return {key: SUPPRESSED if key in hidden else Cell.shown(count) for key, count in counts.items()}


def _smallest_shown(members: Iterable[K], counts: Mapping[K, int], hidden: set[K]) -> K | None:
    best: K | None = None
    for key in members:
        if key in hidden or counts[key] == 0:
            continue
        if best is None or counts[key] < counts[best]:
            best = key
    return best


@dataclass(frozen=True)
class TableKey:
    """A key of a two-way table: a cell (row, column), a row total (row, None), a column total
    (None, column) or the grand total (None, None)."""

    row: Hashable | None
    column: Hashable | None


def suppress_table(cells: Mapping[tuple[R, C], int], *, threshold: int = DEFAULT_THRESHOLD,
                   ) -> dict[TableKey, Cell]:
    """A two-way table with row totals, column totals and a grand total, all suppressed together.
    Missing cells count as zero."""
    rows = sorted({r for r, _ in cells}, key=repr)
    columns = sorted({c for _, c in cells}, key=repr)
    counts: dict[TableKey, int] = {}
    for r in rows:
        for c in columns:
            counts[TableKey(r, c)] = cells.get((r, c), 0)
    for r in rows:
        counts[TableKey(r, None)] = sum(counts[TableKey(r, c)] for c in columns)
    for c in columns:
        counts[TableKey(None, c)] = sum(counts[TableKey(r, c)] for r in rows)
    counts[TableKey(None, None)] = sum(counts[TableKey(r, None)] for r in rows)
    groups = [Group(tuple(TableKey(r, c) for c in columns), TableKey(r, None)) for r in rows]
    groups += [Group(tuple(TableKey(r, c) for r in rows), TableKey(None, c)) for c in columns]
    groups.append(Group(tuple(TableKey(r, None) for r in rows), TableKey(None, None)))
    groups.append(Group(tuple(TableKey(None, c) for c in columns), TableKey(None, None)))
    return suppress(counts, groups, threshold=threshold)


def suppress_list(counts: Sequence[int], *, threshold: int = DEFAULT_THRESHOLD) -> tuple[list[Cell], Cell]:
    """A list of counts and their total, shown together: (cells in order, total)."""
    keyed: dict[int | str, int] = {i: n for i, n in enumerate(counts)}
    keyed["total"] = sum(counts)
    members: tuple[int | str, ...] = tuple(range(len(counts)))
    out = suppress(keyed, [Group(members, "total")], threshold=threshold)
    return [out[i] for i in range(len(counts))], out["total"]


def over_quarters(quarters: Iterable[Mapping[K, Cell]]) -> dict[K, Cell]:
    """The cells of a period from the cells of its quarters, each quarter suppressed on its own: a key's sum
    when every quarter shows it (a key a quarter lacks is a shown 0 there), else suppressed.

    So every figure of the period is a sum of figures its quarters show, and the difference of two periods,
    one inside the other, is a sum of the other quarters' shown figures: 0 or ≥ threshold, never a hidden
    count. A group whose total the period shows keeps ≥ 2 hidden cells summing to ≥ threshold (those of any
    one quarter that hid some), so nothing hidden can be worked out within the period's answer either."""
    parts = list(quarters)
    keys = dict.fromkeys(key for part in parts for key in part)  # first-seen order, for readable answers
    out: dict[K, Cell] = {}
    for key in keys:
        cells = [part.get(key, ZERO) for part in parts]
        out[key] = SUPPRESSED if any(c.suppressed for c in cells) else Cell.shown(sum(c.value or 0 for c in cells))
    return out


def rounded_up(count: int, base: int) -> int:
    """`count` rounded up to a multiple of `base` (0 stays 0): what a derived figure — a score computed
    from counts, a co-occurrence — may be computed from, so that it cannot give a suppressed count back
    (a count of 1 … base is indistinguishable from base)."""
    if count < 0 or base < 1:
        raise ValueError("rounded_up needs a count ≥ 0 and a base ≥ 1")
    return -(-count // base) * base


def share(part: Cell, whole: Cell) -> float | None:
    """part / whole when both are shown and whole > 0, else None (a share of a hidden count would reveal it)."""
    if part.value is None or whole.value is None or whole.value == 0:
        return None
    return part.value / whole.value
