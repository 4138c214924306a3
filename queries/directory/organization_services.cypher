// name: directory/organization_services
// params: id
// returns: many
// purpose: The ids of the services an organization provides, by name then id.
MATCH (:Organization {id: $id})-[:PROVIDES]->(s:Service)
RETURN s.id AS id
ORDER BY s.name, s.id
