// name: load/merge_nodes
// params: rows, dataset
// returns: none
// template: label
// purpose: Create or update nodes of one label by id (rows: {id, props}), stamping the dataset.
UNWIND $rows AS row
MERGE (n:{label} {id: row.id})
SET n += row.props, n.dataset = $dataset
