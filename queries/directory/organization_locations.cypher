// name: directory/organization_locations
// params: id
// returns: many
// purpose: An organization's locations (its own and where its services are delivered) with their addresses; unordered.
MATCH (:Organization {id: $id})-[:HAS_LOCATION]->(l:Location)
OPTIONAL MATCH (l)-[:HAS_ADDRESS]->(a:Address)
RETURN properties(l) AS location, properties(a) AS address
UNION
MATCH (:Organization {id: $id})-[:PROVIDES]->(:Service)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)
OPTIONAL MATCH (l)-[:HAS_ADDRESS]->(a:Address)
RETURN properties(l) AS location, properties(a) AS address
