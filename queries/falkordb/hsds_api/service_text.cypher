// name: hsds_api/service_text
// params: text
// returns: many
// purpose: Ids of the services whose name or description matches the full-text query $text (every word). (FalkorDB: one full-text index per label.)
CALL db.idx.fulltext.queryNodes('Service', $text) YIELD node
RETURN node.id AS id
