// name: hsds_api/term_children
// params: id
// returns: many
// purpose: Ids of the terms whose parent (BROADER) is term $id; starts from the term's id index.
MATCH (:TaxonomyTerm {id: $id})<-[:BROADER]-(t:TaxonomyTerm)
RETURN t.id AS id
