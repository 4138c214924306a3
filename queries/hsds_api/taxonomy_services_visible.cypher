// name: hsds_api/taxonomy_services_visible
// params: id, staff, staffOnlyMark
// returns: one
// purpose: The ids of the services tagged with any term of taxonomy $id that the caller may see (a staff-only record, $staffOnlyMark in staffOnly, only when $staff), in one round trip (the HSDS list sorts and pages them, and keeps them per graph version). Starts from the taxonomy's id index.
MATCH (:Taxonomy {id: $id})<-[:IN_TAXONOMY]-(:TaxonomyTerm)<-[:TAGGED]-(s:Service)
WITH DISTINCT s
WHERE $staff OR s.staffOnly IS NULL OR NOT $staffOnlyMark IN s.staffOnly
RETURN collect(s.id) AS ids
