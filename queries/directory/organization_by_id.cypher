// name: directory/organization_by_id
// params: id, sectorLinkType
// returns: many
// purpose: One organization's properties and its sector term (if tagged), by HSDS id.
MATCH (o:Organization {id: $id})
OPTIONAL MATCH (o)-[g:TAGGED]->(t:TaxonomyTerm)
WHERE g.linkType = $sectorLinkType
RETURN properties(o) AS organization, collect(properties(t)) AS sectors
