// name: hsds_api/location_service_at_locations
// params: ids
// returns: many
// purpose: Ids of the services at location at these locations (AT); starts from the locations' id index.
UNWIND $ids AS id
MATCH (:Location {id: id})<-[:AT]-(x:ServiceAtLocation)
RETURN x.id AS id
