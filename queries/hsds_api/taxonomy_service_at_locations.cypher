// name: hsds_api/taxonomy_service_at_locations
// params: id
// returns: many
// purpose: Ids of the services at location whose service, or which themselves, are tagged with any term of taxonomy $id; starts from the taxonomy's id index.
MATCH (:Taxonomy {id: $id})<-[:IN_TAXONOMY]-(:TaxonomyTerm)<-[:TAGGED]-(:Service)-[:DELIVERED_AT]->(x:ServiceAtLocation)
RETURN x.id AS id
UNION
MATCH (:Taxonomy {id: $id})<-[:IN_TAXONOMY]-(:TaxonomyTerm)<-[:TAGGED]-(x:ServiceAtLocation)
RETURN x.id AS id
