// name: hsds_api/service_service_at_locations
// params: ids
// returns: many
// purpose: Ids of the services at location of these services (DELIVERED_AT); starts from the services' id index.
UNWIND $ids AS id
MATCH (:Service {id: id})-[:DELIVERED_AT]->(x:ServiceAtLocation)
RETURN x.id AS id
