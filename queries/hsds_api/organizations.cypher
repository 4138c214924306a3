// name: hsds_api/organizations
// params: -
// returns: many
// purpose: Every organization's id and staffOnly (the HSDS /organizations list filters and orders them in Python).
MATCH (o:Organization)
RETURN o.id AS id, o.staffOnly AS staffOnly
