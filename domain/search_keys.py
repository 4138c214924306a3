"""Lookup keys of search sites: how the front-line search finds the sites of a need near a point
without reading every site of that need.

Each site is keyed by each of its need terms alone, paired with its grid cell at every level
(`domain.geo.grid_cells`), and paired with the extent key of each of its service's areas. A
search asks for (need, cell around the point) and (need, area covering the point): a broad need
with thousands of sites in a city reads only the few near the point.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from domain.geo import GRID_LEVELS, grid_cells, grid_cells_within
from domain.search_model import GeoPoint

# At most this many keys in one lookup: beyond it, reading by need term is as quick.
MAX_LOOKUP_KEYS: Final[int] = 256


def term_key(term: str) -> str:
    """Finds every site of a need term, wherever it is."""
    return f"t|{term}"


def cell_key(cell: str, term: str) -> str:
    """Finds the sites of a need term in one grid cell (`domain.geo.grid_cells`)."""
    return f"c|{cell}|{term}"


def area_key(extent: str, term: str) -> str:
    """Finds the sites of a need term whose service has an area of this extent key."""
    return f"a|{extent}|{term}"


def site_keys(needs: list[str], point: GeoPoint | None, area_keys: list[str]) -> list[str]:
    """A search site's lookup keys, each ending in the need term (so none can be read as another)."""
    cells = grid_cells(point) if point is not None else []
    return [key for term in needs
            for key in (term_key(term), *(cell_key(c, term) for c in cells), *(area_key(a, term) for a in area_keys))]


def lookup_keys(terms: Iterable[str], point: GeoPoint, radius_km: float, area_keys: Sequence[str],
                max_keys: int = MAX_LOOKUP_KEYS) -> list[str]:
    """The keys that find every site of the need terms within `radius_km` of the point or with a
    service area among `area_keys`: (term, cell) for the cells around the point at the finest grid
    level that takes at most `max_keys` keys, and (term, area); where no level does (a very broad
    need or a wide radius, which read most of the need's sites anyway), the bare terms."""
    ordered = sorted(terms)
    per_term = max_keys // max(1, len(ordered)) - len(area_keys)
    for level in range(len(GRID_LEVELS)):
        cells = grid_cells_within(point, radius_km, level, per_term)
        if cells is not None:
            return ([cell_key(c, t) for t in ordered for c in cells]
                    + [area_key(a, t) for a in area_keys for t in ordered])
    return [term_key(t) for t in ordered]
