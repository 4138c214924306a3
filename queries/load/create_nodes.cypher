// name: load/create_nodes
// params: rows, dataset, loadId
// returns: none
// template: label
// purpose: Create nodes of one label that the graph has none of yet (rows: {id, props}): the fast path of a first load, with no lookups.
UNWIND $rows AS row
CREATE (n:{label})
SET n = row.props, n.id = row.id, n.dataset = $dataset, n.loadId = $loadId
