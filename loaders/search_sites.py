"""The search sites of a load: the flat nodes the front-line search scans (see graph.schema.model).

Computed from the load's own plan (no database reads, so the load stays fast): one site per
(service, located location), and one without a point for a service that has service areas but no
located location. A service's need terms are its direct tags (not eligibility or sector ones):
the search passes the need's whole closure, so a taxonomy loaded later still counts.

A site's lookup `keys` (domain.search_keys) pair each of its need terms with where it can be
reached from: its grid cell at each level, and the extent of each of its service areas.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from domain.geo import extent_key
from domain.search_keys import site_keys
from domain.search_model import GeoPoint
from graph.schema.model import (
    NO_MAXIMUM_AGE,
    NO_MINIMUM_AGE,
    NON_NEED_LINK_TYPES,
    UNLISTED_STATUSES,
    is_confidential,
    is_staff_only_record,
)
from loaders.plan import GraphPlan


def area_extent_keys(plan: GraphPlan) -> Iterator[dict[str, str]]:
    """`{id, extentKey}` for each service area of the plan with an extent."""
    for row in plan.nodes.get("ServiceArea", {}).values():
        extent = row["props"].get("extent")
        if extent:
            yield {"id": row["id"], "extentKey": extent_key(str(extent))}


def search_site_rows(plan: GraphPlan) -> Iterator[dict[str, Any]]:
    """The plan's search sites as rows for `load/create_search_sites`."""
    rels = plan.relationships
    locations = plan.nodes.get("Location", {})
    areas = plan.nodes.get("ServiceArea", {})
    sal_location = {r["from"]: r["to"] for r in rels.get(("ServiceAtLocation", "AT", "Location"), {}).values()}
    located: dict[str, set[str]] = defaultdict(set)
    for r in rels.get(("Service", "DELIVERED_AT", "ServiceAtLocation"), {}).values():
        location_id = sal_location.get(r["to"])
        props = locations[location_id]["props"] if location_id in locations else {}
        if props.get("latitude") is not None and props.get("longitude") is not None:
            located[r["from"]].add(location_id)  # type: ignore[arg-type]  # location_id is in locations
    needs: dict[str, set[str]] = defaultdict(set)
    for r in rels.get(("Service", "TAGGED", "TaxonomyTerm"), {}).values():
        if r["props"].get("linkType") not in NON_NEED_LINK_TYPES:
            needs[r["from"]].add(r["to"])
    area_keys: dict[str, set[str]] = defaultdict(set)
    for r in rels.get(("Service", "SERVES_AREA", "ServiceArea"), {}).values():
        extent = areas.get(r["to"], {}).get("props", {}).get("extent")
        if extent:
            area_keys[r["from"]].add(extent_key(str(extent)))
    for service_id, service in plan.nodes.get("Service", {}).items():
        props = service["props"]
        if str(props.get("status") or "").lower() in UNLISTED_STATUSES:
            continue  # never offered by the search
        low, high = props.get("minimumAge"), props.get("maximumAge")
        service_needs, service_areas = sorted(needs.get(service_id, ())), sorted(area_keys.get(service_id, ()))
        common = {"service": service_id, "minAge": NO_MINIMUM_AGE if low is None else low,
                  "maxAge": NO_MAXIMUM_AGE if high is None else high, "needs": service_needs, "areaKeys": service_areas,
                  "hidden": True if is_staff_only_record(props) else None}
        for location_id in sorted(located.get(service_id, ())):
            where = locations[location_id]["props"]
            point = GeoPoint(float(where["latitude"]), float(where["longitude"]))
            yield {"id": f"{service_id}@{location_id}", "location": location_id,
                   "latitude": point.latitude, "longitude": point.longitude,
                   "confidential": True if is_confidential(where) else None,
                   "keys": site_keys(service_needs, point, service_areas), **common}
        if not located.get(service_id) and service_areas:
            yield {"id": f"{service_id}@", "latitude": None, "keys": site_keys(service_needs, None, service_areas),
                   **common}
