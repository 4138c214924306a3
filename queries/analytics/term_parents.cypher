// name: analytics/term_parents
// params: -
// returns: many
// purpose: Every taxonomy term with its name, code and the ids of the terms directly above it (BROADER), for rolling needs up to a level.
MATCH (t:TaxonomyTerm)
RETURN t.id AS id, t.code AS code, t.name AS name, [(t)-[:BROADER]->(b:TaxonomyTerm) | b.id] AS broader
