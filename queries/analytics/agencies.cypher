// name: analytics/agencies
// params: sectorLinkType
// returns: many
// purpose: Every organization with its sector: the id of its sector term when tagged with one (the smallest id if several), else its sector property.
MATCH (o:Organization)
OPTIONAL MATCH (o)-[g:TAGGED]->(t:TaxonomyTerm)
WHERE g.linkType = $sectorLinkType
WITH o, min(t.id) AS sectorTerm
RETURN o.id AS id, o.name AS name, coalesce(sectorTerm, o.sector) AS sector
ORDER BY id
