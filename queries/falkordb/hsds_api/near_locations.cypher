// name: hsds_api/near_locations
// params: latitude, longitude, meters
// returns: many
// purpose: Located locations within $meters of the point by the engine's distance (the point index does the work; the caller pads $meters and applies the exact haversine test to latitude/longitude), with staffOnly.
MATCH (l:Location)
WHERE distance(l.point, point({latitude: $latitude, longitude: $longitude})) <= $meters
RETURN l.id AS id, l.latitude AS latitude, l.longitude AS longitude, l.staffOnly AS staffOnly
