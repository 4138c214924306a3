// name: hsds_api/term_text
// params: text
// returns: many
// purpose: Ids of the taxonomy terms whose name or description matches the full-text query $text (every word).
CALL db.index.fulltext.queryNodes('serviceText', $text) YIELD node
WITH node
WHERE node:TaxonomyTerm
RETURN node.id AS id
