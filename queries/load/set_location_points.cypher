// name: load/set_location_points
// params: rows
// returns: none
// purpose: Set Location.point from latitude/longitude (rows: {id, latitude, longitude}) so the point index can serve distance queries.
UNWIND $rows AS row
MATCH (l:Location {id: row.id})
SET l.point = point({latitude: row.latitude, longitude: row.longitude})
