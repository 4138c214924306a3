// name: hsds_api/organization_text
// params: text
// returns: many
// purpose: Ids of the organizations whose name or description matches the full-text query $text (every word).
CALL db.index.fulltext.queryNodes('serviceText', $text) YIELD node
WITH node
WHERE node:Organization
RETURN node.id AS id
