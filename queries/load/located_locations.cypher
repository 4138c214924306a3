// name: load/located_locations
// params: -
// returns: many
// purpose: Id, latitude and longitude of every Location with coordinates, so that loading planning areas (re)links each one IN_AREA the areas covering it.
MATCH (l:Location)
WHERE l.latitude IS NOT NULL AND l.longitude IS NOT NULL
RETURN l.id AS id, l.latitude AS latitude, l.longitude AS longitude
ORDER BY id
