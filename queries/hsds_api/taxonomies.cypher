// name: hsds_api/taxonomies
// params: -
// returns: many
// purpose: Every taxonomy's id, name and description (few: the HSDS /taxonomies list searches and orders them in Python).
MATCH (t:Taxonomy)
RETURN t.id AS id, t.name AS name, t.description AS description
