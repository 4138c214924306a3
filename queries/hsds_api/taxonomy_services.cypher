// name: hsds_api/taxonomy_services
// params: id
// returns: many
// purpose: Ids of the services tagged with any term of taxonomy $id (IN_TAXONOMY); starts from the taxonomy's id index.
MATCH (:Taxonomy {id: $id})<-[:IN_TAXONOMY]-(:TaxonomyTerm)<-[:TAGGED]-(s:Service)
RETURN DISTINCT s.id AS id
