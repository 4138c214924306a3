// name: directory/term_within
// params: ids, parent
// returns: many
// purpose: Which of the term ids lie below $parent (id or code), for a term search restricted to a branch.
MATCH (t:TaxonomyTerm)-[:BROADER*1..]->(p:TaxonomyTerm)
WHERE t.id IN $ids AND (p.id = $parent OR p.code = $parent)
RETURN DISTINCT t.id AS id
