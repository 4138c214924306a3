// name: load/record_dataset
// params: id, format, path, loadedAt, counts, warnings, searchIndex
// returns: none
// purpose: Record a load's provenance: format, source path, time, counts (JSON text) and warning count, and the version of the search sites it built.
MERGE (d:Dataset {id: $id})
SET d.format = $format, d.path = $path, d.loadedAt = $loadedAt, d.counts = $counts,
    d.warnings = $warnings, d.dataset = $id, d.searchIndex = $searchIndex
