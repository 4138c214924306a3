// name: hsds_api/organization_services
// params: id, staff, staffOnlyMark
// returns: many
// purpose: Ids of the services organization $id provides, none when the organization is a staff-only record ($staffOnlyMark in staffOnly) and the caller is not $staff (the public is not told it exists); starts from the organization's id index.
MATCH (o:Organization {id: $id})
WHERE $staff OR o.staffOnly IS NULL OR NOT $staffOnlyMark IN o.staffOnly
MATCH (o)-[:PROVIDES]->(s:Service)
RETURN s.id AS id
