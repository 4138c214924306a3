// name: hsds_api/taxonomy_terms_of
// params: id
// returns: many
// purpose: Ids of the terms of taxonomy $id (IN_TAXONOMY); starts from the taxonomy's id index.
MATCH (:Taxonomy {id: $id})<-[:IN_TAXONOMY]-(t:TaxonomyTerm)
RETURN t.id AS id
