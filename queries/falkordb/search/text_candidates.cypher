// name: search/text_candidates
// params: text, excluded
// returns: many
// purpose: Services whose name or description matches the full-text query, or whose organization's, or a need term's they are tagged with; one row per match with its score, and the matched record's staffOnly list and (when it has one) its name and description, for queries.public_text. (FalkorDB: one full-text index per label.)
CALL db.idx.fulltext.queryNodes('Service', $text) YIELD node, score
RETURN node.id AS id, score, node.staffOnly AS staffOnly,
       CASE WHEN node.staffOnly IS NULL THEN null ELSE [node.name, node.description] END AS texts
UNION ALL
CALL db.idx.fulltext.queryNodes('Organization', $text) YIELD node, score
MATCH (node)-[:PROVIDES]->(s:Service)
RETURN s.id AS id, score, node.staffOnly AS staffOnly,
       CASE WHEN node.staffOnly IS NULL THEN null ELSE [node.name, node.description] END AS texts
UNION ALL
CALL db.idx.fulltext.queryNodes('TaxonomyTerm', $text) YIELD node, score
MATCH (s:Service)-[g:TAGGED]->(node)
WHERE g.linkType IS NULL OR NOT g.linkType IN $excluded
RETURN s.id AS id, score, node.staffOnly AS staffOnly,
       CASE WHEN node.staffOnly IS NULL THEN null ELSE [node.name, node.description] END AS texts
