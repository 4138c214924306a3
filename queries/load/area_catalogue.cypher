// name: load/area_catalogue
// params: -
// returns: many
// purpose: Every planning Area's id, name, kind and GeoJSON extent, for matching a source's coverage-area names to areas and linking its locations IN_AREA.
MATCH (a:Area)
RETURN a.id AS id, a.name AS name, a.kind AS kind, a.extent AS extent
ORDER BY id
