// name: hsds_api/service_at_location_facts
// params: ids
// returns: many
// purpose: Of these service-at-location ids, those that exist, with what the HSDS list checks in Python: the service's id, lastModified and staffOnly, and the location's staffOnly (null without one); starts from the id index.
UNWIND $ids AS id
MATCH (x:ServiceAtLocation {id: id})
OPTIONAL MATCH (s:Service)-[:DELIVERED_AT]->(x)
OPTIONAL MATCH (x)-[:AT]->(l:Location)
RETURN x.id AS id, s.id AS service, s.lastModified AS lastModified, s.staffOnly AS serviceStaffOnly,
       l.staffOnly AS locationStaffOnly
