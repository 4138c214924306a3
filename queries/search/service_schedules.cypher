// name: search/service_schedules
// params: ids
// returns: many
// purpose: Per service, its own schedules, its service-at-locations' schedules, and its locations' schedules (used only when it has none of the former).
UNWIND $ids AS sid
MATCH (s:Service {id: sid})
OPTIONAL MATCH (s)-[:HAS_SCHEDULE]->(own:Schedule)
WITH s, collect(DISTINCT properties(own)) AS own
OPTIONAL MATCH (s)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:HAS_SCHEDULE]->(atSite:Schedule)
WITH s, own, collect(DISTINCT properties(atSite)) AS atSites
OPTIONAL MATCH (s)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(:Location)-[:HAS_SCHEDULE]->(site:Schedule)
RETURN s.id AS id, own, atSites, collect(DISTINCT properties(site)) AS sites
