// name: directory/organization_locations
// params: id
// returns: many
// purpose: An organization's locations (its own and where its services are delivered), each once with all its addresses (physical, postal, …); unordered.
MATCH (:Organization {id: $id})-[:HAS_LOCATION]->(l:Location)
RETURN properties(l) AS location, [(l)-[:HAS_ADDRESS]->(a:Address) | properties(a)] AS addresses
UNION
MATCH (:Organization {id: $id})-[:PROVIDES]->(:Service)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)
RETURN properties(l) AS location, [(l)-[:HAS_ADDRESS]->(a:Address) | properties(a)] AS addresses
