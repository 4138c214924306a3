// name: load/delete_dataset_relationships
// params: dataset, shared
// returns: none
// purpose: Remove the relationships a dataset brought between nodes that other datasets keep, except those between two shared vocabulary nodes (a term's BROADER link, which another dataset may declare too).
MATCH (a)-[r]->(b)
WHERE r.dataset = $dataset
  AND NOT (any(label IN labels(a) WHERE label IN $shared) AND any(label IN labels(b) WHERE label IN $shared))
DELETE r
