// name: service_count
// params: -
// returns: scalar
// purpose: How many services the graph holds.
MATCH (s:Service)
RETURN count(s) AS count
