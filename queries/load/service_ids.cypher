// name: load/service_ids
// params: -
// returns: many
// purpose: The id of every Service, so a referral file may name the service a referral went to.
MATCH (s:Service)
RETURN s.id AS id
