// name: analytics/ties
// params: -
// returns: many
// purpose: Every agency tie between two organizations: its ends, type and weight.
MATCH (a:Organization)-[r:REFERS_TO|PARTNERS_WITH|SHARES_DATA_WITH|FUNDS|MEMBER_OF]->(b:Organization)
RETURN a.id AS source, b.id AS target, type(r) AS type, r.weight AS weight
