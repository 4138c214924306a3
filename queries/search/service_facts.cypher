// name: search/service_facts
// params: ids, eligibilityLinkType
// returns: many
// purpose: What eligibility is judged from, for the services with these ids: one row per service, its facts a list of [kind, value]: ['service', [minimumAge, maximumAge, eligibilityDescription, interpretationServices, derived?, staffOnly, derivedFields]], one ['language', [code]] per language, one ['population', [id, code, name]] per eligibility-tagged population, one ['residency', [id, name, extent]] per area it serves residents of. (Neo4j pays per row returned, so the lists are gathered in one row; FalkorDB's form gives one fact per row, its UNION being faster there.)
MATCH (s:Service)
WHERE s.id IN $ids
RETURN s.id AS id,
       [['service', [s.minimumAge, s.maximumAge, s.eligibilityDescription, s.interpretationServices,
                     size(coalesce(s.derivedFields, [])) > 0, s.staffOnly, s.derivedFields]]]
       + [(s)-[:OFFERED_IN]->(lang:Language) | ['language', [lang.code]]]
       + [(s)-[e:TAGGED]->(p:TaxonomyTerm) WHERE e.linkType = $eligibilityLinkType | ['population', [p.id, p.code, p.name]]]
       + [(s)-[:RESIDENTS_OF]->(a:Area) | ['residency', [a.id, a.name, a.extent]]] AS facts
