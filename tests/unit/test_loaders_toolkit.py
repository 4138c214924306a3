"""The loaders' shared toolkit (loaders/toolkit): one language table, one yes/no vocabulary, one text decoder, one
namespace check. Each rule is checked through every loader that reads such values, so a loader that grows its own
copy again (and recognises less) fails here, not in production."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from loaders.airs211 import parse_211
from loaders.mapped import parse_mapped
from loaders.ohana import parse_ohana
from loaders.plan import GraphPlan
from loaders.report import Report
from loaders.toolkit.decoding import decode, decode_head
from loaders.toolkit.ids import check_namespace, slug
from loaders.toolkit.languages import ALIASES, ISO_639_1, OTHER_CODES, language_name, read_languages
from loaders.toolkit.yes_no import NO, YES, yes_no

ISO_CODES = json.loads(Path("/usr/share/iso-codes/json/iso_639-3.json").read_text(encoding="utf-8"))["639-3"] \
    if Path("/usr/share/iso-codes/json/iso_639-3.json").is_file() else None
EVERY_CODE = [*ISO_639_1, *OTHER_CODES]
EVERY_NAME = "; ".join(language_name(code) for code in EVERY_CODE)


# --- the loaders, each on the smallest input that carries the value -------------------------------------------

def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _211(tmp_path: Path, extra: dict[str, str], encoding: str = "utf-8") -> GraphPlan:
    row = {"ResourceAgencyNum": "100", "PublicName": "Food Org", "TaxonomyLevelName": "Agency",
           "ParentAgencyNum": "0", "Phone1Number": "(202) 555-0100", "PhysicalAddress1": "1 Main St",
           "PhysicalCity": "Washington", "PhysicalStateProvince": "DC", "PhysicalPostalCode": "20001",
           "Latitude": "38.9", "Longitude": "-77.0", **extra}
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "211.csv"
    path.write_bytes(_csv([list(row), list(row.values())]).encode(encoding))
    result = parse_211(path, namespace="t")
    assert result.report.errors == []
    return result.plan


def _ohana(tmp_path: Path, location: dict[str, str], encoding: str = "utf-8") -> GraphPlan:
    folder = tmp_path / "ohana"
    folder.mkdir(parents=True)
    place = {"id": "10", "organization_id": "1", "name": "Main site", "description": "The main site", **location}
    files = {"organizations.csv": [["id", "name", "description"], ["1", "Food Org", "Feeds people"]],
             "locations.csv": [list(place), list(place.values())],
             "services.csv": [["id", "location_id", "name", "description"], ["100", "10", "Pantry", "Food boxes"]]}
    for name, rows in files.items():
        (folder / name).write_bytes(_csv(rows).encode(encoding))
    result = parse_ohana(folder, namespace="t")
    assert result.report.errors == []
    return result.plan


_MAPPING = """\
version: 1
objects:
  org:
    table: organization
    key: "{id}"
    fields: {name: name, description: name}
  site:
    table: location
    key: "{id}"
    fields: {name: name, location_type: {value: physical}}
    links: {organization_id: org}
  language:
    table: language
    read: {languages: languages}
    key: "{id}"
    links: {location_id: site}
"""


def _mapped(tmp_path: Path, languages: str, encoding: str = "utf-8") -> GraphPlan:
    tmp_path.mkdir(parents=True, exist_ok=True)
    data = tmp_path / "sites.csv"
    data.write_bytes(_csv([["id", "name", "languages"], ["1", "Food Org", languages]]).encode(encoding))
    (tmp_path / "map.yaml").write_text(_MAPPING, encoding="utf-8")
    result = parse_mapped([data], tmp_path / "map.yaml", namespace="t")
    assert result.report.errors == []
    return result.plan


def _language_codes(plan: GraphPlan) -> set[str]:
    return {row["props"]["code"] for row in plan.nodes.get("Language", {}).values() if "code" in row["props"]}


def _props(plan: GraphPlan, label: str) -> dict[str, Any]:
    [row] = plan.nodes[label].values()
    return dict(row["props"])


# --- languages ------------------------------------------------------------------------------------------------

def test_the_language_table_has_iso_639_codes_and_every_alias_names_one_of_them() -> None:
    assert all(len(code) == 2 and code.isalpha() and code.islower() for code in ISO_639_1)
    assert all(len(code) == 3 and code.isalpha() and code.islower() for code in OTHER_CODES)
    assert not set(ISO_639_1) & set(OTHER_CODES)
    assert set(ALIASES.values()) <= set(EVERY_CODE)
    assert all(alias == alias.casefold() for alias in ALIASES)
    assert len(EVERY_CODE) >= 195  # the union of the 211 (129) and Ohana (195) tables it replaced


@pytest.mark.skipif(ISO_CODES is None, reason="the iso-codes package is not installed")
def test_the_codes_are_those_iso_639_gives() -> None:
    assert ISO_CODES is not None
    one = {entry["alpha_2"] for entry in ISO_CODES if "alpha_2" in entry}
    three = {entry["alpha_3"] for entry in ISO_CODES}
    assert set(ISO_639_1) <= one
    assert set(OTHER_CODES) - three <= {"sgn", "kar"}  # 639-2 collective codes (sign languages, Karen languages)


@pytest.mark.parametrize("code", EVERY_CODE)
def test_every_language_is_found_by_its_own_name_and_names_nothing_else(code: str) -> None:
    found = read_languages(language_name(code))
    assert (list(found.codes), found.unknown, found.plain, found.notes) == ([code], [], True, False)


def test_prose_keeps_names_notes_and_unknown_words_apart() -> None:
    found = read_languages("Spanish, Mai Mai (Somali language), Kiswhali. Language Line. Ask for Ms. Lopez. ASL")
    assert (list(found.codes), found.unknown, found.notes, found.plain) == (
        ["es", "so", "ase"], ["Mai Mai", "Kiswhali"], True, False)
    assert read_languages("non-English speaking clients").codes == {}
    assert list(read_languages("Mandarin and Cantonese; Tigrinya / Amharic").codes) == ["zh", "ti", "am"]
    assert read_languages("La Casa TRP").unknown == []  # an acronym: a note, not a language


def test_the_211_ohana_and_mapped_loaders_recognise_every_language_of_the_table(tmp_path: Path) -> None:
    assert _language_codes(_211(tmp_path / "a", {"LanguagesOffered": EVERY_NAME})) == set(EVERY_CODE)
    assert _language_codes(_ohana(tmp_path / "b", {"languages": EVERY_NAME})) == set(EVERY_CODE)
    assert _language_codes(_mapped(tmp_path / "c", EVERY_NAME)) == set(EVERY_CODE)


@pytest.mark.parametrize(("text", "codes"), [
    ("Tigrigna, Krio", {"ti", "kri"}),  # once only the 211 table's
    ("Lakota, Romani, Flemish", {"lkt", "rom", "nl"}),  # once only Ohana's
])
def test_a_language_one_loader_knew_every_loader_knows(tmp_path: Path, text: str, codes: set[str]) -> None:
    assert _language_codes(_211(tmp_path / "a", {"LanguagesOffered": text})) == codes
    assert _language_codes(_ohana(tmp_path / "b", {"languages": text})) == codes
    assert _language_codes(_mapped(tmp_path / "c", text)) == codes


# --- yes/no ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("word", "value"), [*((w, True) for w in sorted(YES)), *((w, False) for w in sorted(NO)),
                                             (" OUI ", True), ("Non", False), ("maybe", None), ("", None)])
def test_yes_no_words(word: str, value: bool | None) -> None:
    assert yes_no(word) is value


@pytest.mark.parametrize(("word", "value"), [("oui", True), ("non", False), ("Yes", True), ("n", False)])
def test_the_211_and_ohana_loaders_read_the_same_yes_no_words(tmp_path: Path, word: str, value: bool) -> None:
    phone = _props(_211(tmp_path / "a", {"Phone1IsPrivate": word}), "Phone")
    assert ("number" in phone.get("staffOnly", [])) is value
    location = _props(_ohana(tmp_path / "b", {"virtual": word}), "Location")
    assert location["locationType"] == ("virtual" if value else "physical")


# --- decoding -------------------------------------------------------------------------------------------------

TEXT = "id,name\r\n1,Café Nuestra Señora – “open”\r\n"


@pytest.mark.parametrize(("encoding", "name"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                ("utf-16", "utf-16"), ("utf-16-le", None), ("cp1252", "cp1252")])
def test_the_encodings_exports_come_in(encoding: str, name: str | None) -> None:
    data = TEXT.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data  # a BOM written by hand, as spreadsheets do
        name = "utf-16"
    report = Report()
    decoded = decode(data, "f.csv", report)
    assert decoded is not None and (decoded.text, decoded.encoding, report.errors) == (TEXT, name, [])
    assert (decoded.fallback is not None) == (encoding == "cp1252")
    if encoding != "cp1252":
        assert decode_head(data) == TEXT


def test_bytes_that_are_no_trusted_text_are_refused_at_their_row_and_column() -> None:
    report = Report()
    assert decode("id,name\n1,Café\n".encode() + b"2,Caf\xe9\n", "f.csv", report) is None
    assert [str(p) for p in report.errors] == [
        "f.csv:3:name: byte 0xE9 is not UTF-8, yet the file is UTF-8 elsewhere (mixed encodings or a damaged "
        "file); save the whole file as UTF-8"]
    report = Report()
    assert decode(b"id,name\n1,Bad \x81\n", "f.csv", report) is None
    assert [str(p) for p in report.errors] == [
        "f.csv:2:name: byte 0x81 is neither UTF-8 nor Windows-1252 text; save the file as UTF-8"]
    report = Report()
    assert decode(b'{\n"a":\n"\x81"}', "f.json", report, tabular=False) is None
    assert [p.row for p in report.errors] == [3]


def _utf16(reader: Callable[[Path, str], GraphPlan], tmp_path: Path) -> tuple[GraphPlan, GraphPlan]:
    return reader(tmp_path / "utf8", "utf-8"), reader(tmp_path / "utf16", "utf-16")


def test_the_211_ohana_and_mapped_loaders_read_a_utf16_file_with_a_bom(tmp_path: Path) -> None:
    name = {"PublicName": "Café Señora", "LanguagesOffered": "Español, French"}
    for plain, wide in (
        _utf16(lambda p, e: _211(p, name, e), tmp_path / "211"),
        _utf16(lambda p, e: _ohana(p, {"name": "Café Señora", "languages": "French"}, e), tmp_path / "ohana"),
        _utf16(lambda p, e: _mapped(p, "Café; French", e), tmp_path / "mapped"),
    ):
        assert wide.nodes == plain.nodes and wide.relationships == plain.relationships
        assert "fr" in _language_codes(wide)


def test_the_211_and_ohana_loaders_read_windows_1252_alike(tmp_path: Path) -> None:
    org = _props(_211(tmp_path / "a", {"PublicName": "Café"}, "cp1252"), "Organization")
    location = _props(_ohana(tmp_path / "b", {"name": "Café"}, "cp1252"), "Location")
    assert org["name"] == location["name"] == "Café"


# --- ids ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("namespace", ["", "a b", "a:b", "-a", ".a", "é"])
def test_a_namespace_that_could_not_keep_ids_apart_is_refused_by_every_loader(tmp_path: Path, namespace: str) -> None:
    with pytest.raises(ValueError, match="namespace"):
        check_namespace(namespace)
    (tmp_path / "211.csv").write_text("ResourceAgencyNum,PublicName\n1,A\n", encoding="utf-8")
    (tmp_path / "ohana").mkdir()
    (tmp_path / "map.yaml").write_text(_MAPPING, encoding="utf-8")
    for load in (lambda: parse_211(tmp_path / "211.csv", namespace=namespace),
                 lambda: parse_ohana(tmp_path / "ohana", namespace=namespace),
                 lambda: parse_mapped([tmp_path / "211.csv"], tmp_path / "map.yaml", namespace=namespace)):
        with pytest.raises(ValueError, match="namespace"):
            load()


def test_usable_namespaces_and_slugs() -> None:
    assert [check_namespace(n) for n in ("baltimore-211", "dc_211.v2", "A")] == ["baltimore-211", "dc_211.v2", "A"]
    assert (slug("Ward 6"), slug("  St. Mary's  "), slug("!!")) == ("ward-6", "st-mary-s", "-")
