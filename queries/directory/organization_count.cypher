// name: directory/organization_count
// params: search, sector, sectorLinkType, staff, staffOnlyMark
// returns: scalar
// purpose: How many organizations directory/organizations lists for these arguments (all its pages).
MATCH (o:Organization)
WHERE ($search IS NULL OR toLower(o.name) CONTAINS toLower($search))
  AND ($staff OR o.staffOnly IS NULL
       OR (NOT $staffOnlyMark IN o.staffOnly AND ($search IS NULL OR NOT 'name' IN o.staffOnly)))
OPTIONAL MATCH (o)-[g:TAGGED]->(t:TaxonomyTerm)
WHERE g.linkType = $sectorLinkType
WITH o, collect(properties(t)) AS sectors
WHERE $sector IS NULL OR any(s IN sectors WHERE s.id = $sector OR s.code = $sector)
RETURN count(o) AS total
