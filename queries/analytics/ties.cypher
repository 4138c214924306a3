// name: analytics/ties
// params: -
// returns: many
// purpose: Every agency tie between two organizations, grouped by its first end and type: the ids at the other ends (one row per organization and type keeps the reply small).
MATCH (a:Organization)-[r:REFERS_TO|PARTNERS_WITH|SHARES_DATA_WITH|FUNDS|MEMBER_OF]->(b:Organization)
RETURN a.id AS source, type(r) AS type, collect(b.id) AS targets
