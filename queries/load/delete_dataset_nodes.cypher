// name: load/delete_dataset_nodes
// params: dataset, loadId, shared
// returns: none
// purpose: After a --replace has written: remove the dataset's nodes its new load did not write ($loadId), and their relationships, except shared vocabulary labels (see load/delete_stale_vocabulary).
MATCH (n)
WHERE n.dataset = $dataset AND coalesce(n.loadId, '') <> $loadId AND NONE(label IN labels(n) WHERE label IN $shared)
DETACH DELETE n
