// name: load/delete_stale_vocabulary
// params: dataset, terms, taxonomies
// returns: none
// purpose: After a --replace, drop the taxonomy terms and taxonomies this dataset wrote last but no longer declares ($terms, $taxonomies: the ids it does) and nothing tags, narrows or belongs to (one level a load: an emptied chain's upper terms go with the next replace).
MATCH (n)
WHERE n.dataset = $dataset
  AND ((n:TaxonomyTerm AND NOT n.id IN $terms AND NOT (n)<-[:TAGGED]-() AND NOT (n)<-[:BROADER]-())
       OR (n:Taxonomy AND NOT n.id IN $taxonomies AND NOT (n)<-[:IN_TAXONOMY]-()))
DETACH DELETE n
