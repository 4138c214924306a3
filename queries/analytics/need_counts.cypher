// name: analytics/need_counts
// params: needs, fromMonth, toMonth
// returns: many
// purpose: Need counts (de-identified aggregates) per calendar quarter (YYYY-Qn), area, need and outcome, summed over the months from $fromMonth to $toMonth (YYYY-MM, inclusive; open when null), for the needs named (ids or codes; all when null).
MATCH (n:NeedCount)-[:IN_AREA]->(a:Area)
WHERE ($needs IS NULL OR n.need IN $needs)
  AND ($fromMonth IS NULL OR n.month >= $fromMonth)
  AND ($toMonth IS NULL OR n.month <= $toMonth)
WITH substring(n.month, 0, 4) + '-Q' + toString((toInteger(substring(n.month, 5, 2)) + 2) / 3) AS quarter,
     a.id AS area, n.need AS need, n.outcome AS outcome, n.count AS count
RETURN quarter, area, need, outcome, sum(count) AS count
