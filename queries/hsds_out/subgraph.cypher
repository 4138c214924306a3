// name: hsds_out/subgraph
// params: serviceRoots, organizationRoots, serviceAtLocationRoots, termRoots, services, serviceOwners, serviceLocations, organizations, organizationParents, providers, serviceAtLocations, serviceAtLocationServices, locations, contacts, phones, programs, schedules, serviceAreas, addresses, terms
// returns: many
// purpose: One breadth-first step of the HSDS record tree: for each id list (records of one label, and which of their relationships to follow), one row per (via, id, rel, edge, child, value): the branch, the record's id, the relationship type ('' for the record itself), the relationship's properties (of attributes and languages only: other relationships carry none worth reading), and the id and properties of the record at its other end. Each branch starts from the id index (UNWIND + MATCH by id), so a page of records costs one bulk traversal per branch, not one query per record.
UNWIND $serviceRoots AS id
MATCH (x:Service {id: id})
RETURN 'serviceRoots' AS via, id, '' AS rel, null AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $organizationRoots AS id
MATCH (x:Organization {id: id})
RETURN 'organizationRoots' AS via, id, '' AS rel, null AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $serviceAtLocationRoots AS id
MATCH (x:ServiceAtLocation {id: id})
RETURN 'serviceAtLocationRoots' AS via, id, '' AS rel, null AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $termRoots AS id
MATCH (x:TaxonomyTerm {id: id})
RETURN 'termRoots' AS via, id, '' AS rel, null AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $services AS id
MATCH (:Service {id: id})-[r:HAS_PHONE|HAS_SCHEDULE|SERVES_AREA|OFFERED_IN|HAS_FUNDING|HAS_COST_OPTION|REQUIRES_DOCUMENT|HAS_CONTACT|TAGGED]->(x)
RETURN 'services' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $serviceOwners AS id
MATCH (:Service {id: id})<-[r:PROVIDES|INCLUDES]-(x)
RETURN 'serviceOwners' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $serviceLocations AS id
MATCH (:Service {id: id})-[r:DELIVERED_AT]->(x)
RETURN 'serviceLocations' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $organizations AS id
MATCH (:Organization {id: id})-[r:HAS_FUNDING|HAS_CONTACT|HAS_PHONE|HAS_LOCATION|RUNS|HAS_IDENTIFIER|TAGGED]->(x)
RETURN 'organizations' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $organizationParents AS id
MATCH (:Organization {id: id})<-[r:PARENT_OF]-(x)
RETURN 'organizationParents' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $providers AS id
MATCH (:Organization {id: id})-[r:PROVIDES]->(x)
RETURN 'providers' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $serviceAtLocations AS id
MATCH (:ServiceAtLocation {id: id})-[r:AT|HAS_CONTACT|HAS_PHONE|HAS_SCHEDULE|TAGGED]->(x)
RETURN 'serviceAtLocations' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $serviceAtLocationServices AS id
MATCH (:ServiceAtLocation {id: id})<-[r:DELIVERED_AT]-(x)
RETURN 'serviceAtLocationServices' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $locations AS id
MATCH (:Location {id: id})-[r:HAS_ADDRESS|HAS_ACCESSIBILITY|HAS_PHONE|HAS_SCHEDULE|OFFERED_IN|HAS_CONTACT|TAGGED]->(x)
RETURN 'locations' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $contacts AS id
MATCH (:Contact {id: id})-[r:HAS_PHONE|TAGGED]->(x)
RETURN 'contacts' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $phones AS id
MATCH (:Phone {id: id})-[r:OFFERED_IN|TAGGED]->(x)
RETURN 'phones' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $programs AS id
MATCH (:Program {id: id})-[r:TAGGED]->(x)
RETURN 'programs' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $schedules AS id
MATCH (:Schedule {id: id})-[r:TAGGED]->(x)
RETURN 'schedules' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $serviceAreas AS id
MATCH (:ServiceArea {id: id})-[r:TAGGED]->(x)
RETURN 'serviceAreas' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $addresses AS id
MATCH (:Address {id: id})-[r:TAGGED]->(x)
RETURN 'addresses' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
UNION ALL
UNWIND $terms AS id
MATCH (:TaxonomyTerm {id: id})-[r:IN_TAXONOMY|BROADER]->(x)
RETURN 'terms' AS via, id, type(r) AS rel, CASE WHEN type(r) IN ['TAGGED', 'OFFERED_IN'] THEN properties(r) END AS edge, x.id AS child, properties(x) AS value
