"""Tie a 211 or Ohana source to the planning areas already in the graph.

Those sources name where a service is offered ("District of Columbia", "Ward 6", "Baltimore
City") but carry no shapes; planners load the shapes separately (`safetynet load areas`). Where a
service area's name is, once normalised, the name of exactly one loaded area, the service area
MATCHES it; a name several areas share (two "Downtown"s of different kinds) is reported, never
guessed. Names compare case-, accent- and punctuation-blind and without a leading "the"; a
trailing "city"/"county" is dropped only when the full name is no area's ("Baltimore City" finds
an area named "Baltimore" unless one is named "Baltimore City").
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from graph.engine import GraphEngine
from loaders.plan import GraphPlan
from queries import run

_SUFFIX = re.compile(r"\s+(city|county)$")


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    kind: str | None
    extent: str | None


@dataclass(frozen=True)
class MatchReport:
    matched: int
    ambiguous: tuple[str, ...]  # service-area names that fit several areas
    unmatched: tuple[str, ...]  # service-area names that fit none


def read_areas(db: GraphEngine) -> list[Area]:
    """The planning areas in the graph."""
    return [Area(r["id"], str(r["name"] or ""), r["kind"], r["extent"]) for r in run.read(db, "load/area_catalogue")]


def normalise_area_name(name: str) -> str:
    """`The  Ward 6,` → `ward 6`: accents, case, punctuation and a leading "the" do not matter."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").casefold()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^the\s+", "", text)


def areas_by_name(areas: list[Area]) -> dict[str, list[str]]:
    """Area ids by normalised name."""
    out: dict[str, list[str]] = defaultdict(list)
    for area in areas:
        out[normalise_area_name(area.name)].append(area.id)
    return out


def _candidates(name: str, index: dict[str, list[str]]) -> list[str]:
    key = normalise_area_name(name)
    if key in index:
        return sorted(set(index[key]))
    bare = _SUFFIX.sub("", key)
    return sorted(set(index.get(bare, [])))


def match_service_areas(plan: GraphPlan, areas: list[Area]) -> MatchReport:
    """Add ServiceArea -MATCHES-> Area for each of the plan's service areas whose name fits one area. A
    service area the source gave no shape takes the matched area's, so the search can tell what it
    covers (a 211 program "for District of Columbia" reaches every point of the District's polygon)."""
    index = areas_by_name(areas)
    extents = {area.id: area.extent for area in areas if area.extent}
    matched, ambiguous, unmatched = 0, set(), set()
    for area_id, row in plan.nodes.get("ServiceArea", {}).items():
        name = row["props"].get("name")
        if not name:
            continue
        found = _candidates(str(name), index)
        if len(found) == 1:
            plan.add_relationship(("ServiceArea", "MATCHES", "Area"), area_id, found[0])
            if not row["props"].get("extent") and found[0] in extents:
                row["props"]["extent"] = extents[found[0]]
                row["props"]["extentType"] = "geojson"
            matched += 1
        elif found:
            ambiguous.add(str(name))
        elif index:
            unmatched.add(str(name))
    return MatchReport(matched, tuple(sorted(ambiguous)), tuple(sorted(unmatched)))


def unique_names(areas: list[Area]) -> dict[str, str]:
    """Normalised name → area id, for names exactly one area has (what residency matching may use)."""
    return {name: ids[0] for name, ids in areas_by_name(areas).items() if len(set(ids)) == 1}
