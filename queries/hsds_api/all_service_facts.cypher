// name: hsds_api/all_service_facts
// params: -
// returns: many
// purpose: Every service with lastModified and staffOnly: the HSDS list's candidates when no index-backed filter narrows them (modified_after alone has no index).
MATCH (s:Service)
RETURN s.id AS id, s.lastModified AS lastModified, s.staffOnly AS staffOnly
