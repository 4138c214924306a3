// name: directory/organizations
// params: search, sector, sectorLinkType, staff, staffOnlyMark, offset, limit
// returns: many
// purpose: A page ($offset, $limit) of the organizations whose name contains $search (case-insensitive; any when null) in sector $sector (term id or code; any when null), by name then id. Not $staff: no staff-only record ($staffOnlyMark in staffOnly), and with $search none whose name its source marked private (no oracle: a search must not tell a private name). Counted by directory/organization_count.
MATCH (o:Organization)
WHERE ($search IS NULL OR toLower(o.name) CONTAINS toLower($search))
  AND ($staff OR o.staffOnly IS NULL
       OR (NOT $staffOnlyMark IN o.staffOnly AND ($search IS NULL OR NOT 'name' IN o.staffOnly)))
OPTIONAL MATCH (o)-[g:TAGGED]->(t:TaxonomyTerm)
WHERE g.linkType = $sectorLinkType
WITH o, collect(properties(t)) AS sectors
WHERE $sector IS NULL OR any(s IN sectors WHERE s.id = $sector OR s.code = $sector)
RETURN properties(o) AS organization, sectors
ORDER BY o.name, o.id
SKIP $offset
LIMIT $limit
