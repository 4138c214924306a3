// name: load/set_area_extent_keys
// params: rows
// returns: none
// purpose: Set ServiceArea.extentKey, a digest of its extent (rows: {id, extentKey}), so the search finds every service area of a shape that covers a point in one index lookup.
UNWIND $rows AS row
MATCH (a:ServiceArea {id: row.id})
SET a.extentKey = row.extentKey
