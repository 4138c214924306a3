// name: load/delete_dataset_relationships
// params: dataset
// returns: none
// purpose: Remove the relationships a dataset brought between nodes that other datasets keep.
MATCH ()-[r]->()
WHERE r.dataset = $dataset
DELETE r
