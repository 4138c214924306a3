// name: load/delete_dataset_relationships
// params: dataset, loadId, shared
// returns: none
// purpose: After a --replace has written: remove the dataset's relationships its new load did not write ($loadId), except those between two shared vocabulary nodes (a term's BROADER link, which another dataset may declare too).
MATCH (a)-[r]->(b)
WHERE r.dataset = $dataset AND coalesce(r.loadId, '') <> $loadId
  AND NOT (any(label IN labels(a) WHERE label IN $shared) AND any(label IN labels(b) WHERE label IN $shared))
DELETE r
