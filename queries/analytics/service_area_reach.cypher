// name: analytics/service_area_reach
// params: terms, unlisted, nonNeedLinkTypes
// returns: many
// purpose: Listed services tagged with one of the need terms whose service areas match planning areas: (service, area) pairs, for counting the services that reach an area without a site near it.
MATCH (s:Service)-[g:TAGGED]->(t:TaxonomyTerm)
WHERE t.id IN $terms
  AND (g.linkType IS NULL OR NOT g.linkType IN $nonNeedLinkTypes)
  AND (s.status IS NULL OR NOT toLower(s.status) IN $unlisted)
WITH DISTINCT s
MATCH (s)-[:SERVES_AREA]->(:ServiceArea)-[:MATCHES]->(a:Area)
RETURN DISTINCT s.id AS service, a.id AS area
