// name: datasets
// params: -
// returns: many
// purpose: Every recorded load, newest first.
MATCH (d:Dataset)
RETURN d.id AS id, d.format AS format, d.path AS path, d.loadedAt AS loadedAt, d.loadId AS loadId, d.counts AS counts,
       d.warnings AS warnings
ORDER BY d.loadedAt DESC
