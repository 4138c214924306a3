// name: hsds_api/postcode_locations
// params: postcode, zipPrefix, postal
// returns: many
// purpose: Locations with a (non-$postal) address whose postal code, upper-cased without spaces, is $postcode or starts with $zipPrefix ("$postcode-": a ZIP+4 matches its ZIP), with latitude, longitude and staffOnly. No index on postalCode: a scan of the addresses.
MATCH (l:Location)-[:HAS_ADDRESS]->(a:Address)
WHERE a.postalCode IS NOT NULL AND (a.addressType IS NULL OR a.addressType <> $postal)
WITH l, replace(toUpper(a.postalCode), ' ', '') AS code
WHERE code = $postcode OR code STARTS WITH $zipPrefix
RETURN DISTINCT l.id AS id, l.latitude AS latitude, l.longitude AS longitude, l.staffOnly AS staffOnly
