// name: hsds_api/service_organizations
// params: -
// returns: many
// purpose: Every service's id with the id of the organization that provides it (null for none): a build of every service's document walks the services of one organization together, so the organization's records are read and built once, not once per batch.
MATCH (s:Service)
OPTIONAL MATCH (o:Organization)-[:PROVIDES]->(s)
RETURN s.id AS id, o.id AS organization
