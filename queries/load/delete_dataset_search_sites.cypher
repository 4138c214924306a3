// name: load/delete_dataset_search_sites
// params: dataset
// returns: none
// purpose: Remove the search sites a dataset's previous load built, before they are built afresh.
MATCH (x:SearchSite)
WHERE x.dataset = $dataset
DELETE x
