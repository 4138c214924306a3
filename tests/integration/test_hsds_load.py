"""Loading HSDS 3.0 sources into a real embedded FalkorDB, the way the CLI does: `parse_hsds`, then
`load_parsed`. Every test works on its own fresh graph; broken sources are damaged copies in tmp_path."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import DatabaseSettings
from loaders.hsds import parse_hsds
from loaders.load import LoadResult, load_parsed
from loaders.report import LoadRejected
from loaders.writer import plan_statements
from queries import reads
from tests.graph_snapshot import counts, snapshot
from tests.hsds_examples import EXAMPLE_CSV_WARNINGS, EXAMPLE_JSON_WARNINGS

SERVICE = "ac148810-d857-441c-9679-408f346de14b"
SERVICE_AT_LOCATION = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
ORGANIZATION = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
LOCATION = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
SCHEDULE = "48102e86-bb50-41c4-8f1e-e269368c41d1"
TERM = "3f7b145d-84af-42d7-8fae-eaca714b02b2"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Every HSDS record type of the examples, once each (plus the Dataset node of the load).
ONE_OF_EACH = {label: 1 for label in (
    "Accessibility", "Address", "Contact", "CostOption", "Dataset", "Funding", "Language", "Location", "Organization",
    "OrganizationIdentifier", "Phone", "Program", "RequiredDocument", "Schedule", "Service", "ServiceArea",
    "ServiceAtLocation", "Taxonomy", "TaxonomyTerm",
)}
CSV_RELATIONSHIPS = {
    "AT": 1, "DELIVERED_AT": 1, "HAS_ACCESSIBILITY": 1, "HAS_ADDRESS": 1, "HAS_CONTACT": 2, "HAS_COST_OPTION": 1,
    "HAS_FUNDING": 2, "HAS_IDENTIFIER": 1, "HAS_PHONE": 5, "HAS_SCHEDULE": 3, "INCLUDES": 1, "OFFERED_IN": 3,
    "PROVIDES": 1, "REQUIRES_DOCUMENT": 1, "RUNS": 1, "SERVES_AREA": 1,
}
JSON_RELATIONSHIPS = CSV_RELATIONSHIPS | {"HAS_CONTACT": 4, "HAS_LOCATION": 1, "IN_TAXONOMY": 1, "TAGGED": 1}


# --- helpers ------------------------------------------------------------------------------------------------

def _load(db: GraphEngine | None, path: Path, dataset_id: str, **options: Any) -> LoadResult:
    return load_parsed(db, parse_hsds(path), dataset_id=dataset_id, path=path, **options)


def _csv_copy(examples: Path, tmp_path: Path, name: str = "csv") -> Path:
    """A writable copy of the example CSV package (the shared originals are read-only)."""
    folder = tmp_path / name
    shutil.copytree(examples / "csv", folder)
    for file in folder.iterdir():
        file.chmod(0o644)
    return folder


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file.name}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _drop_rows_mentioning(folder: Path, *ids: str) -> None:
    """Remove every row of every table that names one of `ids` (its own id or a reference)."""
    for file in folder.glob("*.csv"):
        with file.open(encoding="utf-8-sig", newline="") as fh:
            header, *rows = list(csv.reader(fh))
        with file.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([header, *(row for row in rows if not set(ids) & set(row))])


def _prefix_ids(folder: Path, prefix: str) -> None:
    """Give every record (and every reference) of the package new ids: another organisation's data."""
    for file in folder.glob("*.csv"):
        file.write_text(UUID.sub(lambda m: prefix + m.group(0), file.read_text(encoding="utf-8")), encoding="utf-8")


# --- loading the examples ---------------------------------------------------------------------------------------

def test_the_example_csv_package_loads_every_record_and_relationship(db: GraphEngine, hsds_examples: Path) -> None:
    result = _load(db, hsds_examples / "csv", "examples")
    assert result.written and result.format == "hsds-csv" and result.records == 19
    assert counts(db) == (ONE_OF_EACH, CSV_RELATIONSHIPS)
    service = reads.service_by_id(db, id=SERVICE)
    assert (service.name, service.organization_id, service.organization_name) == (
        "Community Counselling", ORGANIZATION, "Example Organization Inc.")


def test_the_example_csv_warnings_are_reported_and_their_records_still_load(
    db: GraphEngine, hsds_examples: Path
) -> None:
    result = _load(db, hsds_examples / "csv", "examples")
    assert [str(w) for w in result.warnings] == EXAMPLE_CSV_WARNINGS
    location = db.read("MATCH (l:Location {id: $id}) RETURN l.name AS name, l.latitude AS latitude, "
                       "l.longitude AS longitude, l.point AS point", {"id": LOCATION})
    assert location == [{"name": "MyCity Civic Center", "latitude": None, "longitude": None, "point": None}]
    # The attribute's link_id names no record of the package, so the term is loaded but tags nothing.
    assert db.read("MATCH (t:TaxonomyTerm {id: $id}) RETURN t.name AS name, "
                   "size([(t)<-[:TAGGED]-() | 1]) AS tagged", {"id": TERM}) == [{"name": "name", "tagged": 0}]


def test_the_example_language_is_one_shared_node_offered_by_service_location_and_phone(
    db: GraphEngine, hsds_examples: Path
) -> None:
    _load(db, hsds_examples / "csv", "examples")
    rows = db.read("MATCH (x)-[r:OFFERED_IN]->(l:Language {code: 'ur'}) "
                   "RETURN labels(x)[0] AS owner, l.name AS language, r.note AS note ORDER BY owner")
    note = "Translation services provided via bilingual staff when they are available"
    assert rows == [{"owner": owner, "language": "Urdu", "note": note} for owner in ("Location", "Phone", "Service")]


def test_the_load_is_recorded_as_a_dataset_node_with_format_path_counts_and_warnings(
    db: GraphEngine, hsds_examples: Path
) -> None:
    result = _load(db, hsds_examples / "csv", "examples")
    (dataset,) = reads.datasets(db)
    assert (dataset.id, dataset.format, dataset.path, dataset.warnings) == (
        "examples", "hsds-csv", str(hsds_examples / "csv"), 8)
    assert json.loads(dataset.counts or "{}") == result.counts


def test_the_full_json_service_loads_its_nested_records_as_linked_nodes(db: GraphEngine, hsds_examples: Path) -> None:
    result = _load(db, hsds_examples / "service_full.json", "full")
    assert result.format == "hsds-json"
    assert [str(w) for w in result.warnings] == EXAMPLE_JSON_WARNINGS
    assert counts(db) == (ONE_OF_EACH, JSON_RELATIONSHIPS)
    # service_at_locations[0].location: Service -> ServiceAtLocation -> Location, the location kept without a point
    assert db.read(
        "MATCH (s:Service {id: $id})-[:DELIVERED_AT]->(sal:ServiceAtLocation)-[:AT]->(l:Location) "
        "RETURN sal.id AS sal, l.id AS location, l.point AS point", {"id": SERVICE}
    ) == [{"sal": SERVICE_AT_LOCATION, "location": LOCATION, "point": None}]
    # The schedule nested under the service, its service_at_location and its location is one node.
    assert db.read(
        "MATCH (x)-[:HAS_SCHEDULE]->(sc:Schedule) RETURN labels(x)[0] AS owner, sc.id AS id, "
        "sc.opensAt AS opens, sc.closesAt AS closes, sc.byday AS byday ORDER BY owner"
    ) == [{"owner": owner, "id": SCHEDULE, "opens": "10:00:00", "closes": "18:00:00", "byday": "TH,FR"}
          for owner in ("Location", "Service", "ServiceAtLocation")]
    assert db.read(
        "MATCH (:Service {id: $id})-[t:TAGGED]->(term:TaxonomyTerm)-[:IN_TAXONOMY]->(tx:Taxonomy) "
        "RETURN term.id AS term, t.linkType AS linkType, t.value AS value, tx.name AS taxonomy", {"id": SERVICE}
    ) == [{"term": TERM, "linkType": "link_type", "value": "value", "taxonomy": "name"}]
    phone_owners = db.read("MATCH (x)-[:HAS_PHONE]->(:Phone) RETURN labels(x)[0] AS owner ORDER BY owner")
    assert [r["owner"] for r in phone_owners] == ["Contact", "Location", "Organization", "Service",
                                                   "ServiceAtLocation"]


def test_a_json_page_of_services_loads_and_a_later_file_merges_onto_the_same_records(
    db: GraphEngine, hsds_examples: Path
) -> None:
    result = _load(db, hsds_examples / "service_list.json", "page")
    assert [str(w) for w in result.warnings] == [EXAMPLE_JSON_WARNINGS[1].replace("service_full", "service_list")]
    assert counts(db) == ({"Dataset": 1, "Organization": 1, "Program": 1, "Service": 1},
                          {"INCLUDES": 1, "PROVIDES": 1})
    assert reads.service_by_id(db, id=SERVICE).organization_name == "Example Organization Inc."
    _load(db, hsds_examples / "service_full.json", "full")
    labels, rels = counts(db)
    assert (labels, rels) == (ONE_OF_EACH | {"Dataset": 2}, JSON_RELATIONSHIPS)


# --- rejected loads write nothing --------------------------------------------------------------------------------

def _empty_service_name(folder: Path) -> Path:
    _edit(folder / "services.csv", ",Community Counselling,", ",,")
    return folder


def _duplicate_service(folder: Path) -> Path:
    file = folder / "services.csv"
    header, row = file.read_text(encoding="utf-8").splitlines(keepends=True)
    file.write_text(header + row + row, encoding="utf-8")
    return folder


def _service_of_no_organization(folder: Path) -> Path:
    _edit(folder / "services.csv", f"{SERVICE},{ORGANIZATION}", f"{SERVICE},no-such-organization")
    return folder


def _quote_inside_a_field(folder: Path) -> Path:
    _edit(folder / "programs.csv", ",Community Mental Health Support,", ',"Community" Mental Health Support,')
    return folder


def _unterminated_quote(folder: Path) -> Path:
    _edit(folder / "service_at_location.csv", ",Counselling Services", ',"Counselling Services')
    return folder


def _invalid_json(folder: Path) -> Path:
    file = folder.parent / "bad.json"
    file.write_text('{"id": "s-1", "name": "A",}\n', encoding="utf-8")
    return file


def _json_service_of_wrong_types(folder: Path) -> Path:
    doc = json.loads((folder.parent / "service_full.json").read_text(encoding="utf-8"))
    del doc["name"]
    doc["minimum_age"] = "twelve"
    file = folder.parent / "service.json"
    file.write_text(json.dumps(doc), encoding="utf-8")
    return file


BROKEN: list[tuple[Callable[[Path], Path], list[str]]] = [
    (_empty_service_name, ["services.csv:2:name: required value is missing"]),
    (_duplicate_service, [f"services.csv:3:id: duplicate service id '{SERVICE}' (first at row 2)"]),
    (_service_of_no_organization, ["services.csv:2:organization_id: no organization with id 'no-such-organization'"]),
    (_quote_inside_a_field, ["programs.csv:2:: malformed CSV: ',' expected after '\"'"]),
    (_unterminated_quote, ["service_at_location.csv:2:: malformed CSV: unexpected end of data"]),
    (_invalid_json, ["bad.json:0:: invalid JSON: Expecting property name enclosed in double quotes "
                     "at line 1 column 27"]),
    (_json_service_of_wrong_types, ["service.json:1:minimum_age: expected a number, got a string",
                                    "service.json:1:name: required value is missing"]),
]


@pytest.mark.parametrize(("damage", "expected"), BROKEN, ids=[damage.__name__.strip("_") for damage, _ in BROKEN])
def test_a_broken_source_is_rejected_with_its_problems_and_the_graph_is_left_as_it_was(
    db: GraphEngine, hsds_examples: Path, tmp_path: Path, damage: Callable[[Path], Path], expected: list[str]
) -> None:
    _load(db, hsds_examples / "csv", "examples")
    before = counts(db), snapshot(db)
    folder = _csv_copy(hsds_examples, tmp_path)
    shutil.copy(hsds_examples / "service_full.json", tmp_path / "service_full.json")
    broken = damage(folder)
    # The worst case: a replace of the very dataset already loaded must not remove the previous load.
    with pytest.raises(LoadRejected) as rejected:
        _load(db, broken, "examples", replace=True)
    assert [str(p) for p in rejected.value.report.errors] == expected
    assert str(rejected.value).startswith(f"{len(expected)} error(s); nothing was loaded:")
    assert (counts(db), snapshot(db)) == before


@pytest.mark.parametrize(
    ("source", "expected"), [("csv", EXAMPLE_CSV_WARNINGS), ("service_full.json", EXAMPLE_JSON_WARNINGS)]
)
def test_strict_turns_the_examples_warnings_into_errors_and_loads_nothing(
    db: GraphEngine, hsds_examples: Path, source: str, expected: list[str]
) -> None:
    _load(db, hsds_examples / "service_list.json", "page")
    before = snapshot(db)
    with pytest.raises(LoadRejected) as rejected:
        _load(db, hsds_examples / source, "examples", strict=True)
    assert [str(p) for p in rejected.value.report.errors] == expected
    assert rejected.value.report.warnings == []
    assert snapshot(db) == before


# --- reloads and replaces ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["csv", "service_full.json"])
def test_loading_the_same_source_twice_leaves_the_graph_exactly_as_one_load(
    db: GraphEngine, hsds_examples: Path, source: str
) -> None:
    _load(db, hsds_examples / source, "examples")
    once = counts(db), snapshot(db)
    _load(db, hsds_examples / source, "examples")
    assert (counts(db), snapshot(db)) == once
    service = db.read("MATCH (s:Service) RETURN properties(s) AS p")[0]["p"]
    assert service["name"] == "Community Counselling" and service["minimumAge"] == 12
    assert service["dataset"] == "examples"


@pytest.mark.parametrize("source", ["csv", "service_full.json"])
def test_a_first_load_takes_the_create_only_path_and_writes_the_same_graph_as_merging(
    db: GraphEngine, hsds_examples: Path, source: str
) -> None:
    parsed = parse_hsds(hsds_examples / source)
    options: dict[str, Any] = {"dataset_id": "examples", "fmt": parsed.format, "path": "x", "replace": False,
                               "warnings": 0}
    first = [query for query, _ in plan_statements(db, parsed.plan, **options)]
    assert any(query.startswith("UNWIND $rows AS row\nCREATE (n:Service)") for query in first)
    assert not any("MERGE" in query for query in first if "$rows" in query)  # only the Dataset record merges
    _load(db, hsds_examples / source, "examples")
    again = [query for query, _ in plan_statements(db, parsed.plan, **options)]
    assert not any("CREATE (n:" in query or "CREATE (a)" in query for query in again)
    created = counts(db), snapshot(db)

    db.write("MATCH (n) DETACH DELETE n")
    _load(db, hsds_examples / source, "examples", replace=True)  # --replace always merges
    assert (counts(db), snapshot(db)) == created


@pytest.mark.engines("falkordb", reason="compares with a fresh second graph: Neo4j Community has one database")
def test_replace_removes_a_dropped_service_and_leaves_other_datasets_untouched(
    db: GraphEngine, graph_settings: DatabaseSettings, hsds_examples: Path, tmp_path: Path
) -> None:
    other = _csv_copy(hsds_examples, tmp_path, "other")
    _prefix_ids(other, "other-")
    smaller = _csv_copy(hsds_examples, tmp_path, "smaller")
    _drop_rows_mentioning(smaller, SERVICE, SERVICE_AT_LOCATION)
    _load(db, hsds_examples / "csv", "examples")
    _load(db, other, "other")
    other_before = db.read("MATCH (n) WHERE n.dataset = 'other' RETURN count(n) AS n")
    assert other_before == [{"n": 20}]  # 19 records and its service's search site

    _load(db, smaller, "examples", replace=True)

    assert db.read("MATCH (s:Service) RETURN s.id AS id") == [{"id": f"other-{SERVICE}"}]
    assert db.read("MATCH (n) WHERE n.dataset = 'other' RETURN count(n) AS n") == other_before
    assert db.read("MATCH (x:SearchSite) RETURN x.service AS service") == [{"service": f"other-{SERVICE}"}]
    assert db.read("MATCH ()-[r]->() WHERE $id IN split(r.id, '>') RETURN count(r) AS n", {"id": SERVICE}) == [{"n": 0}]
    # what hung off the service only (phone, contact, schedule, cost option, …) went with it; the rest stayed
    assert db.read("MATCH (n) WHERE n.dataset = 'examples' RETURN labels(n)[0] AS label ORDER BY label") == [
        {"label": label} for label in ("Accessibility", "Address", "Dataset", "Location", "Organization",
                                       "OrganizationIdentifier", "Program", "Taxonomy", "TaxonomyTerm")]
    # the shared language survives because the other dataset still offers it
    assert db.read("MATCH (x)-[:OFFERED_IN]->(:Language {id: 'ur'}) RETURN x.dataset AS d") == [{"d": "other"}] * 3
    # exactly as if the first load of `examples` had never happened
    fresh = connect(graph_settings.model_copy(update={"db_name": f"{graph_settings.db_name}-fresh"}))
    try:
        _load(fresh, other, "other")
        _load(fresh, smaller, "examples")
        assert (counts(db), snapshot(db)) == (counts(fresh), snapshot(fresh))
    finally:
        fresh.close()


def test_replace_drops_a_language_nothing_is_offered_in_any_more(
    db: GraphEngine, hsds_examples: Path, tmp_path: Path
) -> None:
    smaller = _csv_copy(hsds_examples, tmp_path, "smaller")
    _drop_rows_mentioning(smaller, SERVICE, SERVICE_AT_LOCATION)
    _load(db, hsds_examples / "csv", "examples")
    _load(db, smaller, "examples", replace=True)
    labels, rels = counts(db)
    assert "Language" not in labels and "OFFERED_IN" not in rels
    assert labels["Dataset"] == 1


def test_without_replace_a_smaller_reload_removes_nothing(
    db: GraphEngine, hsds_examples: Path, tmp_path: Path
) -> None:
    smaller = _csv_copy(hsds_examples, tmp_path, "smaller")
    _drop_rows_mentioning(smaller, SERVICE, SERVICE_AT_LOCATION)
    _load(db, hsds_examples / "csv", "examples")
    first = counts(db)
    _load(db, smaller, "examples")
    assert counts(db) == first
    assert reads.service_by_id(db, id=SERVICE).organization_name == "Example Organization Inc."


# --- awkward values ------------------------------------------------------------------------------------------------

CYPHER_NAME = "x'}) DETACH DELETE n //"
AWKWARD_TEXT = ('He said "hi", then left,\nnext line: café 中文 🙂, a\r\nCRLF, back\\slash \\n, tab\there, '
                "$dataset {x} 'single' `tick`  ")
AWKWARD_ORG_ID = 'org "1" é'
AWKWARD_SERVICE_ID = "svc'1 中"


def _write_table(file: Path, header: list[str], *rows: list[str]) -> None:
    with file.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])


def test_quotes_commas_newlines_non_ascii_and_cypher_lookalikes_round_trip_verbatim(
    db: GraphEngine, tmp_path: Path
) -> None:
    _write_table(tmp_path / "organizations.csv", ["id", "name", "description"],
                 [AWKWARD_ORG_ID, 'Café 中文, "Ltd"', AWKWARD_TEXT])
    _write_table(tmp_path / "services.csv", ["id", "organization_id", "name", "status", "description"],
                 [AWKWARD_SERVICE_ID, AWKWARD_ORG_ID, CYPHER_NAME, "active", AWKWARD_TEXT])
    assert '""hi""' in (tmp_path / "services.csv").read_text(encoding="utf-8")  # the CSV really is quoted
    result = _load(db, tmp_path, "awkward")
    assert result.warnings == []
    assert counts(db) == ({"Dataset": 1, "Organization": 1, "Service": 1}, {"PROVIDES": 1})
    service = reads.service_by_id(db, id=AWKWARD_SERVICE_ID)
    assert (service.name, service.organization_id, service.organization_name) == (
        CYPHER_NAME, AWKWARD_ORG_ID, 'Café 中文, "Ltd"')
    assert db.read("MATCH (o:Organization)-[:PROVIDES]->(s:Service {name: $name}) "
                   "RETURN o.description AS o, s.description AS s", {"name": CYPHER_NAME}) == [
        {"o": AWKWARD_TEXT, "s": AWKWARD_TEXT}]


# --- dry run -------------------------------------------------------------------------------------------------------

def test_a_dry_run_validates_and_reports_without_a_database(hsds_examples: Path) -> None:
    parsed = parse_hsds(hsds_examples / "csv")
    result = load_parsed(None, parsed, dataset_id="examples", path=hsds_examples / "csv", dry_run=True)
    assert result.written is False
    assert result.counts == parsed.plan.counts() and result.counts["Service"] == 1
    assert [str(w) for w in result.warnings] == EXAMPLE_CSV_WARNINGS


def test_a_dry_run_given_a_database_writes_nothing_to_it(db: GraphEngine, hsds_examples: Path) -> None:
    result = _load(db, hsds_examples / "csv", "examples", dry_run=True)
    assert result.written is False
    assert counts(db) == ({}, {})


def test_a_dry_run_of_a_broken_source_is_rejected_like_a_real_load(hsds_examples: Path, tmp_path: Path) -> None:
    broken = _empty_service_name(_csv_copy(hsds_examples, tmp_path))
    with pytest.raises(LoadRejected) as rejected:
        _load(None, broken, "examples", dry_run=True)
    assert [str(p) for p in rejected.value.report.errors] == ["services.csv:2:name: required value is missing"]


# --- values and failures the engine must never half-apply ----------------------------------------------------------

def test_a_load_that_fails_inside_the_database_leaves_the_previous_load_in_place(
    db: GraphEngine, hsds_examples: Path, tmp_path: Path
) -> None:
    _load(db, hsds_examples / "csv", "examples")
    before = counts(db), snapshot(db)
    folder = _csv_copy(hsds_examples, tmp_path)
    _edit(folder / "services.csv", "Community Counselling", "Community\x00Counselling")
    failure: Exception | None = None
    try:
        _load(db, folder, "examples", replace=True)
    except Exception as exc:  # whatever the failure, the graph must not be half written
        failure = exc
    assert failure is not None
    assert (counts(db), snapshot(db)) == before


def _json_service_named(tmp_path: Path, examples: Path, name: str) -> Path:
    doc = json.loads((examples / "service_full.json").read_text(encoding="utf-8"))
    doc["name"] = name
    file = tmp_path / "service.json"
    file.write_text(json.dumps(doc), encoding="utf-8")  # ensure_ascii: a lone surrogate is written as \ud800
    return file


@pytest.mark.parametrize("char", ["\x00", "\ud800"], ids=["nul", "lone-surrogate"])
def test_text_the_engine_cannot_store_is_reported_with_file_row_and_field(
    hsds_examples: Path, tmp_path: Path, char: str
) -> None:
    source = _json_service_named(tmp_path, hsds_examples, f"Community{char}Counselling")
    with pytest.raises(LoadRejected) as rejected:
        _load(None, source, "examples", dry_run=True)
    assert [(p.file, p.row, p.field) for p in rejected.value.report.errors] == [("service.json", 1, "name")]


def test_a_number_beyond_the_engines_range_is_reported_rather_than_silently_changed(
    db: GraphEngine, hsds_examples: Path, tmp_path: Path
) -> None:
    huge = 10**30
    folder = _csv_copy(hsds_examples, tmp_path)
    _edit(folder / "services.csv", ",12,100,", f",12,{huge},")
    parsed = parse_hsds(folder)
    reported = [p for p in parsed.report.problems if (p.file, p.row, p.field) == ("services.csv", 2, "maximum_age")]
    if not reported:
        load_parsed(db, parsed, dataset_id="examples", path=folder)
        stored = db.read("MATCH (s:Service {id: $id}) RETURN s.maximumAge AS age", {"id": SERVICE})
        assert stored == [{"age": huge}]
