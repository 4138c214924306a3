// name: load/record_dataset
// params: id, format, path, loadedAt, loadId, counts, warnings, searchIndex
// returns: none
// purpose: Record a load's provenance: format, source path, time, the load's own id (readers key what they derive from the graph on it: two loads in one second differ), counts (JSON text) and warning count, and the version of the search sites it built.
MERGE (d:Dataset {id: $id})
SET d.format = $format, d.path = $path, d.loadedAt = $loadedAt, d.loadId = $loadId, d.counts = $counts,
    d.warnings = $warnings, d.dataset = $id, d.searchIndex = $searchIndex
