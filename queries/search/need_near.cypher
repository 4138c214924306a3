// name: search/need_near
// params: keys, latitude, longitude, outer, inner, areaKeys, confidential, youngest, oldest, limit
// returns: one
// purpose: The front-line question in one pass over search sites: sites found by any of the lookup $keys (on Neo4j through the keyword full-text index of their `keys`, each key an exact Lucene phrase, escaped: graph/schema/neo4j.py; FalkorDB indexes list elements itself: queries/falkordb) (need terms paired with the grid cells around the point and the areas covering it, or the bare need terms: see loaders.search_sites) whose age limits admit some age from $youngest to $oldest (the resident's age for both, or -1 and 1000 for anyone), within $outer metres of the point or of a service whose area covers it ($areaKeys); a confidential site counts by its point only when $confidential (staff), else as if it had none, and a staff-only service's sites only then. Returns the count of services surely in (covered, or a site within $inner), the first $limit sites by distance (nulls last, then service id), and the sites in the boundary band ($inner, $outer] with which of their services are in anyway, for the caller to decide exactly.
CALL db.index.fulltext.queryNodes('search_site_keys',
       reduce(q = '', key IN $keys | q + CASE q WHEN '' THEN '' ELSE ' OR ' END
              + '"' + replace(replace(key, '\\', '\\\\'), '"', '\\"') + '"')) YIELD node AS x
WITH x WHERE x.minAge <= $oldest AND x.maxAge >= $youngest AND ($confidential OR x.hidden IS NULL)
WITH x, $confidential OR x.confidential IS NULL AS shown
WITH x, shown, CASE WHEN shown THEN point.distance(x.point, point({latitude: $latitude, longitude: $longitude})) END AS d,
     any(k IN x.areaKeys WHERE k IN $areaKeys) AS covered
WHERE d <= $outer OR covered
WITH x.service AS service, d, CASE WHEN shown THEN x.location END AS location,
     CASE WHEN shown THEN x.latitude END AS latitude, CASE WHEN shown THEN x.longitude END AS longitude,
     covered OR d <= $inner AS sure
ORDER BY d, service
WITH collect([service, d, location, latitude, longitude, sure]) AS rows,
     count(DISTINCT CASE WHEN sure THEN service END) AS sureServices
WITH rows, sureServices, [r IN rows WHERE NOT r[5] | r[0]] AS bandServices
RETURN sureServices, size(rows) AS siteCount, rows[0..$limit] AS top, [r IN rows WHERE NOT r[5]] AS band,
       [r IN rows WHERE r[5] AND r[0] IN bandServices | r[0]] AS sureInBand
