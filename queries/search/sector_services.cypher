// name: search/sector_services
// params: ids, sectors, sectorLinkType
// returns: many
// purpose: Which of the service ids belong to an organization tagged with one of the sector terms (e.g. police), to leave them out of crisis diversion.
UNWIND $ids AS sid
MATCH (o:Organization)-[:PROVIDES]->(s:Service {id: sid})
MATCH (o)-[g:TAGGED]->(t:TaxonomyTerm)
WHERE g.linkType = $sectorLinkType AND (t.id IN $sectors OR t.code IN $sectors)
RETURN DISTINCT s.id AS id
