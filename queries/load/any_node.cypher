// name: load/any_node
// params: -
// returns: many
// template: label
// purpose: One node of a label, if the graph has any: decides whether a load may take the create-only fast path.
MATCH (n:{label})
RETURN n.id AS id
LIMIT 1
