// name: stats_labels
// params: -
// returns: many
// purpose: Node count per label, for `safetynet db stats`.
MATCH (n)
UNWIND labels(n) AS label
RETURN label, count(*) AS count
ORDER BY label
