"""The DC 211 export loaded into a real embedded FalkorDB the way the CLI does (`parse_211`, then
`load_parsed`), checked against counts and joins computed here straight from the raw CSV."""

from __future__ import annotations

import csv
import io
import re
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.opening import is_open
from graph import embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import DatabaseSettings
from loaders.airs211 import parse_211
from loaders.load import LoadResult, load_parsed
from loaders.report import LoadRejected
from tests.graph_snapshot import counts, snapshot

NS = "dc-211"
# Every Language node the DC file yields, as reviewed by hand: ISO codes, and names the ISO table
# lacks (each reported as a warning).
DC_LANGUAGES = {
    "am", "ar", "ase", "bn", "bs", "de", "efi", "en", "es", "fa", "fr", "gu", "hbs", "he", "hi", "hmn", "hu", "ig",
    "it", "ja", "km", "ko", "lo", "men", "nl", "no", "om", "pa", "pl", "pt", "ru", "sgn", "so", "sq", "sv", "sw",
    "ta", "tem", "th", "ti", "tl", "tr", "uk", "ur", "vi", "yo", "zh",
    "creole", "dromo", "fujinese", "kru", "madi", "shanghai", "taiwanese", "toascoin", "toisan",
}
_CODE = re.compile(r"^[A-Z]([A-Z](-\d{4}(\.\d{4}(-\d{3}(\.\d{2,3})?)?)?)?)?$")


@pytest.fixture(scope="module")
def dc_file(shared_data: Path) -> Path:
    path = shared_data / "dc-211" / "211.csv"
    if not path.is_file():
        pytest.skip(f"needs {path}")
    return path


@pytest.fixture(scope="module")
def raw(dc_file: Path) -> list[dict[str, str]]:
    """The export's rows as the csv module reads them (no part of the loader involved)."""
    with dc_file.open(encoding="utf-8", newline="") as handle:
        return [{k: v.strip() for k, v in row.items()} for row in csv.DictReader(handle)]


@pytest.fixture(scope="module")
def loaded(falkordb_server: embedded.ServerInfo, dc_file: Path) -> Iterator[tuple[GraphEngine, LoadResult, float]]:
    """One graph with the DC file loaded, for the read-only checks; and the seconds parse + load took."""
    settings = DatabaseSettings(db=f"falkordb://127.0.0.1:{falkordb_server.port}",
                                db_name=f"dc211-{uuid.uuid4().hex[:12]}")
    engine = connect(settings)
    started = time.perf_counter()
    parsed = parse_211(dc_file, namespace=NS)
    parse_seconds = time.perf_counter() - started
    result = load_parsed(engine, parsed, dataset_id=NS, path=dc_file, started=started)
    elapsed = time.perf_counter() - started
    print(f"\nDC 211: parse {parse_seconds:.2f} s, parse + load {elapsed:.2f} s "
          f"({result.records} rows, {sum(result.counts.values())} nodes and relationships)")
    yield engine, result, elapsed
    engine.close()


def _by_level(raw: list[dict[str, str]], level: str) -> list[dict[str, str]]:
    return [r for r in raw if r["TaxonomyLevelName"] == level]


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace(",", " ").replace(".", " ").split())


def _blank(value: str) -> str:
    return "" if value in ("-1", "") else value


def _expected_locations(raw: list[dict[str, str]]) -> int:
    """Sites, plus each agency's distinct places among its own and its programs' rows (the same
    street address, or the same point without one; private ones apart), plus postal-only ones."""
    places: set[tuple[Any, ...]] = set()
    for row in raw:
        level = row["TaxonomyLevelName"]
        if level not in ("Agency", "Program"):
            continue
        agency = row["ResourceAgencyNum"] if level == "Agency" else row["ParentAgencyNum"]
        private = row.get("ExcludeFromWebsite") == "Yes"
        street = tuple(_fold(_blank(row[f"Physical{part}"])) for part in ("Address1", "Address2", "City", "PostalCode"))
        if street[0]:
            places.add((agency, street, private))
        elif row["Latitude"] and row["Longitude"]:
            places.add((agency, float(row["Latitude"]), float(row["Longitude"]), private))
    postal_only = 0
    for row in _by_level(raw, "Agency"):
        has_place = _blank(row["PhysicalAddress1"]) or (row["Latitude"] and row["Longitude"])
        mailing = [_fold(_blank(row[f"Mailing{p}"])) for p in ("Address1", "Address2", "City", "PostalCode")]
        physical = [_fold(_blank(row[f"Physical{p}"])) for p in ("Address1", "Address2", "City", "PostalCode")]
        postal_only += bool(not has_place and mailing[0] and mailing != physical)
    return len(_by_level(raw, "Site")) + len(places) + postal_only


def _expected_terms(raw: list[dict[str, str]]) -> set[str]:
    """Every valid code in TaxonomyCodes and every code above it (by the code's own structure)."""
    codes: set[str] = set()
    for row in raw:
        for entry in row["TaxonomyCodes"].split(";"):
            for part in entry.split("*"):
                code = part.strip().upper()
                if code and _CODE.match(code):
                    codes.add(code)
    above: set[str] = set()
    for code in codes:
        cuts = [m.start() for m in re.finditer(r"[-.]", code)]
        above.update([code[:1], code[:2]] if len(code) > 1 else [code])
        above.update(code[:i] for i in cuts[1:])
        above.add(code)
    return {c for c in above if c}


def _one(db: GraphEngine, query: str, **params: Any) -> Any:
    rows = db.read(query, params)
    assert len(rows) == 1, rows
    return rows[0]


# --- the whole file ----------------------------------------------------------------------------------------

def test_the_dc_export_loads_within_the_target_time_with_no_errors(
    loaded: tuple[GraphEngine, LoadResult, float], raw: list[dict[str, str]],
) -> None:
    _, result, elapsed = loaded
    assert result.records == len(raw) == 2132
    assert result.format == "211-csv"
    assert elapsed < 10, f"parse + load took {elapsed:.1f} s; the target is under 10 s"


def test_counts_match_those_computed_from_the_raw_csv(
    loaded: tuple[GraphEngine, LoadResult, float], raw: list[dict[str, str]],
) -> None:
    db = loaded[0]
    labels, relationships = counts(db)
    assert labels["Organization"] == len(_by_level(raw, "Agency")) == 494
    assert labels["Service"] == len(_by_level(raw, "Program")) == 1637
    assert labels["Location"] == _expected_locations(raw)
    assert {r["code"] for r in db.read("MATCH (t:TaxonomyTerm) RETURN t.code AS code")} == _expected_terms(raw)
    assert labels["Language"] == len(DC_LANGUAGES)
    assert {r["id"] for r in db.read("MATCH (l:Language) RETURN l.id AS id")} == DC_LANGUAGES
    # every program with an address or a point is delivered somewhere, once
    located = [r for r in _by_level(raw, "Program") if _blank(r["PhysicalAddress1"]) or r["Latitude"]]
    assert relationships["DELIVERED_AT"] == len(located)
    assert relationships["PROVIDES"] == len(_by_level(raw, "Program"))


@pytest.mark.parametrize(("language", "pattern"), [
    ("en", r"\benglish\b"), ("es", r"\bspanish\b"), ("fr", r"\bfrench\b"),
    ("ase", r"american sign|\basl\b"),
])
def test_each_program_offered_in_a_language_is_linked_to_it(
    loaded: tuple[GraphEngine, LoadResult, float], raw: list[dict[str, str]], language: str, pattern: str,
) -> None:
    expected = {f"{NS}:service:{r['ResourceAgencyNum']}" for r in _by_level(raw, "Program")
                if re.search(pattern, re.sub(r"(?i)non-\w+", "", r["LanguagesOffered"]), re.IGNORECASE)}
    found = {r["id"] for r in loaded[0].read(
        "MATCH (s:Service)-[:OFFERED_IN]->(:Language {id: $code}) RETURN s.id AS id", {"code": language})}
    assert found == expected and expected


def test_every_program_is_provided_by_the_agency_its_row_names(
    loaded: tuple[GraphEngine, LoadResult, float], raw: list[dict[str, str]],
) -> None:
    expected = {(f"{NS}:organization:{r['ParentAgencyNum']}", f"{NS}:service:{r['ResourceAgencyNum']}")
                for r in _by_level(raw, "Program")}
    found = {(r["o"], r["s"]) for r in loaded[0].read(
        "MATCH (o:Organization)-[:PROVIDES]->(s:Service) RETURN o.id AS o, s.id AS s")}
    assert found == expected
    centronia = _one(loaded[0], "MATCH (o:Organization)-[:PROVIDES]->(:Service {id: $id}) RETURN o.name AS name",
                     id=f"{NS}:service:373463")
    assert centronia["name"] == next(r["ParentAgency"] for r in raw if r["ResourceAgencyNum"] == "373463")


def test_a_program_at_its_own_address_is_located_at_its_own_point(
    loaded: tuple[GraphEngine, LoadResult, float], raw: list[dict[str, str]],
) -> None:
    agencies = {r["ResourceAgencyNum"]: r for r in _by_level(raw, "Agency")}
    programs = _by_level(raw, "Program")
    street: Counter[tuple[str, str]] = Counter((r["ParentAgencyNum"], _fold(r["PhysicalAddress1"])) for r in programs)
    row = next(r for r in programs if r["Latitude"] and r["PhysicalAddress1"]
               and _fold(r["PhysicalAddress1"]) != _fold(agencies[r["ParentAgencyNum"]]["PhysicalAddress1"])
               and street[(r["ParentAgencyNum"], _fold(r["PhysicalAddress1"]))] == 1
               and r["ExcludeFromWebsite"] != "Yes")
    place = _one(loaded[0],
                 "MATCH (:Service {id: $id})-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)"
                 "-[:HAS_ADDRESS]->(a:Address) RETURN l.latitude AS lat, l.longitude AS lon, a.address1 AS street, "
                 "l.name AS name", id=f"{NS}:service:{row['ResourceAgencyNum']}")
    assert (place["lat"], place["lon"]) == (float(row["Latitude"]), float(row["Longitude"]))
    assert place["street"] == row["PhysicalAddress1"] and place["name"] == row["PublicName"]


def test_a_taxonomy_chain_reaches_its_top_level_letter_with_names_from_the_export(
    loaded: tuple[GraphEngine, LoadResult, float], raw: list[dict[str, str]],
) -> None:
    row = next(r for r in raw if r["TaxonomyCodes"] == "HD-8000")
    assert row["TaxonomyTerms"] == "Education - Educational Institutions/Schools - Public Schools"
    chain = loaded[0].read(
        "MATCH p = (:TaxonomyTerm {id: 'airs:HD-8000'})-[:BROADER*0..]->(top:TaxonomyTerm) "
        "WHERE NOT (top)-[:BROADER]->() UNWIND nodes(p) AS t RETURN t.code AS code, t.name AS name")
    assert [(r["code"], r["name"]) for r in chain] == [
        ("HD-8000", "Public Schools"), ("HD", "Educational Institutions/Schools"), ("H", "Education")]
    tagged = _one(loaded[0], "MATCH (:Service {id: $id})-[g:TAGGED]->(:TaxonomyTerm {code: 'HD-8000'}) "
                             "RETURN g.linkType AS type", id=f"{NS}:service:{row['ResourceAgencyNum']}")
    assert tagged["type"] == "need"


def test_hours_and_eligibility_are_stored_as_the_search_reads_them(
    loaded: tuple[GraphEngine, LoadResult, float], raw: list[dict[str, str]],
) -> None:
    row = next(r for r in raw if r["ResourceAgencyNum"] == "373463")
    service = _one(loaded[0], "MATCH (s:Service {id: $id}) RETURN s.eligibilityDescription AS eligibility, "
                              "s.minimumAge AS low", id=f"{NS}:service:373463")
    assert service == {"eligibility": row["Eligibility"], "low": None}
    schedules = [r["s"] for r in loaded[0].read(
        "MATCH (:Service {id: $id})-[:HAS_SCHEDULE]->(x:Schedule) RETURN properties(x) AS s",
        {"id": f"{NS}:service:373463"})]
    assert [s["description"] for s in schedules] == [row["HoursOfOperation"]]  # "7:00 am - 6:00 pm, Monday - Friday"
    zone = ZoneInfo("America/New_York")
    assert is_open(schedules, datetime(2026, 3, 3, 7, 30, tzinfo=zone), "America/New_York")
    assert not is_open(schedules, datetime(2026, 3, 3, 18, 30, tzinfo=zone), "America/New_York")
    assert not is_open(schedules, datetime(2026, 3, 7, 12, tzinfo=zone), "America/New_York")


def test_records_excluded_from_the_website_are_stored_staff_only(
    loaded: tuple[GraphEngine, LoadResult, float], raw: list[dict[str, str]],
) -> None:
    excluded = {f"{NS}:service:{r['ResourceAgencyNum']}" for r in _by_level(raw, "Program")
                if r["ExcludeFromWebsite"] == "Yes"}
    rows = loaded[0].read("MATCH (s:Service) WHERE 'name' IN s.staffOnly RETURN s.id AS id")
    assert {r["id"] for r in rows} == excluded and len(excluded) == 111
    confidential = loaded[0].read(
        "MATCH (s:Service)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location) WHERE s.id IN $ids "
        "RETURN DISTINCT 'address' IN l.staffOnly AS hidden", {"ids": sorted(excluded)})
    assert [r["hidden"] for r in confidential] == [True]


# --- loads that change the graph, each on a fresh one --------------------------------------------------------

def test_loading_the_file_twice_leaves_exactly_the_same_graph(db: GraphEngine, dc_file: Path) -> None:
    load_parsed(db, parse_211(dc_file, namespace=NS), dataset_id=NS, path=dc_file)
    first = snapshot(db)
    first_counts = counts(db)
    load_parsed(db, parse_211(dc_file, namespace=NS), dataset_id=NS, path=dc_file)
    assert counts(db) == first_counts
    assert snapshot(db) == first


def _damaged(dc_file: Path, tmp_path: Path, damage: Any) -> Path:
    copy = tmp_path / "211.csv"
    shutil.copyfile(dc_file, copy)
    copy.chmod(0o644)
    lines = copy.read_bytes().split(b"\n")
    damage(lines)
    copy.write_bytes(b"\n".join(lines))
    return copy


def _truncate(lines: list[bytes]) -> None:
    """Cut the record on line 11 (row 11) after its 40th field, as a broken export would."""
    fields = next(csv.reader([lines[10].decode("utf-8")]))
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields[:40])
    lines[10] = out.getvalue().encode("utf-8")


@pytest.mark.parametrize(("damage", "expected"), [
    (_truncate, r"^211\.csv:11:Phone5Number: the row ends after 40 of the header's 116 columns \(a truncated row\); "
                r"fix or remove it$"),
    (lambda lines: lines.__setitem__(20, lines[20].replace(b"Washington", b"Washingt\xf3n", 1)),
     r"^211\.csv:21:MailingCity: byte 0xF3 is not UTF-8, yet the file is UTF-8 elsewhere"),
], ids=["truncated row", "stray byte"])
def test_a_damaged_copy_is_refused_with_the_place_of_the_damage_and_the_graph_is_unchanged(
    db: GraphEngine, dc_file: Path, tmp_path: Path, damage: Any, expected: str,
) -> None:
    load_parsed(db, parse_211(dc_file, namespace=NS), dataset_id=NS, path=dc_file)
    before = snapshot(db)
    copy = _damaged(dc_file, tmp_path, damage)
    assert b"\xc3" in copy.read_bytes() or b"\xe2" in copy.read_bytes()  # the file is UTF-8 elsewhere
    parsed = parse_211(copy, namespace=NS)
    with pytest.raises(LoadRejected) as rejected:
        load_parsed(db, parsed, dataset_id=NS, path=copy, replace=True)
    problems = [str(p) for p in rejected.value.report.errors]
    assert len(problems) == 1 and re.match(expected, problems[0]), problems
    assert snapshot(db) == before
