// name: load/create_area_search_sites
// params: rows, dataset
// returns: none
// purpose: Create the search sites, without a point, of services that only have service areas (rows: {id, service, minAge, maxAge, needs, areaKeys, keys, hidden: true or null}; see loaders.search_sites).
UNWIND $rows AS row
CREATE (x:SearchSite {id: row.id, dataset: $dataset, service: row.service, needs: row.needs, areaKeys: row.areaKeys,
                      keys: row.keys})
SET x.minAge = row.minAge, x.maxAge = row.maxAge, x.hidden = row.hidden
