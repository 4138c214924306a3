// name: analytics/all_need_services
// params: unlisted, nonNeedLinkTypes
// returns: many
// purpose: Every listed service tagged with a need term, with its need terms.
MATCH (s:Service)-[g:TAGGED]->(t:TaxonomyTerm)
WHERE g.linkType IS NULL OR NOT g.linkType IN $nonNeedLinkTypes
WITH s, collect(DISTINCT t.id) AS needs
WHERE s.status IS NULL OR NOT toLower(s.status) IN $unlisted
RETURN s.id AS id, needs
