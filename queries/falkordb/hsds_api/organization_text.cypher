// name: hsds_api/organization_text
// params: text
// returns: many
// purpose: Ids of the organizations whose name or description matches the full-text query $text (every word), with what queries.public_text needs to judge a match for the public (its staffOnly list and, when it has one, its name and description). (FalkorDB: one full-text index per label.)
CALL db.idx.fulltext.queryNodes('Organization', $text) YIELD node
RETURN node.id AS id, node.staffOnly AS staffOnly,
       CASE WHEN node.staffOnly IS NULL THEN null ELSE [node.name, node.description] END AS texts
