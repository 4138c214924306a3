// name: directory/organizations_services
// params: ids, staff, staffOnlyMark
// returns: many
// purpose: The services of each of these organizations, one row per (organization id, service id), by organization then service name and id; not $staff: no staff-only service record ($staffOnlyMark in staffOnly).
MATCH (o:Organization)-[:PROVIDES]->(s:Service)
WHERE o.id IN $ids
  AND ($staff OR s.staffOnly IS NULL OR NOT $staffOnlyMark IN s.staffOnly)
RETURN o.id AS organizationId, s.id AS id
ORDER BY o.id, s.name, s.id
