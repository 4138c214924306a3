// name: load/merge_relationships
// params: rows, dataset, loadId
// returns: none
// template: from, type, to
// purpose: Create or update relationships of one kind by id between existing nodes (rows: {id, from, to, props}).
UNWIND $rows AS row
MATCH (a:{from} {id: row.from})
MATCH (b:{to} {id: row.to})
MERGE (a)-[r:{type} {id: row.id}]->(b)
SET r += row.props, r.dataset = $dataset, r.loadId = $loadId
