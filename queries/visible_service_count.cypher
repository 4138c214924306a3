// name: visible_service_count
// params: staffOnlyMark, staff
// returns: scalar
// purpose: How many services the caller may know of: all for $staff, else those not marked a staff-only record ($staffOnlyMark in staffOnly).
MATCH (s:Service)
WHERE $staff OR s.staffOnly IS NULL OR NOT $staffOnlyMark IN s.staffOnly
RETURN count(s) AS count
