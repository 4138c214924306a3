// name: graph_version
// params: -
// returns: many
// purpose: Every recorded load's dataset id and load id (its time for a load recorded before load ids). Every write to the graph is a load that records a fresh load id on its Dataset (loaders/writer.py), so these pairs change exactly when the graph does: what is built from the graph (the HSDS API's ready-made documents) is keyed by them.
MATCH (d:Dataset)
RETURN d.id AS id, coalesce(d.loadId, d.loadedAt) AS loadId
ORDER BY id
