// name: search/all_candidates
// params: age
// returns: many
// purpose: Every service, age-filtered when $age is given (a search with neither need, text nor point).
MATCH (s:Service)
WHERE $age IS NULL OR ((s.minimumAge IS NULL OR s.minimumAge <= $age) AND (s.maximumAge IS NULL OR s.maximumAge >= $age))
RETURN s.id AS id
