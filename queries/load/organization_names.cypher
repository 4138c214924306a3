// name: load/organization_names
// params: -
// returns: many
// purpose: Id and name of every Organization, so tie and referral files may name an organization by id or by exact name.
MATCH (o:Organization)
RETURN o.id AS id, o.name AS name
