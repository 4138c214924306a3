// name: directory/taxonomy_term_count
// params: parent, search
// returns: scalar
// purpose: How many rows directory/taxonomy_terms lists for these arguments (all its pages).
OPTIONAL MATCH (root:TaxonomyTerm)
WHERE $search IS NOT NULL AND (root.id = $parent OR root.code = $parent)
OPTIONAL MATCH (below:TaxonomyTerm)-[:BROADER*1..]->(root)
WITH collect(DISTINCT below.id) AS branch
MATCH (t:TaxonomyTerm)
OPTIONAL MATCH (t)-[:BROADER]->(p:TaxonomyTerm)
WITH t, p, branch
WHERE ($search IS NULL AND (($parent IS NULL AND p IS NULL) OR p.id = $parent OR p.code = $parent))
   OR ($search IS NOT NULL
       AND (toLower(t.name) CONTAINS toLower($search) OR toLower(coalesce(t.code, '')) CONTAINS toLower($search))
       AND ($parent IS NULL OR t.id IN branch))
RETURN count(*) AS total
