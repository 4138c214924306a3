"""What a directory source (a 211 export, an Ohana set) gains from the graph it joins, before it is written.

Such sources carry eligibility only as text and name their coverage areas without shapes. Before
writing, the plan gets: age limits and population tags derived from the eligibility text
(loaders.eligibility_enrich), its coverage areas matched to the planning areas already loaded
(ServiceArea MATCHES Area), residency requirements linked to those areas (Service RESIDENTS_OF
Area), and its located locations linked IN_AREA — so a source loaded after the areas is joined
to them as fully as areas loaded after the source (`safetynet load areas` links every location).
All of it is computed in Python from the plan and the areas read once; nothing is asked per row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import shapely.geometry
from shapely.errors import GEOSException

from loaders.area_matching import Area, MatchReport, match_service_areas, unique_names
from loaders.areas_links import covering_areas
from loaders.eligibility_enrich import EnrichmentCounts, apply_criteria, residency_links
from loaders.plan import GraphPlan


@dataclass(frozen=True)
class JoinSummary:
    eligibility: EnrichmentCounts
    service_areas: MatchReport
    residency_links: int
    area_links: int


def _shapes(areas: list[Area]) -> dict[str, object]:
    shapes: dict[str, object] = {}
    for area in areas:
        if not area.extent:
            continue
        try:
            shapes[area.id] = shapely.geometry.shape(json.loads(area.extent))
        except (ValueError, TypeError, GEOSException):
            continue  # the areas load validated it; a hand-edited graph may not be
    return shapes


def join_to_graph(plan: GraphPlan, areas: list[Area]) -> JoinSummary:
    """Enrich `plan` in place (see the module docstring); idempotent."""
    eligibility = apply_criteria(plan)
    matches = match_service_areas(plan, areas)
    residents = residency_links(plan, unique_names(areas))
    located = [(location_id, float(row["props"]["latitude"]), float(row["props"]["longitude"]))
               for location_id, row in plan.nodes.get("Location", {}).items()
               if row["props"].get("latitude") is not None and row["props"].get("longitude") is not None]
    links = covering_areas(_shapes(areas), located)
    for location_id, area_id in links:
        plan.add_relationship(("Location", "IN_AREA", "Area"), location_id, area_id)
    return JoinSummary(eligibility, matches, residents, len(links))
