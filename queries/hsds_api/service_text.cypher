// name: hsds_api/service_text
// params: text
// returns: many
// purpose: Ids of the services whose name or description matches the full-text query $text (every word).
CALL db.index.fulltext.queryNodes('serviceText', $text) YIELD node
WITH node
WHERE node:Service
RETURN node.id AS id
