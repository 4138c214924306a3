// name: search/service_facts
// params: ids, eligibilityLinkType
// returns: many
// purpose: What eligibility is judged from, per service: age limits, languages, eligibility-tagged populations, free text.
UNWIND $ids AS sid
MATCH (s:Service {id: sid})
OPTIONAL MATCH (s)-[:OFFERED_IN]->(lang:Language)
WITH s, collect(DISTINCT lang.code) AS languages
OPTIONAL MATCH (s)-[e:TAGGED]->(p:TaxonomyTerm)
WHERE e.linkType = $eligibilityLinkType
RETURN s.id AS id, s.minimumAge AS minimumAge, s.maximumAge AS maximumAge,
       s.eligibilityDescription AS eligibilityDescription, s.interpretationServices AS interpretationServices,
       languages, collect(DISTINCT [p.id, p.code, p.name]) AS populations
