// name: load/delete_stale_vocabulary
// params: dataset, loadId
// returns: none
// purpose: After a --replace, drop the taxonomy terms and taxonomies this dataset wrote last, its new load ($loadId) no longer declares, and nothing tags, narrows or belongs to (one level a load: an emptied chain's upper terms go with the next replace).
MATCH (n)
WHERE n.dataset = $dataset AND coalesce(n.loadId, '') <> $loadId
  AND ((n:TaxonomyTerm AND NOT (n)<-[:TAGGED]-() AND NOT (n)<-[:BROADER]-())
       OR (n:Taxonomy AND NOT (n)<-[:IN_TAXONOMY]-()))
DETACH DELETE n
