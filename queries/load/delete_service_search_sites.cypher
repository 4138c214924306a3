// name: load/delete_service_search_sites
// params: services
// returns: none
// purpose: Remove the search sites of these services that another dataset's load built (a service can move between datasets), before they are built afresh.
UNWIND $services AS serviceId
MATCH (x:SearchSite {service: serviceId})
DELETE x
