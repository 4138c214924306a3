// name: hsds_api/term_service_at_locations
// params: id
// returns: many
// purpose: Ids of the services at location whose service, or which themselves, are tagged with term $id or a term narrower than it (BROADER*); starts from the term's id index.
MATCH (t:TaxonomyTerm {id: $id})
MATCH (b:TaxonomyTerm)-[:BROADER*0..]->(t)
MATCH (b)<-[:TAGGED]-(:Service)-[:DELIVERED_AT]->(x:ServiceAtLocation)
RETURN x.id AS id
UNION
MATCH (t:TaxonomyTerm {id: $id})
MATCH (b:TaxonomyTerm)-[:BROADER*0..]->(t)
MATCH (b)<-[:TAGGED]-(x:ServiceAtLocation)
RETURN x.id AS id
