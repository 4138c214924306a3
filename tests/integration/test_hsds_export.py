"""The HSDS 3.0 export (services/hsds/export.py): load a dataset, export it, load the export into an empty
graph, and the two graphs are the same; the export conforms to HSDS (JSON schemas, frictionless).

Documented differences of a round trip (everything else is identical, node by node and relationship by
relationship, properties included; `loadedAt` and `loadId` are ignored by tests/graph_snapshot):
- the `Dataset` node of the load records the path and format read, so it differs;
- JSON: HSDS JSON has no top-level taxonomy term or taxonomy, so a term no attribute uses (and a taxonomy
  no exported term names) is not in a JSON export, nor its BROADER and IN_TAXONOMY relationships.
Both loads use the same dataset id, so every record's `dataset` property is the same.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.schema.model import STAFF_ONLY_RECORD
from graph.settings import DatabaseSettings
from loaders.hsds import parse_hsds
from loaders.load import load_parsed
from services.hsds.export import ExportError, datapackage, export_hsds
from tests.graph_snapshot import counts, snapshot
from tests.hsds_schema import SCHEMA_DIR, errors

DATASET = "round-trip"


@pytest.fixture
def empty_graph(falkordb_server: embedded.ServerInfo) -> Iterator[GraphEngine]:
    """A second fresh graph on the session's server (the export is loaded into it)."""
    engine = connect(DatabaseSettings(db=f"falkordb://127.0.0.1:{falkordb_server.port}",
                                      db_name=f"test-{uuid.uuid4().hex[:12]}"))
    yield engine
    engine.close()


def _load(db: GraphEngine, source: Path) -> list[str]:
    parsed = parse_hsds(source)
    assert [str(p) for p in parsed.report.errors] == []
    load_parsed(db, parsed, dataset_id=DATASET, path=source)
    return [str(p) for p in parsed.report.warnings]


def _without_datasets(db: GraphEngine) -> tuple[set[str], set[str]]:
    nodes, rels = snapshot(db)
    return {n for n in nodes if json.loads(n)["labels"] != ["Dataset"]}, set(rels)


def _assert_same_graph(a: GraphEngine, b: GraphEngine) -> None:
    labels_a, rels_a = counts(a)
    labels_b, rels_b = counts(b)
    assert labels_b == labels_a
    assert rels_b == rels_a
    nodes_a, edges_a = _without_datasets(a)
    nodes_b, edges_b = _without_datasets(b)
    assert sorted(nodes_b ^ nodes_a) == []
    assert sorted(edges_b ^ edges_a) == []


def _unused_terms(db: GraphEngine) -> tuple[set[str], set[str]]:
    """Terms no attribute uses, and taxonomies no used term is in."""
    terms = {r["id"] for r in db.read("MATCH (t:TaxonomyTerm) WHERE NOT ()-[:TAGGED]->(t) RETURN t.id AS id")}
    taxonomies = {r["id"] for r in db.read(
        "MATCH (x:Taxonomy) WHERE NOT ()-[:TAGGED]->(:TaxonomyTerm)-[:IN_TAXONOMY]->(x) RETURN x.id AS id")}
    return terms, taxonomies


def _assert_same_graph_but_unused_terms(a: GraphEngine, b: GraphEngine) -> None:
    terms, taxonomies = _unused_terms(a)
    nodes_a, edges_a = _without_datasets(a)
    nodes_b, edges_b = _without_datasets(b)
    assert nodes_b <= nodes_a
    missing = [json.loads(n) for n in nodes_a - nodes_b]
    assert sorted((n["labels"][0], n["props"]["id"]) for n in missing) == sorted(
        [("TaxonomyTerm", t) for t in terms] + [("Taxonomy", t) for t in taxonomies])
    assert edges_b <= edges_a
    for edge in map(json.loads, edges_a - edges_b):
        assert edge["type"] in {"BROADER", "IN_TAXONOMY"}
        assert edge["a"] in terms or edge["b"] in terms


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_official_examples_exported_and_loaded_into_an_empty_graph_give_the_same_graph(
    db: GraphEngine, empty_graph: GraphEngine, hsds_examples: Path, tmp_path: Path, fmt: str,
) -> None:
    _load(db, hsds_examples / "csv")
    summary = export_hsds(db, tmp_path / "out", fmt="csv" if fmt == "csv" else "json", staff=True)
    assert summary.services == 1
    assert _load(empty_graph, tmp_path / "out") == []  # the source's dangling links are not exported
    if fmt == "csv":
        _assert_same_graph(db, empty_graph)
    else:  # the examples' only term tags a record that is not in them
        assert _unused_terms(db) == ({"3f7b145d-84af-42d7-8fae-eaca714b02b2"}, {"5c4d79d7-cc55-470e-9f1f-8cad074e4892"})
        _assert_same_graph_but_unused_terms(db, empty_graph)


@pytest.mark.engines("falkordb", reason="the empty graph it loads into is FalkorDB's (Neo4j Community has one "
                     "database), and points differ in precision between the engines")
def test_the_demo_city_exported_as_csv_and_loaded_into_an_empty_graph_gives_the_same_graph(
    db: GraphEngine, empty_graph: GraphEngine, demo_source: Path, tmp_path: Path,
) -> None:
    _load(db, demo_source)
    summary = export_hsds(db, tmp_path / "out", fmt="csv", staff=True)
    assert summary.services == 300
    assert _load(empty_graph, tmp_path / "out") == []
    _assert_same_graph(db, empty_graph)


@pytest.mark.engines("falkordb", reason="the empty graph it loads into is FalkorDB's (Neo4j Community has one "
                     "database), and points differ in precision between the engines")
def test_the_demo_city_exported_as_json_and_loaded_into_an_empty_graph_gives_the_same_graph_but_unused_terms(
    db: GraphEngine, empty_graph: GraphEngine, demo_source: Path, tmp_path: Path,
) -> None:
    _load(db, demo_source)
    export_hsds(db, tmp_path / "out", fmt="json", staff=True)
    warnings = _load(empty_graph, tmp_path / "out")
    unused, _ = _unused_terms(db)
    # a used term whose parent no attribute uses names a parent that is not in the export: a warning each, no other
    orphaned = {r["id"] for r in db.read("MATCH (t:TaxonomyTerm)-[:BROADER]->(p:TaxonomyTerm) "
                                         "WHERE ()-[:TAGGED]->(t) AND NOT ()-[:TAGGED]->(p) RETURN p.id AS id")}
    assert orphaned and orphaned <= unused, "the demo city has no used term under an unused one: nothing to check"
    assert warnings, "no warning for the parents left out of the export"
    assert all("parent_id: no taxonomy term with id" in w for w in warnings), warnings
    assert {w.split("'")[1] for w in warnings} == orphaned
    _assert_same_graph_but_unused_terms(db, empty_graph)


def test_small_batches_write_the_same_package_as_one_batch(
    db: GraphEngine, demo_source: Path, tmp_path: Path,
) -> None:
    """Rows are written per batch; references found in a later batch are patched in at the end."""
    _load(db, demo_source)
    export_hsds(db, tmp_path / "small", fmt="csv", staff=True, batch=7)
    export_hsds(db, tmp_path / "large", fmt="csv", staff=True, batch=1000)
    for path in sorted((tmp_path / "large").iterdir()):
        small = (tmp_path / "small" / path.name).read_text(encoding="utf-8").splitlines()
        assert sorted(small) == sorted(path.read_text(encoding="utf-8").splitlines()), path.name


# ---------------------------------------------------------------- conformance


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_csv_package_has_every_hsds_table_with_the_official_columns_and_descriptor(
    db: GraphEngine, hsds_examples: Path, tmp_path: Path,
) -> None:
    _load(db, hsds_examples / "csv")
    export_hsds(db, tmp_path / "out", fmt="csv", staff=True)
    official = json.loads((SCHEMA_DIR.parent / "datapackage.json").read_text(encoding="utf-8"))
    assert datapackage() == official  # the copy shipped with the code is the official descriptor
    written = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert [(r["name"], r["path"]) for r in written["resources"]] == [
        (r["name"], r["path"]) for r in official["resources"]]
    for resource in official["resources"]:
        with (tmp_path / "out" / resource["path"]).open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert header == [f["name"] for f in resource["schema"]["fields"]]
        example = hsds_examples / "csv" / resource["path"]
        assert header == example.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        ["datapackage.json", *(r["path"] for r in official["resources"])])
    services = _rows(tmp_path / "out" / "services.csv")
    assert [s["id"] for s in services] == ["ac148810-d857-441c-9679-408f346de14b"]
    assert services[0]["organization_id"] == "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"


def test_every_exported_json_object_validates_against_the_hsds_schemas(
    db: GraphEngine, demo_source: Path, hsds_examples: Path, tmp_path: Path,
) -> None:
    _load(db, demo_source)
    db.write("CREATE (:Organization {id: 'lonely-org', name: 'No services', description: 'Runs nothing yet.'})")
    export_hsds(db, tmp_path / "out", fmt="json", staff=True)
    services = (tmp_path / "out" / "services.ndjson").read_text(encoding="utf-8").splitlines()
    assert len(services) == 300
    for line in services:
        assert errors(json.loads(line), "service") == []
    organizations = (tmp_path / "out" / "organizations.ndjson").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in organizations] == ["lonely-org"]
    assert errors(json.loads(organizations[0]), "organization") == []


def _frictionless_errors(folder: Path) -> Counter[tuple[str, str, str | None]]:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(folder / "datapackage.json"))
    return Counter((task.name, e.type, getattr(e, "field_name", None)) for task in report.tasks for e in task.errors)


def test_the_csv_export_of_the_official_examples_passes_frictionless_validate(
    db: GraphEngine, hsds_examples: Path, tmp_path: Path,
) -> None:
    _load(db, hsds_examples / "csv")
    export_hsds(db, tmp_path / "out", fmt="csv", staff=True)
    assert _frictionless_errors(tmp_path / "out") == Counter()


def test_the_demo_csv_export_fails_frictionless_only_on_the_demo_taxonomy_slugs_that_are_not_uuids(
    db: GraphEngine, demo_source: Path, tmp_path: Path,
) -> None:
    """The demo names its taxonomies and terms by slug ("need-food"); HSDS asks for UUIDs. Exported as is."""
    _load(db, demo_source)
    export_hsds(db, tmp_path / "out", fmt="csv", staff=True)
    found = _frictionless_errors(tmp_path / "out")
    assert set(found) <= {
        ("attribute", "type-error", "taxonomy_term_id"), ("taxonomy_term", "type-error", "id"),
        ("taxonomy_term", "type-error", "taxonomy_id"), ("taxonomy_term", "type-error", "parent_id"),
        ("taxonomy_term", "primary-key", None), ("taxonomy", "type-error", "id"), ("taxonomy", "primary-key", None),
    }


# ---------------------------------------------------------------- privacy and refusals


def test_the_public_export_leaves_out_private_values_and_the_services_of_a_staff_only_organization(
    db: GraphEngine, demo_source: Path, tmp_path: Path,
) -> None:
    _load(db, demo_source)
    org = db.read("MATCH (o:Organization)-[:PROVIDES]->(s:Service) RETURN o.id AS id, count(s) AS n "
                  "ORDER BY n DESC, id LIMIT 1")[0]
    db.write("MATCH (o:Organization {id: $id}) SET o.staffOnly = [$mark]", {"id": org["id"], "mark": STAFF_ONLY_RECORD})
    service = db.read("MATCH (o:Organization)-[:PROVIDES]->(s:Service) WHERE o.id <> $id AND s.email IS NOT NULL "
                      "RETURN s.id AS id, s.email AS email ORDER BY s.id LIMIT 1", {"id": org["id"]})[0]
    db.write("MATCH (s:Service {id: $id}) SET s.staffOnly = ['email']", {"id": service["id"]})

    public = export_hsds(db, tmp_path / "public", fmt="csv")
    staff = export_hsds(db, tmp_path / "staff", fmt="csv", staff=True)
    assert public.left_out == org["n"]
    assert public.services == staff.services - org["n"] == 300 - org["n"]
    public_services = {s["id"]: s for s in _rows(tmp_path / "public" / "services.csv")}
    assert public_services[service["id"]]["email"] == ""
    assert {s["id"]: s for s in _rows(tmp_path / "staff" / "services.csv")}[service["id"]]["email"] == service["email"]
    assert org["id"] not in {o["id"] for o in _rows(tmp_path / "public" / "organizations.csv")}
    assert not any(s["organization_id"] == org["id"] for s in public_services.values())


def test_export_refuses_a_folder_that_is_not_empty_and_says_what_to_do(db: GraphEngine, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="exists and is not empty: give a new folder"):
        export_hsds(db, tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def test_export_refuses_an_unknown_format(db: GraphEngine, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown format 'xml'"):
        export_hsds(db, tmp_path / "out", fmt="xml")  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def test_an_empty_graph_exports_an_empty_package_that_loads(db: GraphEngine, tmp_path: Path) -> None:
    summary = export_hsds(db, tmp_path / "out", fmt="csv")
    assert summary.services == 0
    assert summary.rows and set(summary.rows.values()) == {0}, summary.rows  # every file, each without a row
    assert parse_hsds(tmp_path / "out").report.errors == []
