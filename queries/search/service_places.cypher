// name: search/service_places
// params: ids
// returns: many
// purpose: For the services with these ids: one row per service (kind 'service'), per located location (kind 'location': [id, latitude, longitude]) and per service area (kind 'area': [id]); what reach is decided from.
MATCH (s:Service)
WHERE s.id IN $ids
RETURN s.id AS id, 'service' AS kind, [] AS value
UNION ALL
MATCH (s:Service)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)
WHERE s.id IN $ids AND l.point IS NOT NULL
RETURN DISTINCT s.id AS id, 'location' AS kind, [l.id, l.latitude, l.longitude, coalesce('address' IN l.staffOnly, false)] AS value
UNION ALL
MATCH (s:Service)-[:SERVES_AREA]->(sa:ServiceArea)
WHERE s.id IN $ids
RETURN s.id AS id, 'area' AS kind, [sa.id] AS value
