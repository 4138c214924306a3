// name: directory/organizations_locations
// params: ids
// returns: many
// purpose: The locations of each of these organizations (its own and where its services are delivered), one row per (organization id, location) with all the location's addresses (physical, postal, …); unordered, a location possibly twice.
MATCH (o:Organization)-[:HAS_LOCATION]->(l:Location)
WHERE o.id IN $ids
RETURN o.id AS organizationId, properties(l) AS location, [(l)-[:HAS_ADDRESS]->(a:Address) | properties(a)] AS addresses
UNION
MATCH (o:Organization)-[:PROVIDES]->(:Service)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)
WHERE o.id IN $ids
RETURN o.id AS organizationId, properties(l) AS location, [(l)-[:HAS_ADDRESS]->(a:Address) | properties(a)] AS addresses
