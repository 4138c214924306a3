// name: load/merge_nodes
// params: rows, dataset, loadId
// returns: none
// template: label
// purpose: Create or update nodes of one label by id (rows: {id, props}), stamping the dataset and the load.
UNWIND $rows AS row
MERGE (n:{label} {id: row.id})
SET n += row.props, n.dataset = $dataset, n.loadId = $loadId
