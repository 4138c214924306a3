// name: analytics/referral_flows
// params: needs, fromMonth, toMonth
// returns: many
// purpose: Referral counts from organization to organization (a service recipient counts for its provider) per calendar quarter (YYYY-Qn), summed over the months from $fromMonth to $toMonth (YYYY-MM, inclusive; open when null), for the needs named (ids or codes; all when null).
MATCH (o:Organization)-[:SENT]->(f:ReferralFlow)-[:RECEIVED_BY]->(r)
WHERE ($needs IS NULL OR f.need IN $needs)
  AND ($fromMonth IS NULL OR f.month >= $fromMonth)
  AND ($toMonth IS NULL OR f.month <= $toMonth)
OPTIONAL MATCH (p:Organization)-[:PROVIDES]->(r)
WITH o, f, r, min(p.id) AS provider
WITH substring(f.month, 0, 4) + '-Q' + toString((toInteger(substring(f.month, 5, 2)) + 2) / 3) AS quarter,
     o.id AS source, coalesce(provider, r.id) AS target, f.need AS need, f.count AS count
RETURN quarter, source, target, need, sum(count) AS count
