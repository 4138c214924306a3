// name: search/area_candidates
// params: areas, age
// returns: many
// purpose: Services serving any of the given service areas (those covering the point), age-filtered when $age is given.
UNWIND $areas AS areaId
MATCH (:ServiceArea {id: areaId})<-[:SERVES_AREA]-(s:Service)
WHERE $age IS NULL OR ((s.minimumAge IS NULL OR s.minimumAge <= $age) AND (s.maximumAge IS NULL OR s.maximumAge >= $age))
RETURN DISTINCT s.id AS id
