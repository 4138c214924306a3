// name: service_by_id
// params: id
// returns: one
// purpose: A service's name and its organization's name, by HSDS id.
MATCH (s:Service {id: $id})
OPTIONAL MATCH (o:Organization)-[:PROVIDES]->(s)
RETURN s.id AS id, s.name AS name, o.id AS organizationId, o.name AS organizationName
LIMIT 1
