// name: directory/organizations
// params: search, sector, sectorLinkType
// returns: many
// purpose: Organizations whose name contains $search (case-insensitive; any when null) in sector $sector (term id or code; any when null), by name then id.
MATCH (o:Organization)
WHERE $search IS NULL OR toLower(o.name) CONTAINS toLower($search)
OPTIONAL MATCH (o)-[g:TAGGED]->(t:TaxonomyTerm)
WHERE g.linkType = $sectorLinkType
WITH o, collect(properties(t)) AS sectors
WHERE $sector IS NULL OR any(s IN sectors WHERE s.id = $sector OR s.code = $sector)
RETURN properties(o) AS organization, sectors
ORDER BY o.name, o.id
