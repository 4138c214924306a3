// name: stats_labels
// params: derived
// returns: many
// purpose: Node count per label, for `safetynet db stats`: the records loaded, not the derived labels (search sites) built from them.
MATCH (n)
UNWIND labels(n) AS label
WITH label WHERE NOT label IN $derived
RETURN label, count(*) AS count
ORDER BY label
