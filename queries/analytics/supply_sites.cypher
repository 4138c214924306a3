// name: analytics/supply_sites
// params: terms, unlisted, nonNeedLinkTypes
// returns: many
// purpose: Each (listed service, located location) where a service tagged with one of the need terms is delivered: the supply sites of accessibility scores. Starts from the terms' index.
UNWIND $terms AS tid
MATCH (t:TaxonomyTerm {id: tid})<-[g:TAGGED]-(s:Service)
WHERE g.linkType IS NULL OR NOT g.linkType IN $nonNeedLinkTypes
WITH DISTINCT s
WHERE s.status IS NULL OR NOT toLower(s.status) IN $unlisted
MATCH (s)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)
WHERE l.latitude IS NOT NULL AND l.longitude IS NOT NULL
RETURN DISTINCT s.id AS service, l.id AS location, l.latitude AS latitude, l.longitude AS longitude
