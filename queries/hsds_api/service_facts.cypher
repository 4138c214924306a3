// name: hsds_api/service_facts
// params: ids
// returns: many
// purpose: Of these service ids, those that exist, with what the HSDS list filters check in Python: lastModified and staffOnly (starts from the id index).
UNWIND $ids AS id
MATCH (s:Service {id: id})
RETURN s.id AS id, s.lastModified AS lastModified, s.staffOnly AS staffOnly
