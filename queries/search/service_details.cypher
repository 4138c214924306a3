// name: search/service_details
// params: ids, kinds, serviceKeys, organizationKeys, locationKeys, addressKeys, termKeys
// returns: many
// purpose: Everything a result page shows of each service, in one round trip: one row per (service id, kind, value), kind being service (the values of $serviceKeys, in order), organization (of $organizationKeys), location ([id, values of $locationKeys, [values of $addressKeys of each of its addresses]]), term ([linkType, values of $termKeys]), language (code), phone ([source, location id or null, properties]: the service's own phones, those of each service at location and of each location it is delivered at, and its organization's), contact ([id, properties, phone properties]), schedule, area ([id, name, description]), residency ([area id, name, extent]). Whole patterns, no chain of per-row OPTIONAL MATCHes: FalkorDB traverses each in bulk. Only the kinds named in $kinds are read (the service's own row always), and of services, organizations, locations, addresses and terms only the properties their key lists name: a page shows what its query selects, and a description or URL nobody asked for is not sent.
MATCH (s:Service)
WHERE s.id IN $ids
RETURN s.id AS id, 'service' AS kind, [k IN $serviceKeys | s[k]] AS value
UNION ALL
MATCH (o:Organization)-[:PROVIDES]->(s:Service)
WHERE s.id IN CASE WHEN 'organization' IN $kinds THEN $ids ELSE [] END
RETURN DISTINCT s.id AS id, 'organization' AS kind, [k IN $organizationKeys | o[k]] AS value
UNION ALL
MATCH (s:Service)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)
WHERE s.id IN CASE WHEN 'location' IN $kinds THEN $ids ELSE [] END
WITH DISTINCT s, l
RETURN s.id AS id, 'location' AS kind,
       [l.id, [k IN $locationKeys | l[k]], [(l)-[:HAS_ADDRESS]->(a:Address) | [k IN $addressKeys | a[k]]]] AS value
UNION ALL
MATCH (s:Service)-[g:TAGGED]->(t:TaxonomyTerm)
WHERE s.id IN CASE WHEN 'term' IN $kinds THEN $ids ELSE [] END
RETURN DISTINCT s.id AS id, 'term' AS kind, [g.linkType, [k IN $termKeys | t[k]]] AS value
UNION ALL
MATCH (s:Service)-[:OFFERED_IN]->(lang:Language)
WHERE s.id IN CASE WHEN 'language' IN $kinds THEN $ids ELSE [] END
RETURN DISTINCT s.id AS id, 'language' AS kind, lang.code AS value
UNION ALL
MATCH (s:Service)-[:HAS_PHONE]->(ph:Phone)
WHERE s.id IN CASE WHEN 'phone' IN $kinds THEN $ids ELSE [] END
RETURN DISTINCT s.id AS id, 'phone' AS kind, ['service', null, properties(ph)] AS value
UNION ALL
MATCH (s:Service)-[:DELIVERED_AT]->(sal:ServiceAtLocation)-[:AT]->(l:Location)
WHERE s.id IN CASE WHEN 'phone' IN $kinds THEN $ids ELSE [] END
MATCH (sal)-[:HAS_PHONE]->(ph:Phone)
RETURN DISTINCT s.id AS id, 'phone' AS kind, ['serviceAtLocation', l.id, properties(ph)] AS value
UNION ALL
MATCH (s:Service)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)-[:HAS_PHONE]->(ph:Phone)
WHERE s.id IN CASE WHEN 'phone' IN $kinds THEN $ids ELSE [] END
RETURN DISTINCT s.id AS id, 'phone' AS kind, ['location', l.id, properties(ph)] AS value
UNION ALL
MATCH (o:Organization)-[:PROVIDES]->(s:Service)
WHERE s.id IN CASE WHEN 'phone' IN $kinds THEN $ids ELSE [] END
MATCH (o)-[:HAS_PHONE]->(ph:Phone)
RETURN DISTINCT s.id AS id, 'phone' AS kind, ['organization', null, properties(ph)] AS value
UNION ALL
MATCH (s:Service)-[:HAS_CONTACT]->(c:Contact)
WHERE s.id IN CASE WHEN 'contact' IN $kinds THEN $ids ELSE [] END
OPTIONAL MATCH (c)-[:HAS_PHONE]->(cp:Phone)
RETURN DISTINCT s.id AS id, 'contact' AS kind, [c.id, properties(c), properties(cp)] AS value
UNION ALL
MATCH (s:Service)-[:HAS_SCHEDULE]->(own:Schedule)
WHERE s.id IN CASE WHEN 'schedule' IN $kinds THEN $ids ELSE [] END
RETURN DISTINCT s.id AS id, 'schedule' AS kind, properties(own) AS value
UNION ALL
MATCH (s:Service)-[:SERVES_AREA]->(sa:ServiceArea)
WHERE s.id IN CASE WHEN 'area' IN $kinds THEN $ids ELSE [] END
RETURN DISTINCT s.id AS id, 'area' AS kind, [sa.id, sa.name, sa.description] AS value
UNION ALL
MATCH (s:Service)-[:RESIDENTS_OF]->(a:Area)
WHERE s.id IN CASE WHEN 'residency' IN $kinds THEN $ids ELSE [] END
RETURN DISTINCT s.id AS id, 'residency' AS kind, [a.id, a.name, a.extent] AS value

