// name: search/term_ancestors
// params: refs
// returns: many
// purpose: Taxonomy terms named by id or code, with the ids and codes of every term above them: a resident in a population is in its broader ones too.
MATCH (t:TaxonomyTerm)
WHERE t.id IN $refs OR t.code IN $refs
OPTIONAL MATCH (t)-[:BROADER*1..]->(above:TaxonomyTerm)
RETURN t.id AS id, t.code AS code, collect(DISTINCT above.id) AS aboveIds, collect(DISTINCT above.code) AS aboveCodes
