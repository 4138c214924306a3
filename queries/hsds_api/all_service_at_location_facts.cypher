// name: hsds_api/all_service_at_location_facts
// params: -
// returns: many
// purpose: Every service at location with its service's id, lastModified and staffOnly and its location's staffOnly: the HSDS list's candidates when no index-backed filter narrows them.
MATCH (x:ServiceAtLocation)
OPTIONAL MATCH (s:Service)-[:DELIVERED_AT]->(x)
OPTIONAL MATCH (x)-[:AT]->(l:Location)
RETURN x.id AS id, s.id AS service, s.lastModified AS lastModified, s.staffOnly AS serviceStaffOnly,
       l.staffOnly AS locationStaffOnly
