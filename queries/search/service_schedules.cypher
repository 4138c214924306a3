// name: search/service_schedules
// params: ids
// returns: many
// purpose: The schedules of the services with these ids: their own (kind 'own'), their service-at-locations' (kind 'site'), and their locations' (kind 'location', used only when a service has none of the others).
MATCH (s:Service)-[:HAS_SCHEDULE]->(x:Schedule)
WHERE s.id IN $ids
RETURN s.id AS id, 'own' AS kind, properties(x) AS schedule
UNION ALL
MATCH (s:Service)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:HAS_SCHEDULE]->(x:Schedule)
WHERE s.id IN $ids
RETURN DISTINCT s.id AS id, 'site' AS kind, properties(x) AS schedule
UNION ALL
MATCH (s:Service)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(:Location)-[:HAS_SCHEDULE]->(x:Schedule)
WHERE s.id IN $ids
RETURN DISTINCT s.id AS id, 'location' AS kind, properties(x) AS schedule
