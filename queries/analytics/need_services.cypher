// name: analytics/need_services
// params: terms, unlisted, nonNeedLinkTypes
// returns: many
// purpose: Listed services tagged (as a need) with one of the terms, with the matching terms. Starts from the terms' index; the status test comes after the traversal so the planner does not start from every service.
UNWIND $terms AS tid
MATCH (t:TaxonomyTerm {id: tid})<-[g:TAGGED]-(s:Service)
WHERE g.linkType IS NULL OR NOT g.linkType IN $nonNeedLinkTypes
WITH s, collect(DISTINCT t.id) AS needs
WHERE s.status IS NULL OR NOT toLower(s.status) IN $unlisted
RETURN s.id AS id, needs
