// name: analytics/need_counts
// params: needs, fromMonth, toMonth
// returns: many
// purpose: Need counts (de-identified aggregates) per area, need and outcome, summed over the months from $fromMonth to $toMonth (YYYY-MM, inclusive; open when null), for the needs named (ids or codes; all when null).
MATCH (n:NeedCount)-[:IN_AREA]->(a:Area)
WHERE ($needs IS NULL OR n.need IN $needs)
  AND ($fromMonth IS NULL OR n.month >= $fromMonth)
  AND ($toMonth IS NULL OR n.month <= $toMonth)
RETURN a.id AS area, n.need AS need, n.outcome AS outcome, sum(n.count) AS count
