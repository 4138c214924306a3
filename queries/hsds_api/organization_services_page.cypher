// name: hsds_api/organization_services_page
// params: id, staff, staffOnlyMark, skip, limit
// returns: one
// purpose: One page (by id) of the services organization $id provides that the caller may see (a staff-only record, $staffOnlyMark in staffOnly, only when $staff), and how many there are in all: one round trip, sorted in the engine. Starts from the organization's id index.
MATCH (:Organization {id: $id})-[:PROVIDES]->(s:Service)
WHERE $staff OR s.staffOnly IS NULL OR NOT $staffOnlyMark IN s.staffOnly
WITH s.id AS id
ORDER BY id
WITH collect(id) AS ids
RETURN size(ids) AS total, ids[$skip..$skip + $limit] AS ids
