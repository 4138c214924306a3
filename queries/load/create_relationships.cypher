// name: load/create_relationships
// params: rows, dataset, loadId
// returns: none
// template: from, type, to
// purpose: Create relationships of a kind the graph has none of yet (rows: {id, from, to, props}): the fast path of a first load.
UNWIND $rows AS row
MATCH (a:{from} {id: row.from})
MATCH (b:{to} {id: row.to})
CREATE (a)-[r:{type}]->(b)
SET r = row.props, r.id = row.id, r.dataset = $dataset, r.loadId = $loadId
