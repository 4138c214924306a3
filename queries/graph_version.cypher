// name: graph_version
// params: -
// returns: many
// purpose: Every recorded load's dataset id and load id. Every write to the graph is a load that records a fresh load id on its Dataset (loaders/writer.py), so these pairs change exactly when the graph does: what is built from the graph (the HSDS API's ready-made documents) is keyed by them.
MATCH (d:Dataset)
RETURN d.id AS id, d.loadId AS loadId
ORDER BY id
