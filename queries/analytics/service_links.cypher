// name: analytics/service_links
// params: ids, eligibilityLinkType
// returns: many
// purpose: For each service id, what the silos need of it, one kind per row: its providers (organization), the areas its locations lie in (area), the areas its service areas match (area) and its population terms (population). Simple traversals from the id index: faster on FalkorDB than pattern comprehensions.
UNWIND $ids AS sid
MATCH (s:Service {id: sid})<-[:PROVIDES]-(o:Organization)
RETURN sid AS id, 'organization' AS kind, o.id AS value
UNION ALL
UNWIND $ids AS sid
MATCH (s:Service {id: sid})-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(:Location)-[:IN_AREA]->(a:Area)
RETURN sid AS id, 'area' AS kind, a.id AS value
UNION ALL
UNWIND $ids AS sid
MATCH (s:Service {id: sid})-[:SERVES_AREA]->(:ServiceArea)-[:MATCHES]->(a:Area)
RETURN sid AS id, 'area' AS kind, a.id AS value
UNION ALL
UNWIND $ids AS sid
MATCH (s:Service {id: sid})-[p:TAGGED]->(t:TaxonomyTerm)
WHERE p.linkType = $eligibilityLinkType
RETURN sid AS id, 'population' AS kind, t.id AS value
