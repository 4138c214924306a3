// name: hsds_api/services_page
// params: staff, staffOnlyMark, skip, limit
// returns: many
// purpose: One page of every service the caller may see (a staff-only record, $staffOnlyMark in staffOnly, only when $staff), by id: the unfiltered HSDS /services list without shipping every id.
MATCH (s:Service)
WHERE $staff OR s.staffOnly IS NULL OR NOT $staffOnlyMark IN s.staffOnly
RETURN s.id AS id
ORDER BY id
SKIP $skip
LIMIT $limit
