// name: search/need_candidates
// params: terms, excluded, age
// returns: many
// purpose: Services tagged with any of the terms (not as eligibility or sector), age-filtered when $age is given: one row per service (kind 'service'), per located location (kind 'location': [id, latitude, longitude]) and per service area (kind 'area': [id]). Whole patterns, no per-row subqueries: FalkorDB traverses them in bulk.
MATCH (t:TaxonomyTerm)
WHERE t.id IN $terms
MATCH (t)<-[g:TAGGED]-(s:Service)
WITH s, g
WHERE (g.linkType IS NULL OR NOT g.linkType IN $excluded)
  AND ($age IS NULL OR ((s.minimumAge IS NULL OR s.minimumAge <= $age) AND (s.maximumAge IS NULL OR s.maximumAge >= $age)))
RETURN DISTINCT s.id AS id, 'service' AS kind, [] AS value
UNION ALL
MATCH (t:TaxonomyTerm)
WHERE t.id IN $terms
MATCH (t)<-[g:TAGGED]-(s:Service)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)
WHERE (g.linkType IS NULL OR NOT g.linkType IN $excluded)
  AND ($age IS NULL OR ((s.minimumAge IS NULL OR s.minimumAge <= $age) AND (s.maximumAge IS NULL OR s.maximumAge >= $age)))
  AND l.point IS NOT NULL
RETURN DISTINCT s.id AS id, 'location' AS kind, [l.id, l.latitude, l.longitude, coalesce('address' IN l.staffOnly, false)] AS value
UNION ALL
MATCH (t:TaxonomyTerm)
WHERE t.id IN $terms
MATCH (t)<-[g:TAGGED]-(s:Service)-[:SERVES_AREA]->(sa:ServiceArea)
WHERE (g.linkType IS NULL OR NOT g.linkType IN $excluded)
  AND ($age IS NULL OR ((s.minimumAge IS NULL OR s.minimumAge <= $age) AND (s.maximumAge IS NULL OR s.maximumAge >= $age)))
RETURN DISTINCT s.id AS id, 'area' AS kind, [sa.id] AS value
