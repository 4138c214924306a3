"""Loading the Baltimore Ohana export (../shared/data/baltimore-211) into a real embedded FalkorDB, the
way the CLI does: `parse_ohana`, then `load_parsed`. Expected numbers are counted here from the raw
files with csv and json, not with the parser; broken exports are damaged copies in tmp_path."""

from __future__ import annotations

import csv
import json
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph import embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import DatabaseSettings
from loaders.load import LoadResult, load_parsed
from loaders.ohana import parse_ohana
from loaders.report import LoadRejected
from tests.graph_snapshot import counts, snapshot

DATASET = "baltimore-211"


def _load(db: GraphEngine, folder: Path) -> LoadResult:
    return load_parsed(db, parse_ohana(folder, namespace=DATASET), dataset_id=DATASET, path=folder)


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _map(folder: Path, name: str) -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads((folder / name).read_text(encoding="utf-8"))
    return data


AIRS_CODE = re.compile(r"[A-Z]{1,2}(-\d{4}(\.\d{4}(-\d{3}(\.\d{2,3})?)?)?)?")


def _broader(code: str) -> str | None:
    """One level up an AIRS code, from its punctuation: BD-1800.2000 -> BD-1800 -> BD -> B."""
    if len(code) <= 2:
        return code[0] if len(code) == 2 else None
    return code[:max(code.rfind("-"), code.rfind("."))]


def _id(kind: str, source_id: str) -> str:
    return f"{DATASET}:{kind}:{source_id}"


class Raw:
    """What the raw files say, counted without the parser."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.organizations = _rows(folder, "organizations.csv")
        self.locations = _rows(folder, "locations.csv")
        self.services = _rows(folder, "services.csv")
        self.taxonomy = _rows(folder, "taxonomy.csv")
        self.mapping = _rows(folder, "taxonomy_mapping.csv")
        org_ids = {r["id"] for r in self.organizations}
        self.location_ids = {r["id"] for r in self.locations}
        self.service_ids = {r["id"] for r in self.services}
        contacts = _rows(folder, "contacts.csv")
        self.contacts = [c for c in contacts if c["organization_id"] in org_ids or c["location_id"] in self.location_ids
                         or c["service_id"] in self.service_ids]
        contact_ids = {c["id"] for c in self.contacts}
        self.phones = [p for p in _rows(folder, "phones.csv")
                       if p["contact_id"] in contact_ids or p["service_id"] in self.service_ids
                       or p["location_id"] in self.location_ids or p["organization_id"] in org_ids]
        self.addresses = [a for name in ("addresses.csv", "mail_addresses.csv") for a in _rows(folder, name)
                          if a["location_id"] in self.location_ids]
        categories = {r["id"]: r["taxonomy_id"] for r in self.taxonomy}
        oe_tags = {(s, categories[c]) for s, cs in _map(folder, "service_categories.json").items()
                   if s in self.service_ids for c in cs if c in categories}
        codes = {(s, c.strip().upper()) for s, cs in _map(folder, "service_icarol_categories.json").items()
                 if s in self.service_ids for c in cs}
        self.tagged = len(oe_tags) + len(codes)
        # crosswalk rows (a 211 code, and somewhere to its right an Open Eligibility id) bring their codes too
        oe_ids = set(categories.values())
        crosswalked = {row["211 Code"].rstrip("*").strip().upper() for row in self.mapping
                       if row["211 Code"] and any((cell or "").strip() in oe_ids
                                                  for key, cell in row.items() if key != "211 Code")}
        self.airs_terms: set[str] = set()
        for code in {c for _, c in codes} | {c for c in crosswalked if AIRS_CODE.fullmatch(c)}:
            step: str | None = code
            while step is not None:
                self.airs_terms.add(step)
                step = _broader(step)


@pytest.fixture(scope="module")
def baltimore(shared_data: Path) -> Path:
    return shared_data / DATASET


@pytest.fixture(scope="module")
def raw(baltimore: Path) -> Raw:
    return Raw(baltimore)


@pytest.fixture(scope="module")
def loaded(falkordb_server: embedded.ServerInfo, baltimore: Path) -> Iterator[tuple[GraphEngine, LoadResult]]:
    """One graph with the Baltimore export loaded, shared by the read-only tests below."""
    settings = DatabaseSettings(db=f"falkordb://127.0.0.1:{falkordb_server.port}",
                                db_name=f"ohana-{uuid.uuid4().hex[:12]}")
    engine = connect(settings)
    result = _load(engine, baltimore)
    yield engine, result
    engine.close()


def _one(db: GraphEngine, query: str, **params: Any) -> Any:
    rows = db.read(query, params)
    assert len(rows) == 1, rows
    return next(iter(rows[0].values()))


# --- the whole export -----------------------------------------------------------------------------------------

def test_the_baltimore_export_loads_with_the_counts_of_its_raw_files(
    loaded: tuple[GraphEngine, LoadResult], raw: Raw,
) -> None:
    db, result = loaded
    labels, relationships = counts(db)

    assert result.written and result.format == "ohana-csv"
    assert labels["Organization"] == len(raw.organizations) == 748
    assert labels["Location"] == len(raw.locations) == 1482
    assert labels["Service"] == len(raw.services) == 1876
    assert labels["Phone"] == len(raw.phones) == 7157
    assert labels["Contact"] == len(raw.contacts) == 737
    assert labels["Address"] == len(raw.addresses)
    assert labels["ServiceAtLocation"] == sum(1 for s in raw.services if s["location_id"] in raw.location_ids)
    assert relationships["TAGGED"] == raw.tagged
    located = sum(1 for r in raw.locations if r["latitude"] and r["longitude"])
    assert located == 1349
    assert _one(db, "MATCH (l:Location) WHERE l.point IS NOT NULL RETURN count(l) AS n") == located
    assert _one(db, "MATCH (t:TaxonomyTerm) WHERE t.id STARTS WITH 'oe:' RETURN count(t) AS n") == len(raw.taxonomy)
    assert _one(db, "MATCH (t:TaxonomyTerm) WHERE t.id STARTS WITH 'airs:' RETURN count(t) AS n") == len(raw.airs_terms)


def test_the_load_finishes_well_within_its_time_budget(loaded: tuple[GraphEngine, LoadResult]) -> None:
    _, result = loaded
    assert result.seconds < 30, f"parse + write took {result.seconds:.1f} s (target 10 s on two cores)"


def test_a_service_is_provided_by_its_locations_organization_and_delivered_at_that_location(
    loaded: tuple[GraphEngine, LoadResult], raw: Raw,
) -> None:
    db, _ = loaded
    service = raw.services[0]
    location = next(r for r in raw.locations if r["id"] == service["location_id"])
    rows = db.read(
        "MATCH (o:Organization)-[:PROVIDES]->(s:Service {id: $id})-[:DELIVERED_AT]->(:ServiceAtLocation)"
        "-[:AT]->(l:Location)<-[:HAS_LOCATION]-(o) "
        "RETURN o.id AS organization, l.id AS location, s.name AS name, s.eligibilityDescription AS eligibility",
        {"id": _id("service", service["id"])})
    assert rows == [{"organization": _id("organization", location["organization_id"]),
                     "location": _id("location", location["id"]), "name": service["name"],
                     "eligibility": service["eligibility"]}]


def test_an_open_eligibility_term_reaches_its_top_term_through_the_parent_ids(
    loaded: tuple[GraphEngine, LoadResult], raw: Raw,
) -> None:
    db, _ = loaded
    parent = {r["taxonomy_id"]: r["parent_id"] for r in raw.taxonomy}
    deepest = max(parent, key=lambda t: t.count("-"))
    expected = [deepest]
    while parent[expected[-1]]:
        expected.append(parent[expected[-1]])
    chain = _one(db, "MATCH p = (t:TaxonomyTerm {id: $id})-[:BROADER*]->(top:TaxonomyTerm) "
                     "WHERE NOT (top)-[:BROADER]->() RETURN [n IN nodes(p) | n.code] AS chain", id=f"oe:{deepest}")
    assert chain == expected and len(expected) >= 5


def test_an_airs_code_reaches_its_letter_with_names_from_the_crosswalk(
    loaded: tuple[GraphEngine, LoadResult], raw: Raw,
) -> None:
    db, _ = loaded
    names = {r["211 Code"].rstrip("*"): r["211 Name"] for r in raw.mapping if r["211 Code"] and r["211 Name"]}
    rows = db.read("MATCH p = (t:TaxonomyTerm {id: 'airs:BD-1800.2000'})-[:BROADER*]->(top:TaxonomyTerm) "
                   "WHERE NOT (top)-[:BROADER]->() RETURN [n IN nodes(p) | [n.code, n.name]] AS chain")
    assert rows == [{"chain": [[code, names.get(code)] for code in ("BD-1800.2000", "BD-1800", "BD", "B")]}]
    assert names["BD-1800.2000"] == "Food Pantries"
    tagged = {s for s, codes in _map(raw.folder, "service_icarol_categories.json").items() if "BD-1800.2000" in codes}
    found = db.read("MATCH (s:Service)-[:TAGGED {linkType: 'need'}]->(:TaxonomyTerm {id: 'airs:BD-1800.2000'}) "
                    "RETURN s.id AS id")
    assert {row["id"] for row in found} == {_id("service", s) for s in tagged} and len(tagged) == 133


# --- loads that change the graph -------------------------------------------------------------------------------

def test_loading_the_export_twice_leaves_an_identical_graph(db: GraphEngine, baltimore: Path) -> None:
    _load(db, baltimore)
    first = counts(db), snapshot(db)
    _load(db, baltimore)
    assert (counts(db), snapshot(db)) == first


def _writable_copy(source: Path, tmp_path: Path) -> Path:
    folder = tmp_path / DATASET
    shutil.copytree(source, folder)
    for file in folder.iterdir():
        file.chmod(0o644)
    return folder


def _replace_bytes(file: Path, old: bytes, new: bytes) -> None:
    data = file.read_bytes()
    assert old in data, f"{old!r} not in {file.name}"
    file.write_bytes(data.replace(old, new, 1))


def test_a_damaged_export_is_refused_with_precise_errors_and_leaves_the_graph_as_it_was(
    db: GraphEngine, baltimore: Path, raw: Raw, tmp_path: Path,
) -> None:
    _load(db, baltimore)
    before = counts(db), snapshot(db)
    folder = _writable_copy(baltimore, tmp_path)
    # a truncated row: the 5th phone keeps its first three fields
    with (folder / "phones.csv").open(encoding="utf-8", newline="") as fh:
        phones = list(csv.reader(fh))
    phones[5] = phones[5][:3]
    with (folder / "phones.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(phones)
    # bad encodings: a byte no encoding has in organizations.csv; a Windows-1252 é in UTF-8 contacts.csv
    organization = raw.organizations[2]
    _replace_bytes(folder / "organizations.csv", organization["description"][:30].encode(),
                   organization["description"][:10].encode() + b"\x81" + organization["description"][11:30].encode())
    contact_row, contact = next((n, c) for n, c in enumerate(_rows(folder, "contacts.csv"), start=2)
                                if c["title"] and c["title"].isascii())
    _replace_bytes(folder / "contacts.csv", contact["title"].encode(), contact["title"].encode() + b" caf\xe9")
    # a service at a location that does not exist
    service = raw.services[0]
    _replace_bytes(folder / "services.csv", f"{service['id']},{service['location_id']},".encode(),
                   f"{service['id']},999999,".encode())

    with pytest.raises(LoadRejected) as rejected:
        _load(db, folder)

    assert [str(p) for p in rejected.value.report.errors] == [
        f"contacts.csv:{contact_row}:title: byte 0xE9 is not UTF-8, yet the file is UTF-8 elsewhere (mixed "
        "encodings or a damaged file); save the whole file as UTF-8",
        "organizations.csv:4:description: byte 0x81 is neither UTF-8 nor Windows-1252 text; save the file as UTF-8",
        "phones.csv:6:: the row has 3 fields, the header has 11 (a truncated or shifted row); fix the row",
        "services.csv:2:location_id: no location with id '999999'",
    ]
    assert (counts(db), snapshot(db)) == before
