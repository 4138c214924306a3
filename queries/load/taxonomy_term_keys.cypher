// name: load/taxonomy_term_keys
// params: -
// returns: many
// purpose: Id and code of every TaxonomyTerm, so a referral file's need codes are checked against the vocabulary the graph has.
MATCH (t:TaxonomyTerm)
RETURN t.id AS id, t.code AS code
