// name: search/area_extents
// params: -
// returns: many
// purpose: Every service area with a geometric extent, to decide in Python which ones cover a point.
MATCH (sa:ServiceArea)
WHERE sa.extent IS NOT NULL
RETURN sa.id AS id, sa.extent AS extent
