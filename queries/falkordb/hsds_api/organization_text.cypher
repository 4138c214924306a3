// name: hsds_api/organization_text
// params: text
// returns: many
// purpose: Ids of the organizations whose name or description matches the full-text query $text (every word). (FalkorDB: one full-text index per label.)
CALL db.idx.fulltext.queryNodes('Organization', $text) YIELD node
RETURN node.id AS id
