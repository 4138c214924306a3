// name: hsds_api/terms
// params: -
// returns: many
// purpose: Every taxonomy term's id and how many parents (BROADER) it has: the HSDS /taxonomy_terms list's candidates.
MATCH (t:TaxonomyTerm)
OPTIONAL MATCH (t)-[:BROADER]->(p:TaxonomyTerm)
RETURN t.id AS id, count(p) AS parents
