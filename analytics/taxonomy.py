"""Rolling need terms up a taxonomy to a chosen level, so "the same need" can mean "the same broad need".

Level 0 is a top-level term (no broader term), level 1 its children, and so on. A term's level is its
shortest distance to a top-level term. Rolled up to level L, a term deeper than L becomes its ancestor at
level L (following, where a term has several broader terms, the one on a shortest path with the smallest
id, so the answer does not depend on storage order); a term at level L or above stays itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache


class TermTree:
    """Levels and roll-ups over `broader` (term id → ids of the terms directly above it)."""

    def __init__(self, broader: Mapping[str, Sequence[str]]) -> None:
        self._broader = {term: tuple(sorted(set(up))) for term, up in broader.items()}
        self.level = cache(self._level)
        self._up_path = cache(self._path)

    def _level(self, term: str) -> int:
        return len(self._up_path(term)) - 1

    def _path(self, term: str) -> tuple[str, ...]:
        """The term and its ancestors, nearest first, along a shortest path to a top-level term (cycles cut)."""
        best: tuple[str, ...] | None = None
        frontier: list[tuple[str, ...]] = [(term,)]
        seen = {term}
        while frontier and best is None:
            following: list[tuple[str, ...]] = []
            for path in frontier:  # breadth first: the first top-level term found is at the shortest distance
                ups = [u for u in self._broader.get(path[-1], ()) if u not in seen]
                if not self._broader.get(path[-1]):
                    if best is None or path < best:
                        best = path
                    continue
                following.extend((*path, u) for u in ups)
            if best is None:
                if not following:  # only cycles above: treat the term as top-level
                    return (term,)
                seen.update(p[-1] for p in following)
                frontier = following
        assert best is not None
        return best

    def roll_up(self, term: str, level: int | None) -> str:
        """The term's ancestor at `level` (itself when it is at or above that level, or when level is None)."""
        if level is None:
            return term
        if level < 0:
            raise ValueError("needLevel must be ≥ 0 (0 = top-level needs)")
        path = self._up_path(term)
        depth = len(path) - 1
        return term if depth <= level else path[depth - level]
