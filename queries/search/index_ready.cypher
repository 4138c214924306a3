// name: search/index_ready
// params: version
// returns: one
// purpose: How many datasets are loaded and how many built search sites of this version: the search scans sites only when every dataset has them (a graph loaded by an older version is searched the slow way until reloaded).
MATCH (d:Dataset)
RETURN count(d) AS datasets, count(CASE WHEN d.searchIndex = $version THEN 1 END) AS ready
