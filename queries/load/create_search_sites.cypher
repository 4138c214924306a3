// name: load/create_search_sites
// params: rows, dataset
// returns: none
// purpose: Create the search sites of located locations (rows: {id, service, location, latitude, longitude, minAge, maxAge, needs, areaKeys, keys, confidential: true or null, hidden: true or null}; see loaders.search_sites).
UNWIND $rows AS row
CREATE (x:SearchSite {id: row.id, dataset: $dataset, service: row.service, location: row.location,
                      latitude: row.latitude, longitude: row.longitude,
                      point: point({latitude: row.latitude, longitude: row.longitude}),
                      needs: row.needs, areaKeys: row.areaKeys, keys: row.keys})
SET x.minAge = row.minAge, x.maxAge = row.maxAge, x.hidden = row.hidden, x.confidential = row.confidential
