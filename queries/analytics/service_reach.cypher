// name: analytics/service_reach
// params: terms, unlisted, nonNeedLinkTypes, eligibilityLinkType
// returns: many
// purpose: Each listed service tagged with one of the need terms (any need term when $terms is null): its organizations, the matching need terms, the areas its locations lie in and its service areas match, and its population terms.
MATCH (s:Service)-[g:TAGGED]->(t:TaxonomyTerm)
WHERE ($terms IS NULL OR t.id IN $terms)
  AND (g.linkType IS NULL OR NOT g.linkType IN $nonNeedLinkTypes)
  AND (s.status IS NULL OR NOT toLower(s.status) IN $unlisted)
WITH s, collect(DISTINCT t.id) AS needs
RETURN s.id AS id, needs,
       [(o:Organization)-[:PROVIDES]->(s) | o.id] AS organizations,
       [(s)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(:Location)-[:IN_AREA]->(a:Area) | a.id] AS locatedIn,
       [(s)-[:SERVES_AREA]->(:ServiceArea)-[:MATCHES]->(a:Area) | a.id] AS serves,
       [(s)-[p:TAGGED]->(pt:TaxonomyTerm) WHERE p.linkType = $eligibilityLinkType | pt.id] AS populations
