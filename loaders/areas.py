"""Planning areas (neighbourhoods, wards, districts) from a GeoJSON FeatureCollection → `Area` nodes.

Planners count services, needs and gaps by area, so each Feature becomes
`Area {id, name, kind, population, extent, extentKey}`: `id` is `f"{namespace}:{source id}"` (the
namespace keeps two cities' "001" apart), `extent` the polygon as compact GeoJSON text (the graph
keeps polygons as text; point-in-polygon happens in Python), `extentKey` its digest
(`domain.geo.extent_key`), so an area and a service area of the same shape are found together.

Which property holds what: an explicit option always wins. Otherwise the source id is the
Feature's own `id` member when the file uses it, else the first of `ID_CANDIDATES` that some
feature has as a property (case aside): an official code before a portal's row number, so for the
City of Toronto's neighbourhoods `AREA_SHORT_CODE` ("001"…"174", the City's stable neighbourhood
number), not `_id` (the open-data portal's row counter). The name is the first of
`NAME_CANDIDATES` (Toronto: `AREA_NAME`), the population a `population` property. The choice
depends on property names only, never on values, so a feature that lacks the chosen property is
reported rather than silently read from another one.

Geometry: only Polygon and MultiPolygon; coordinates must be WGS 84 longitude/latitude (a `crs`
naming anything else, or a coordinate out of range, is an error). A ring that is not closed, or
a polygon that is not valid (a bow-tie crossing itself, a hole outside its shell…), is repaired
(`shapely.make_valid`, keeping only the polygonal parts) with a warning naming the feature; one
that leaves no area, or has too few positions to be a ring, is an error. Extents are kept 2-D.

Parents: `parent_prop` names each feature's parent (an area of this file, or — given
`known_areas` — one already in the graph), or `parent_id` puts every area of the file within one
area; each becomes `Area -WITHIN-> Area`. Loops are errors.

Locations: for each (location id, latitude, longitude) given, `Location -IN_AREA-> Area` for every
area covering the point (boundary included; see loaders.areas_links). Those relationships carry
the areas load's dataset id, so reloading the areas with `--replace` rebuilds them.

`--skip-invalid`: each feature is a record, `("area", its source id)` (`("area", "feature N")` when
it has no usable id), and becomes the plan node `("Area", id)`. A feature that cannot be read (not a
Feature, no or a bad geometry, no id, a bad population…) is left out with its problems, and so is each
area within it (its `parent_prop` or `parent_id` names it), and theirs in turn: an area is not loaded
without the parent it says it lies in (as when its parent is in no file), each saying which parent it
depended on. Two features with one id are one record: neither is loaded (which is meant is unknown).
The plan holds only areas without errors, so the IN_AREA links are computed for those alone. What is
about the file stops the load even then: it is not a FeatureCollection, its `crs` is not WGS 84, an
option (`id_prop`, `name_prop`, `parent_id`…) names no property or area, so every feature would repeat it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import shapely
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon, mapping

from domain.geo import extent_key
from loaders.areas_links import LocatedLocation, covering_areas
from loaders.plan import GraphPlan
from loaders.report import Problem, Report
from loaders.skipping import Origin

FORMAT: Final[str] = "geojson-areas"
DEFAULT_KIND: Final[str] = "neighbourhood"
# Property names tried, in order and case aside, when no option names the property.
ID_CANDIDATES: Final[tuple[str, ...]] = (
    "id", "area_id", "area_short_code", "area_code", "code", "geoid", "dguid", "fid", "objectid", "_id",
)
NAME_CANDIDATES: Final[tuple[str, ...]] = (
    "name", "area_name", "neighbourhood", "neighborhood", "neighbourhood_name", "neighborhood_name", "label",
)
POPULATION_CANDIDATES: Final[tuple[str, ...]] = ("population",)
FEATURE_ID: Final[str] = "id"  # the `field` of problems about a Feature's own `id` member
GEOMETRY: Final[str] = "geometry"
_LONLAT_CRS = re.compile(r"CRS84|EPSG:{1,2}4326\b|EPSG/0/4326\b", re.IGNORECASE)
_WHOLE_NUMBER = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")
ReadProgress = Callable[[str, int], None]  # (file being read, features read so far)


@dataclass
class AreasResult:
    """The parsed file (satisfies loaders.load.Parsed), and which properties it was read with."""

    plan: GraphPlan
    report: Report
    format: str = FORMAT
    records: int = 0
    id_prop: str | None = None  # the property ids came from; None: the features' own `id` member
    name_prop: str | None = None
    population_prop: str | None = None
    shapes: dict[str, Any] = field(default_factory=dict)  # area id -> the shapely (Multi)Polygon used
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)  # ("Area", id) -> its feature


@dataclass
class _Area:
    row: int
    id: str
    source_id: str
    props: dict[str, Any]
    shape: Any
    parent: str | None
    usable: bool  # False: the feature has errors (its id still counts, e.g. as another's parent)


class _Bad(ValueError):
    """A geometry that cannot be used; the message says where in it and why."""


def parse_areas(
    path: Path, *, namespace: str, id_prop: str | None = None, name_prop: str | None = None,
    kind: str = DEFAULT_KIND, kind_prop: str | None = None, population_prop: str | None = None,
    parent_prop: str | None = None, parent_id: str | None = None, known_areas: Collection[str] = (),
    locations: Iterable[LocatedLocation] = (), on_progress: ReadProgress | None = None,
) -> AreasResult:
    """Read and check an areas file; pure (no database). Problems with the data are in the report,
    never raised (load nothing if it has errors). `known_areas`: ids of Areas already in the graph,
    which parents may name; `locations`: the points to link IN_AREA (loaders.areas_links)."""
    if not namespace.strip():
        raise ValueError("namespace must not be empty: it keeps the area ids of different sources apart")
    if parent_prop is not None and parent_id is not None:
        raise ValueError("give parent_prop (a parent per feature) or parent_id (one parent for all), not both")
    report = Report()
    result = AreasResult(GraphPlan(), report)
    file = path.name
    features = _features(path, file, report)
    if features is None:
        return result
    result.records = len(features)
    props = [_properties(file, row, feature, report) for row, feature in enumerate(features, start=1)]
    before = len(report.errors)
    result.id_prop = _chosen(file, props, id_prop, "id_prop", () if _uses_feature_ids(features) else ID_CANDIDATES,
                             report, required=id_prop is None and not _uses_feature_ids(features))
    result.name_prop = _chosen(file, props, name_prop, "name_prop", NAME_CANDIDATES, report)
    result.population_prop = _chosen(file, props, population_prop, "population_prop", POPULATION_CANDIDATES, report)
    for option, name in (("kind_prop", kind_prop), ("parent_prop", parent_prop)):
        _chosen(file, props, name, option, (), report)
    if len(report.errors) > before:  # an option names no property: every feature would repeat it
        return result
    if result.name_prop is None:
        report.warning(file, 0, "name_prop", f"no property looks like a name (tried {', '.join(NAME_CANDIDATES)}); "
                       "areas are named by their ids; give name_prop to name them")
    areas: list[_Area] = []
    seen: dict[str, int] = {}
    records: dict[int, tuple[tuple[str, str], tuple[str, str] | None]] = {}  # feature -> its record, its node
    for row, (feature, properties) in enumerate(zip(features, props, strict=True), start=1):
        if on_progress is not None and row % 50 == 0:
            on_progress(file, row)
        records[row] = (("area", f"feature {row}"), None)
        if properties is None:
            continue
        area = _area(file, row, feature, properties, result, namespace=namespace, kind=kind, kind_prop=kind_prop,
                     parent_prop=parent_prop, report=report)
        if area is None:  # no id
            continue
        records[row] = (("area", area.source_id), ("Area", area.id))
        if area.id in seen:
            report.error(file, row, result.id_prop or FEATURE_ID,
                         f"duplicate id {area.source_id!r} (feature {seen[area.id]} has it too); "
                         "each area needs its own id")
            continue
        seen[area.id] = row
        areas.append(area)
    if on_progress is not None:
        on_progress(file, len(features))
    within = _parents(file, areas, namespace, parent_prop, parent_id, set(known_areas), report)
    report.problems = _attributed(report.problems, records)
    skipped = _with_parents_skipped(file, areas, within, parent_prop, report)
    report.problems.sort(key=lambda p: p.row)
    for area in areas:
        if area.usable and area.id not in skipped:
            result.plan.add_node("Area", area.id, area.props)
            result.shapes[area.id] = area.shape
            result.origins[("Area", area.id)] = Origin(file, area.row, ("area", area.source_id))
    for child, parent in within:
        if child in result.shapes and parent not in skipped:
            result.plan.add_relationship(("Area", "WITHIN", "Area"), child, parent)
    for location_id, area_id in covering_areas(result.shapes, locations):
        result.plan.add_relationship(("Location", "IN_AREA", "Area"), location_id, area_id)
    return result


def _attributed(problems: list[Problem], records: dict[int, tuple[tuple[str, str], tuple[str, str] | None]],
                ) -> list[Problem]:
    """Each problem about a feature names its record and the Area it becomes; those about the file (row 0) none."""
    out = []
    for p in problems:
        if p.row and p.record is None and p.row in records:
            record, node = records[p.row]
            p = replace(p, record=record, node=node)
        out.append(p)
    return out


def _with_parents_skipped(
    file: str, areas: list[_Area], within: list[tuple[str, str]], parent_prop: str | None, report: Report,
) -> set[str]:
    """The ids of the areas with errors and, in turn, of the areas within one of them (each with an error naming
    the parent it depended on): neither is in the plan, and --skip-invalid lists them all."""
    by_id = {area.id: area for area in areas}
    bad = {p.node[1] for p in report.errors if p.node is not None}
    children: dict[str, list[str]] = {}
    for child, parent in within:
        children.setdefault(parent, []).append(child)
    frontier = sorted(bad)
    while frontier:
        parent = frontier.pop()
        for child in children.get(parent, ()):
            if child in bad or child not in by_id:
                continue
            bad.add(child)
            area, of = by_id[child], by_id.get(parent)
            where = f" (feature {of.row})" if of is not None else ""
            name = of.source_id if of is not None else parent
            report.error(file, area.row, parent_prop or "parent_id",
                         f"its parent area {name!r}{where} has errors, so this area is not loaded either; "
                         "fix the parent", record=("area", area.source_id), node=("Area", area.id))
            frontier.append(child)
    return bad


# --- the collection ---------------------------------------------------------------------------------------

def _features(path: Path, file: str, report: Report) -> list[Any] | None:
    """The features of a FeatureCollection in WGS 84, or None with one error saying what the file is instead."""
    try:
        doc = json.loads(path.read_bytes())
    except UnicodeDecodeError as exc:
        report.error(file, 0, "", f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8")
        return None
    except json.JSONDecodeError as exc:
        report.error(file, 0, "", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return None
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind != "FeatureCollection":
        what = f"a GeoJSON {kind}" if isinstance(kind, str) else f"a JSON {type(doc).__name__}"
        report.error(file, 0, "type", f"{what}, not a FeatureCollection; give "
                     '{"type": "FeatureCollection", "features": [one Feature per area]}')
        return None
    crs = doc.get("crs")
    if crs is not None:
        crs_props = crs.get("properties") if isinstance(crs, dict) else None
        name = crs_props.get("name") if isinstance(crs_props, dict) else None
        if not isinstance(name, str) or not _LONLAT_CRS.search(name):
            report.error(file, 0, "crs", f"{name or crs!r} is not WGS 84 longitude/latitude; reproject the file "
                         "(e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson`)")
            return None
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        report.error(file, 0, "features", "no features; give one Feature per area in a `features` list")
        return None
    return features


def _properties(file: str, row: int, feature: Any, report: Report) -> dict[str, Any] | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        report.error(file, row, "", "not a GeoJSON Feature; give {\"type\": \"Feature\", \"properties\": {…}, "
                     "\"geometry\": {…}}")
        return None
    properties = feature.get("properties")
    if properties is None:
        return {}
    if not isinstance(properties, dict):
        report.error(file, row, "properties", "must be a JSON object (or null)")
        return None
    return properties


def _uses_feature_ids(features: list[Any]) -> bool:
    return any(isinstance(f, dict) and f.get(FEATURE_ID) is not None for f in features)


def _chosen(
    file: str, props: list[dict[str, Any] | None], given: str | None, option: str, candidates: tuple[str, ...],
    report: Report, *, required: bool = False,
) -> str | None:
    """The property to read: `given` if some feature has it (else an error), or the first candidate
    some feature has, case aside (else None, or an error when `required`)."""
    present: dict[str, None] = {}  # every property name, in the order first seen
    for properties in props:
        present.update(dict.fromkeys(properties or ()))
    if given is not None:
        if given not in present:
            known = ", ".join(sorted(present)) or "none"
            report.error(file, 0, option, f"no feature has a property {given!r}; their properties are: {known}")
            return None
        return given
    by_lower: dict[str, str] = {}
    for key in present:
        by_lower.setdefault(key.lower(), key)
    for candidate in candidates:
        if candidate in by_lower:
            return by_lower[candidate]
    if required:
        report.error(file, 0, option, f"the features have no `id` member and no property looks like an id (tried "
                     f"{', '.join(candidates)}); give id_prop")
    return None


# --- one feature --------------------------------------------------------------------------------------------

def _area(
    file: str, row: int, feature: dict[str, Any], properties: dict[str, Any], result: AreasResult, *,
    namespace: str, kind: str, kind_prop: str | None, parent_prop: str | None, report: Report,
) -> _Area | None:
    id_field = result.id_prop or FEATURE_ID
    raw_id = properties.get(result.id_prop) if result.id_prop else feature.get(FEATURE_ID)
    source_id = _id_text(raw_id)
    if source_id is None:
        blank = raw_id is None or (isinstance(raw_id, str) and not raw_id.strip())
        what = "missing" if blank else f"{raw_id!r} is not an id"
        report.error(file, row, id_field, f"{what}; every area needs an id (a string or whole number)")
    name = _name(file, row, result.name_prop, properties, report)
    area_kind = _text(properties.get(kind_prop)) if kind_prop else None
    population = _population(file, row, result.population_prop, properties, report)
    parent = None
    if parent_prop is not None and properties.get(parent_prop) not in (None, ""):
        parent = _id_text(properties[parent_prop])
        if parent is None:
            report.error(file, row, parent_prop, f"{properties[parent_prop]!r} is not an area id")
    shape_and_extent = _geometry(file, row, feature.get(GEOMETRY), report)
    if source_id is None:
        return None
    if shape_and_extent is None or name is False or population is False:
        return _Area(row, f"{namespace}:{source_id}", source_id, {}, None, parent, usable=False)
    shape, extent = shape_and_extent
    area_props = {"name": name or source_id, "kind": area_kind or kind, "population": population,
                  "extent": extent, "extentKey": extent_key(extent)}
    return _Area(row, f"{namespace}:{source_id}", source_id, area_props, shape, parent, usable=True)


def _id_text(value: Any) -> str | None:
    """A source id as text: a non-empty string, or a whole number; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _name(file: str, row: int, prop: str | None, properties: dict[str, Any], report: Report) -> str | None | bool:
    """The area's name; None when it has none (it is then named by its id); False when unusable."""
    if prop is None:
        return None
    value = properties.get(prop)
    if value is None or (isinstance(value, str) and not value.strip()):
        report.warning(file, row, prop, "no name; the area is named by its id")
        return None
    name = _text(value)
    if name is None:
        report.error(file, row, prop, f"{value!r} is not a name; give text")
        return False
    return name


def _population(file: str, row: int, prop: str | None, properties: dict[str, Any], report: Report) -> int | None | bool:
    """The area's population (a whole number ≥ 0, "12,345" allowed); None when not given; False when bad."""
    if prop is None:
        return None
    value = properties.get(prop)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _WHOLE_NUMBER.match(value.strip()):
        number = int(value.strip().replace(",", ""))
    if number is None or number < 0:
        report.error(file, row, prop, f"{value!r} is not a population; give a whole number ≥ 0 (or leave it empty)")
        return False
    return number


# --- geometry -----------------------------------------------------------------------------------------------

def _geometry(file: str, row: int, geometry: Any, report: Report) -> tuple[Any, str] | None:
    """The area's shapely (Multi)Polygon and its extent text, repaired with a warning where needed;
    None (with an error) when it cannot be used."""
    if geometry is None:
        report.error(file, row, GEOMETRY, "missing; every area needs a Polygon or MultiPolygon")
        return None
    gtype = geometry.get("type") if isinstance(geometry, dict) else None
    if gtype not in ("Polygon", "MultiPolygon"):
        what = f"a {gtype}" if isinstance(gtype, str) else "not a GeoJSON geometry"
        report.error(file, row, GEOMETRY, f"{what}; an area needs a Polygon or MultiPolygon")
        return None
    assert isinstance(geometry, dict)
    notes: list[str] = []
    try:
        polygons = _polygons(gtype, geometry.get("coordinates"), notes)
        shapes = [Polygon(rings[0], rings[1:]) for rings in polygons]
    except _Bad as exc:
        report.error(file, row, GEOMETRY, str(exc))
        return None
    except (ValueError, GEOSException) as exc:  # positions were checked; a guard, not a path
        report.error(file, row, GEOMETRY, f"not a polygon: {exc}")
        return None
    shape: Any = shapes[0] if gtype == "Polygon" else MultiPolygon(shapes)
    if not shapely.is_valid(shape):
        reason = str(shapely.is_valid_reason(shape))
        repaired = _polygonal(shapely.make_valid(shape))
        if repaired is None:
            report.error(file, row, GEOMETRY, f"not a valid polygon ({reason}) and repairing it leaves no area; "
                         "fix the geometry")
            return None
        notes.append(f"not a valid polygon ({reason}); repaired with make_valid, keeping its polygonal parts")
        shape = repaired
        coordinates: Any = mapping(shape)
        extent = json.dumps({"type": coordinates["type"], "coordinates": coordinates["coordinates"]},
                            separators=(",", ":"))
    else:
        extent = json.dumps({"type": gtype, "coordinates": polygons[0] if gtype == "Polygon" else polygons},
                            separators=(",", ":"))
    for note in notes:
        report.warning(file, row, GEOMETRY, note)
    return shape, extent


def _polygons(gtype: str, coordinates: Any, notes: list[str]) -> list[list[list[list[float]]]]:
    """Checked 2-D rings per polygon (unclosed rings closed, noted); _Bad says where and why not."""
    multi = gtype == "MultiPolygon"
    if not isinstance(coordinates, list):
        raise _Bad("no coordinates list")
    if not coordinates:
        raise _Bad("empty: the geometry has no coordinates")
    polygons = coordinates if multi else [coordinates]
    out: list[list[list[list[float]]]] = []
    for p_no, rings in enumerate(polygons, start=1):
        where = f"polygon {p_no}, " if multi else ""
        if not isinstance(rings, list) or not rings:
            raise _Bad(f"{where}empty: a polygon needs an outer ring")
        checked: list[list[list[float]]] = []
        for r_no, ring in enumerate(rings, start=1):
            at = f"{where}ring {r_no}"
            if not isinstance(ring, list):
                raise _Bad(f"{at}: not a list of positions")
            positions = [_position(f"{at}, position {n}", pos) for n, pos in enumerate(ring, start=1)]
            if positions and positions[0] != positions[-1]:
                positions.append(list(positions[0]))
                notes.append(f"{at} was not closed (a GeoJSON ring ends where it starts); closed it")
            if len(positions) < 4:
                raise _Bad(f"{at}: {len(ring)} position(s); a ring needs at least 4 (three corners and the first "
                           "again), so this cannot be repaired")
            checked.append(positions)
        out.append(checked)
    return out


def _position(at: str, position: Any) -> list[float]:
    if (not isinstance(position, list) or len(position) < 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])
            or not all(math.isfinite(v) for v in position[:2])):
        raise _Bad(f"{at}: {json.dumps(position)[:60]} is not a [longitude, latitude] pair of numbers")
    lon, lat = position[0], position[1]
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        swapped = -180 <= lat <= 180 and -90 <= lon <= 90
        hint = "; GeoJSON puts longitude first — are they swapped?" if swapped else (
            "; coordinates must be WGS 84 longitude/latitude (reproject the file)")
        raise _Bad(f"{at}: [{lon}, {lat}] is outside longitude −180…180, latitude −90…90{hint}")
    return [lon, lat]


def _polygonal(shape: Any) -> Any:
    """The polygonal parts of a geometry (make_valid may add lines and points), or None if no area is left."""
    parts = [p for p in _parts(shape) if not p.is_empty and p.area > 0]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _parts(shape: Any) -> Iterator[Any]:
    if shape.geom_type == "Polygon":
        yield shape
    elif shape.geom_type in ("MultiPolygon", "GeometryCollection"):
        for part in shape.geoms:
            yield from _parts(part)


# --- parents ------------------------------------------------------------------------------------------------

def _parents(
    file: str, areas: list[_Area], namespace: str, parent_prop: str | None, parent_id: str | None,
    known: set[str], report: Report,
) -> list[tuple[str, str]]:
    """(child, parent) pairs for WITHIN; a parent is an area of this file (by source id or full id)
    or of the graph (`known`, by full id)."""
    ids = {area.id for area in areas}

    def resolve(value: str) -> str | None:
        for candidate in (f"{namespace}:{value}", value):
            if candidate in ids or candidate in known:
                return candidate
        return None

    if parent_id is not None:
        parent = resolve(parent_id)
        if parent is None:
            report.error(file, 0, "parent_id", f"{parent_id!r} is no area of this file or of the graph; load the "
                         "parent area first, or give an area's id")
            return []
        return [(area.id, parent) for area in areas if area.id != parent]
    if parent_prop is None:
        return []
    within: dict[str, str] = {}
    rows = {area.id: area.row for area in areas}
    for area in areas:
        if area.parent is None:
            continue
        parent = resolve(area.parent)
        if parent is None:
            report.error(file, area.row, parent_prop, f"{area.parent!r} is no area of this file or of the graph; "
                         "name the parent by its id")
        elif parent == area.id:
            report.error(file, area.row, parent_prop, "an area cannot lie within itself")
        else:
            within[area.id] = parent
    for start in within:
        chain = [start]
        while (step := within.get(chain[-1])) is not None and step not in chain:
            chain.append(step)
        if step == start:
            loop = " → ".join(f"feature {rows[a]}" for a in [*chain, start])
            report.error(file, rows[start], parent_prop, f"the parents form a loop ({loop}); an area cannot lie "
                         "within itself")
    return sorted(within.items())
