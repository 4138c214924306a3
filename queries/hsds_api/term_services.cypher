// name: hsds_api/term_services
// params: id
// returns: many
// purpose: Ids of the services tagged (any attribute link) with term $id or with a term narrower than it (BROADER*); starts from the term's id index.
MATCH (t:TaxonomyTerm {id: $id})
MATCH (b:TaxonomyTerm)-[:BROADER*0..]->(t)
MATCH (b)<-[:TAGGED]-(s:Service)
RETURN DISTINCT s.id AS id
