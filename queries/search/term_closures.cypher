// name: search/term_closures
// params: -
// returns: many
// purpose: Every taxonomy term with the ids of every term below it (BROADER*): the need closure, cached per graph version.
MATCH (t:TaxonomyTerm)
OPTIONAL MATCH (below:TaxonomyTerm)-[:BROADER*1..]->(t)
RETURN t.id AS id, t.code AS code, collect(DISTINCT below.id) AS below
