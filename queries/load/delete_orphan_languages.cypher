// name: load/delete_orphan_languages
// params: -
// returns: none
// purpose: Drop Language nodes nothing is offered in any more (after a --replace).
MATCH (l:Language)
WHERE NOT (l)<-[:OFFERED_IN]-()
DELETE l
