// name: load/delete_dataset_nodes
// params: dataset, shared
// returns: none
// purpose: Remove the nodes (and their relationships) a dataset brought, except shared vocabulary labels.
MATCH (n)
WHERE n.dataset = $dataset AND NONE(label IN labels(n) WHERE label IN $shared)
DETACH DELETE n
