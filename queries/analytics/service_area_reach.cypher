// name: analytics/service_area_reach
// params: terms, unlisted, nonNeedLinkTypes
// returns: many
// purpose: Listed services tagged with one of the need terms whose service areas match planning areas: (service, area) pairs, for counting the services that reach an area without a site near it. Starts from the terms' index.
UNWIND $terms AS tid
MATCH (t:TaxonomyTerm {id: tid})<-[g:TAGGED]-(s:Service)
WHERE g.linkType IS NULL OR NOT g.linkType IN $nonNeedLinkTypes
WITH DISTINCT s
WHERE s.status IS NULL OR NOT toLower(s.status) IN $unlisted
MATCH (s)-[:SERVES_AREA]->(:ServiceArea)-[:MATCHES]->(a:Area)
RETURN DISTINCT s.id AS service, a.id AS area
