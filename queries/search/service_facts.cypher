// name: search/service_facts
// params: ids, eligibilityLinkType
// returns: many
// purpose: What eligibility is judged from, for the services with these ids: one row per service (kind 'service': [minimumAge, maximumAge, eligibilityDescription, interpretationServices, derived?, staffOnly, derivedFields]), per language (kind 'language': [code]) and per eligibility-tagged population (kind 'population': [id, code, name]).
MATCH (s:Service)
WHERE s.id IN $ids
RETURN s.id AS id, 'service' AS kind,
       [s.minimumAge, s.maximumAge, s.eligibilityDescription, s.interpretationServices,
        size(coalesce(s.derivedFields, [])) > 0, s.staffOnly, s.derivedFields] AS value
UNION ALL
MATCH (s:Service)-[:OFFERED_IN]->(lang:Language)
WHERE s.id IN $ids
RETURN s.id AS id, 'language' AS kind, [lang.code] AS value
UNION ALL
MATCH (s:Service)-[e:TAGGED]->(p:TaxonomyTerm)
WHERE s.id IN $ids AND e.linkType = $eligibilityLinkType
RETURN s.id AS id, 'population' AS kind, [p.id, p.code, p.name] AS value
UNION ALL
MATCH (s:Service)-[:RESIDENTS_OF]->(a:Area)
WHERE s.id IN $ids
RETURN s.id AS id, 'residency' AS kind, [a.id, a.name, a.extent] AS value
