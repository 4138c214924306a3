// name: stats_relationships
// params: -
// returns: many
// purpose: Relationship count per type, for `safetynet db stats`.
MATCH ()-[r]->()
RETURN type(r) AS type, count(*) AS count
ORDER BY type
