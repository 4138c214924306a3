// name: hsds_api/organization_records
// params: ids
// returns: many
// purpose: These organizations' stored properties (a page of the HSDS /organizations list); starts from the id index.
UNWIND $ids AS id
MATCH (o:Organization {id: id})
RETURN o.id AS id, properties(o) AS value
