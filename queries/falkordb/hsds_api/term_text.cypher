// name: hsds_api/term_text
// params: text
// returns: many
// purpose: Ids of the taxonomy terms whose name or description matches the full-text query $text (every word). (FalkorDB: one full-text index per label.)
CALL db.idx.fulltext.queryNodes('TaxonomyTerm', $text) YIELD node
RETURN node.id AS id
