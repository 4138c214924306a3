// name: hsds_api/organization_facts
// params: ids
// returns: many
// purpose: Of these organization ids, those that exist, with staffOnly (starts from the id index).
UNWIND $ids AS id
MATCH (o:Organization {id: id})
RETURN o.id AS id, o.staffOnly AS staffOnly
