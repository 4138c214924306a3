// name: hsds_api/organization_services_visible
// params: id, staff, staffOnlyMark
// returns: one
// purpose: The ids of the services organization $id provides that the caller may see (a staff-only record, $staffOnlyMark in staffOnly, only when $staff), in one round trip (the HSDS list sorts and pages them, and keeps them per graph version). Starts from the organization's id index.
MATCH (:Organization {id: $id})-[:PROVIDES]->(s:Service)
WHERE $staff OR s.staffOnly IS NULL OR NOT $staffOnlyMark IN s.staffOnly
RETURN collect(s.id) AS ids
