// name: hsds_api/organization_services_visible
// params: id, staff, staffOnlyMark
// returns: one
// purpose: The ids of the services organization $id provides that the caller may see (a staff-only record, $staffOnlyMark in staffOnly, only when $staff; none at all of an organization that is such a record), in one round trip (the HSDS list sorts and pages them, and keeps them per graph version). Starts from the organization's id index.
MATCH (o:Organization {id: $id})
WHERE $staff OR o.staffOnly IS NULL OR NOT $staffOnlyMark IN o.staffOnly
MATCH (o)-[:PROVIDES]->(s:Service)
WHERE $staff OR s.staffOnly IS NULL OR NOT $staffOnlyMark IN s.staffOnly
RETURN collect(s.id) AS ids
