// name: load/any_relationship
// params: -
// returns: many
// template: from, type, to
// purpose: One relationship of a kind, if the graph has any: decides whether a load may take the create-only fast path.
MATCH (:{from})-[r:{type}]->(:{to})
RETURN r.id AS id
LIMIT 1
