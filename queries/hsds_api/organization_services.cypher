// name: hsds_api/organization_services
// params: id
// returns: many
// purpose: Ids of the services organization $id provides; starts from the organization's id index.
MATCH (:Organization {id: $id})-[:PROVIDES]->(s:Service)
RETURN s.id AS id
