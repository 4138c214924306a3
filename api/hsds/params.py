"""The HSDS routes' query and path parameters: their declarations (typed aliases with what to send, for the OpenAPI
document) and their parsing into the services' filters, windows and places. A bad value is a 422 in FastAPI's own
validation shape (`bad_parameter`), naming the parameter and what to send."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Final, Literal

from fastapi import Path, Query
from fastapi.exceptions import RequestValidationError

from api.hsds.models import NDJSON
from domain.search_model import MAX_RADIUS_KM, GeoPoint
from graph.engine import GraphEngine
from services.hsds import listing as hsds_api
from services.hsds.listing import HsdsFilterError, Proximity, Window

DEFAULT_PER_PAGE: Final[int] = 50
MAX_PER_PAGE: Final[int] = 500
MINIMAL_MAX_PER_PAGE: Final[int] = 100_000
MAX_PROXIMITY_M: Final[float] = MAX_RADIUS_KM * 1000


def bad_parameter(name: str, value: Any, message: str) -> RequestValidationError:
    """A 422 in FastAPI's own validation shape, naming the parameter and what to send."""
    return RequestValidationError([{"type": "value_error", "loc": ("query", name), "msg": message, "input": value}])


# Ids and codes never hold a NUL character (the graph refuses to store or look one up): refused here, so
# the answer is a 422 naming the parameter, and the OpenAPI document says so.
NO_NUL: Final[str] = r"^[^\x00]*$"


def id_of(kind: str) -> Any:
    """The `{id}` of a by-id route."""
    return Path(pattern=NO_NUL, description=f"The id of the {kind}.")


PageParam = Annotated[int, Query(ge=1, description="Page number of paginated result (from 1).")]
PerPageParam = Annotated[int | None, Query(ge=1, description=(
    f"Number of results requested in a single page: 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE}; with "
    f"minimal=true up to {MINIMAL_MAX_PER_PAGE}, default {MINIMAL_MAX_PER_PAGE})."))]
FormatParam = Annotated[Literal["json", "ndjson"], Query(description=(
    "`json` (default): one page in the Page wrapper. `ndjson`: every result, one JSON object a line "
    f"({NDJSON}), no pagination."))]
SearchParam = Annotated[str | None, Query(
    min_length=1, pattern=NO_NUL,
    description="Full text search: every word must appear in the name or description (stemmed).")]
TermParam = Annotated[str | None, Query(
    min_length=1, pattern=NO_NUL,
    description="Only records tagged with this taxonomy term, or with any term narrower than it.")]
TaxonomyParam = Annotated[str | None, Query(
    min_length=1, pattern=NO_NUL, description="Only records tagged with any term of this taxonomy.")]
OrganizationParam = Annotated[str | None, Query(
    min_length=1, pattern=NO_NUL, description="Only services (or their sites) this organization provides.")]
ModifiedParam = Annotated[str | None, Query(description=(
    "Only services modified on or after this date-time (ISO 8601, e.g. 2026-05-01T00:00:00Z; a date means its "
    "midnight; no offset means UTC). A service without last_modified does not match."))]
FullParam = Annotated[bool, Query(description="Return fully nested records.")]
FullServiceParam = Annotated[bool, Query(description="Nest each organization's services in full.")]


def per_page_of(per_page: int | None, *, minimal: bool = False) -> int:
    most = MINIMAL_MAX_PER_PAGE if minimal else MAX_PER_PAGE
    if per_page is None:
        return MINIMAL_MAX_PER_PAGE if minimal else DEFAULT_PER_PAGE
    if per_page > most:
        raise bad_parameter("per_page", per_page, f"per_page must be between 1 and {most}"
                            + ("" if minimal else f" ({MINIMAL_MAX_PER_PAGE} with minimal=true)")
                            + "; page through the rest with page, or use format=ndjson for everything")
    return per_page


def window_of(page: int, per_page: int, fmt: str) -> Window:
    return Window() if fmt == "ndjson" else Window(offset=(page - 1) * per_page, limit=per_page)


def modified_after_of(value: str | None) -> Any:
    if value is None:
        return None
    moment = hsds_api.parse_instant(value)
    if moment is None:
        raise bad_parameter("modified_after", value, "modified_after must be an ISO 8601 date-time such as "
                            "2026-05-01T00:00:00Z (or a date such as 2026-05-01)")
    return moment


_POINT = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)\s*,\s*([+-]?\d+(?:\.\d+)?)\s*")


def place_of(db: GraphEngine, postcode: str | None, proximity: str | None, *,
             staff: bool) -> tuple[str | None, Proximity | None]:
    """The place filters: (postcode to match, or None; proximity, or None)."""
    meters: float | None = None
    if proximity is not None:
        try:
            meters = float(proximity)
        except ValueError:
            meters = None
        if meters is None or not math.isfinite(meters) or not 0 < meters <= MAX_PROXIMITY_M:
            raise bad_parameter("proximity", proximity,
                                f"proximity must be a distance in metres, > 0 and <= {MAX_PROXIMITY_M:.0f}")
        if postcode is None:
            raise bad_parameter("proximity", proximity, "proximity needs postcode: a postcode (distance from its "
                                "centroid) or a point as lat,lng, e.g. postcode=44.2312,-76.4860")
    if postcode is None:
        return None, None
    point = _POINT.fullmatch(postcode)
    if point is not None:
        latitude, longitude = float(point.group(1)), float(point.group(2))
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_parameter("postcode", postcode, "a point must be lat,lng with latitude in [-90, 90] and "
                                "longitude in [-180, 180]")
        if meters is None:
            raise bad_parameter("proximity", None, "a point (postcode=lat,lng) needs proximity: the distance "
                                "in metres, e.g. proximity=2000")
        return None, Proximity(GeoPoint(latitude, longitude), meters)
    if not hsds_api.normal_postcode(postcode):
        raise bad_parameter("postcode", postcode, "postcode is blank: send a postcode, a point as lat,lng, "
                            "or leave it out")
    if meters is None:
        return postcode, None
    centre = hsds_api.postcode_centroid(db, postcode=postcode, staff=staff)
    if centre is None:
        raise bad_parameter("postcode", postcode, f"no location has postcode {postcode!r}, so its centroid is "
                            "unknown: send the point as lat,lng instead")
    return None, Proximity(centre, meters)


def filters_failed(exc: HsdsFilterError) -> RequestValidationError:
    """A search the services could not run (e.g. no searchable word), as a 422 on `search`."""
    return bad_parameter("search", None, str(exc))
