// name: search/need_candidates
// params: terms, excluded, age
// returns: many
// purpose: Services tagged with any of the terms (not as eligibility or sector), age-filtered when $age is given, with their located locations and service-area ids.
UNWIND $terms AS termId
MATCH (:TaxonomyTerm {id: termId})<-[g:TAGGED]-(s:Service)
WHERE g.linkType IS NULL OR NOT g.linkType IN $excluded
WITH DISTINCT s
WHERE $age IS NULL OR ((s.minimumAge IS NULL OR s.minimumAge <= $age) AND (s.maximumAge IS NULL OR s.maximumAge >= $age))
OPTIONAL MATCH (s)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)
WHERE l.point IS NOT NULL
WITH s, collect(DISTINCT [l.id, l.latitude, l.longitude]) AS locations
OPTIONAL MATCH (s)-[:SERVES_AREA]->(sa:ServiceArea)
RETURN s.id AS id, locations, collect(sa.id) AS areas
