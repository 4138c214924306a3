// name: hsds_api/term_services_page
// params: id, staff, staffOnlyMark, skip, limit
// returns: one
// purpose: One page (by id) of the services tagged with term $id or a narrower term (BROADER*) that the caller may see (a staff-only record, $staffOnlyMark in staffOnly, only when $staff), and how many there are in all: one round trip, sorted in the engine, only the page's ids shipped. Starts from the term's id index.
MATCH (t:TaxonomyTerm {id: $id})
MATCH (b:TaxonomyTerm)-[:BROADER*0..]->(t)
MATCH (b)<-[:TAGGED]-(s:Service)
WITH DISTINCT s
WHERE $staff OR s.staffOnly IS NULL OR NOT $staffOnlyMark IN s.staffOnly
WITH s.id AS id
ORDER BY id
WITH collect(id) AS ids
RETURN size(ids) AS total, ids[$skip..$skip + $limit] AS ids
