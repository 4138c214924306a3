// name: directory/taxonomy_terms
// params: parent, search, offset, limit
// returns: many
// purpose: A page ($offset, $limit) of taxonomy terms for need pickers, by name then id: children of $parent (top-level terms when null; id or code), or with $search those whose name or code contains it, at any depth below $parent (anywhere when $parent is null). Counted by directory/taxonomy_term_count.
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
RETURN properties(t) AS term, p.id AS parentId
ORDER BY t.name, t.id
SKIP $offset
LIMIT $limit
