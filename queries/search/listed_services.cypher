// name: search/listed_services
// params: ids, unlisted, staffOnlyMark, staff
// returns: many
// purpose: Of these services, those the search may offer: not of an unlisted status ($unlisted: inactive, defunct), and not a staff-only record ($staffOnlyMark in staffOnly) unless the caller is $staff.
MATCH (s:Service)
WHERE s.id IN $ids
  AND (s.status IS NULL OR NOT toLower(s.status) IN $unlisted)
  AND ($staff OR s.staffOnly IS NULL OR NOT $staffOnlyMark IN s.staffOnly)
RETURN s.id AS id
