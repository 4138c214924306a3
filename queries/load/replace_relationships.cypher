// name: load/replace_relationships
// params: rows, dataset, loadId
// returns: none
// template: from, type, to
// purpose: For a --replace: create relationships of one kind by id, or set an existing one's properties to exactly these (rows: {id, from, to, props}).
UNWIND $rows AS row
MATCH (a:{from} {id: row.from})
MATCH (b:{to} {id: row.to})
MERGE (a)-[r:{type} {id: row.id}]->(b)
SET r = row.props, r.id = row.id, r.dataset = $dataset, r.loadId = $loadId
