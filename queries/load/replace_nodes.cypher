// name: load/replace_nodes
// params: rows, dataset, loadId
// returns: none
// template: label
// purpose: For a --replace: create nodes of one label by id, or set an existing one's properties to exactly these (rows: {id, props}), stamping the dataset and the load. Updating in place keeps the relationships other datasets made to it (agency ties, area links).
UNWIND $rows AS row
MERGE (n:{label} {id: row.id})
SET n = row.props, n.id = row.id, n.dataset = $dataset, n.loadId = $loadId
