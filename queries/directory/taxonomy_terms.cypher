// name: directory/taxonomy_terms
// params: parent, search
// returns: many
// purpose: Taxonomy terms for need pickers: children of $parent (top-level terms when null; id or code), optionally only those whose name or code contains $search (then at any depth below $parent, or anywhere when $parent is null).
MATCH (t:TaxonomyTerm)
OPTIONAL MATCH (t)-[:BROADER]->(p:TaxonomyTerm)
WITH t, p
WHERE ($search IS NULL AND (($parent IS NULL AND p IS NULL) OR p.id = $parent OR p.code = $parent))
   OR ($search IS NOT NULL
       AND (toLower(t.name) CONTAINS toLower($search) OR toLower(coalesce(t.code, '')) CONTAINS toLower($search)))
RETURN properties(t) AS term, p.id AS parentId
ORDER BY t.name, t.id
