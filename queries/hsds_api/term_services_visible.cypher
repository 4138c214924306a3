// name: hsds_api/term_services_visible
// params: id, staff, staffOnlyMark
// returns: one
// purpose: The ids of the services tagged with term $id or a narrower term (BROADER*) that the caller may see (a staff-only record, $staffOnlyMark in staffOnly, only when $staff), in one round trip (the HSDS list sorts and pages them, and keeps them per graph version). Starts from the term's id index.
MATCH (t:TaxonomyTerm {id: $id})
MATCH (b:TaxonomyTerm)-[:BROADER*0..]->(t)
MATCH (b)<-[:TAGGED]-(s:Service)
WITH DISTINCT s
WHERE $staff OR s.staffOnly IS NULL OR NOT $staffOnlyMark IN s.staffOnly
RETURN collect(s.id) AS ids
