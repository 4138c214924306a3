// name: analytics/agency_sectors
// params: sectorLinkType
// returns: many
// purpose: Organizations tagged with a sector term: (organization id, term id) pairs. Separate from analytics/agencies: an OPTIONAL MATCH per organization costs FalkorDB twice as much.
MATCH (o:Organization)-[g:TAGGED]->(t:TaxonomyTerm)
WHERE g.linkType = $sectorLinkType
RETURN o.id AS id, t.id AS sector
