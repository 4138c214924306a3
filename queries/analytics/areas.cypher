// name: analytics/areas
// params: -
// returns: many
// purpose: Every planning area: id, name, kind, population, GeoJSON extent, and the ids of the areas it lies within (WITHIN, one step).
MATCH (a:Area)
RETURN a.id AS id, a.name AS name, a.kind AS kind, a.population AS population, a.extent AS extent,
       [(a)-[:WITHIN]->(p:Area) | p.id] AS within
ORDER BY id
