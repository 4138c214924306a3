// name: analytics/agencies
// params: -
// returns: many
// purpose: Every organization's id, name and stated sector (the sector property; see analytics/agency_sectors for sector terms).
MATCH (o:Organization)
RETURN o.id AS id, o.name AS name, o.sector AS sector
ORDER BY id
