// name: hsds_out/taxonomies
// params: ids, all
// returns: many
// purpose: Taxonomies by id (every taxonomy when $all is true), as their properties, ordered by name then id.
MATCH (t:Taxonomy)
WHERE $all OR t.id IN $ids
RETURN properties(t) AS value
ORDER BY t.name, t.id
