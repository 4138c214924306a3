// name: search/service_details
// params: ids
// returns: many
// purpose: Everything a result page shows of each service, in one round trip: organization, locations with addresses, tagged terms, languages, phones, contacts with their phones, schedules, service areas.
UNWIND $ids AS sid
MATCH (s:Service {id: sid})
OPTIONAL MATCH (o:Organization)-[:PROVIDES]->(s)
WITH s, collect(DISTINCT properties(o)) AS organizations
OPTIONAL MATCH (s)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)
OPTIONAL MATCH (l)-[:HAS_ADDRESS]->(a:Address)
WITH s, organizations, collect(DISTINCT [l.id, properties(l), properties(a)]) AS locations
OPTIONAL MATCH (s)-[g:TAGGED]->(t:TaxonomyTerm)
WITH s, organizations, locations, collect(DISTINCT [g.linkType, properties(t)]) AS terms
OPTIONAL MATCH (s)-[:OFFERED_IN]->(lang:Language)
WITH s, organizations, locations, terms, collect(DISTINCT lang.code) AS languages
OPTIONAL MATCH (s)-[:HAS_PHONE]->(ph:Phone)
WITH s, organizations, locations, terms, languages, collect(DISTINCT properties(ph)) AS phones
OPTIONAL MATCH (s)-[:HAS_CONTACT]->(c:Contact)
OPTIONAL MATCH (c)-[:HAS_PHONE]->(cp:Phone)
WITH s, organizations, locations, terms, languages, phones, collect(DISTINCT [c.id, properties(c), properties(cp)]) AS contacts
OPTIONAL MATCH (s)-[:HAS_SCHEDULE]->(own:Schedule)
WITH s, organizations, locations, terms, languages, phones, contacts, collect(DISTINCT properties(own)) AS schedules
OPTIONAL MATCH (s)-[:SERVES_AREA]->(sa:ServiceArea)
RETURN s.id AS id, properties(s) AS service, organizations, locations, terms, languages, phones, contacts, schedules,
       collect(DISTINCT [sa.id, sa.name, sa.description]) AS areas
