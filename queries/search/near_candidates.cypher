// name: search/near_candidates
// params: latitude, longitude, meters, age
// returns: many
// purpose: Services with a location within $meters of the point (the point index does the work), age-filtered when $age is given.
MATCH (l:Location)
WHERE point.distance(l.point, point({latitude: $latitude, longitude: $longitude})) <= $meters
MATCH (l)<-[:AT]-(:ServiceAtLocation)<-[:DELIVERED_AT]-(s:Service)
WHERE $age IS NULL OR ((s.minimumAge IS NULL OR s.minimumAge <= $age) AND (s.maximumAge IS NULL OR s.maximumAge >= $age))
RETURN DISTINCT s.id AS id
