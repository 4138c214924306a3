// name: search/service_places
// params: ids
// returns: many
// purpose: For each service id, its located locations ([id, latitude, longitude]) and its service-area ids: what reach is decided from.
UNWIND $ids AS sid
MATCH (s:Service {id: sid})
OPTIONAL MATCH (s)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)
WHERE l.point IS NOT NULL
WITH s, collect(DISTINCT [l.id, l.latitude, l.longitude]) AS locations
OPTIONAL MATCH (s)-[:SERVES_AREA]->(sa:ServiceArea)
RETURN s.id AS id, locations, collect(sa.id) AS areas
