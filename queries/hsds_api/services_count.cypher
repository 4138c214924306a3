// name: hsds_api/services_count
// params: staff, staffOnlyMark
// returns: scalar
// purpose: How many services the caller may see (a staff-only record, $staffOnlyMark in staffOnly, only when $staff).
MATCH (s:Service)
WHERE $staff OR s.staffOnly IS NULL OR NOT $staffOnlyMark IN s.staffOnly
RETURN count(s) AS count
