// name: load/area_ids
// params: -
// returns: many
// purpose: The id of every planning Area, so need counts from a referral file attach only to areas the graph has.
MATCH (a:Area)
RETURN a.id AS id
