"""End to end: `safetynet load areas|ties|referrals --skip-invalid` on top of a generated demo city, in
subprocesses on a real embedded database of each engine (`cli_env`): what is valid loads, each record left out is
one line of the rejects report (exit status 3), and a referral file holding personal data is refused whole, the
flag notwithstanding, without any personal value printed or written."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from tests.e2e.cli import db_stats
from tests.e2e.cli import run_cli as _cli

SOUTH, NORTH, WEST, EAST = 44.20, 44.38, -76.65, -76.32  # the demo city's bbox
REJECTS_COLUMNS = ["file", "row", "field", "severity", "message", "record_kind", "record_id"]
EVENTS = ["date", "from_org", "to_org_or_service", "need_code", "area_id", "outcome"]


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _rejects(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == REJECTS_COLUMNS
        return list(reader)


def _ward(number: str | None, ring: list[list[float]] | None, parent: str | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"label": f"Ward {number}"}
    if number is not None:
        props["ward"] = number
    if parent is not None:
        props["parent"] = parent
    return {"type": "Feature", "properties": props,
            "geometry": None if ring is None else {"type": "Polygon", "coordinates": [ring]}}


def _wards(path: Path) -> Path:
    """Four wards splitting the demo city into quadrants, then three features that cannot load: ward 5 has no
    geometry, the sixth feature no id, and ward 6 lies within ward 5."""
    mid_lat, mid_lon = (SOUTH + NORTH) / 2, (WEST + EAST) / 2
    features = [_ward(str(n), [[w, s], [e, s], [e, n_], [w, n_], [w, s]])
                for n, (s, n_, w, e) in enumerate([(SOUTH, mid_lat, WEST, mid_lon), (SOUTH, mid_lat, mid_lon, EAST),
                                                   (mid_lat, NORTH, WEST, mid_lon), (mid_lat, NORTH, mid_lon, EAST)],
                                                  start=1)]
    square = [[WEST, SOUTH], [EAST, SOUTH], [EAST, NORTH], [WEST, NORTH], [WEST, SOUTH]]
    features += [_ward("5", None), _ward(None, square), _ward("6", square, parent="5")]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _organizations(data: Path) -> list[dict[str, str]]:
    with open(data / "organizations.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_planning_sources_load_what_is_valid_and_list_each_record_left_out(
    cli_env: dict[str, str], tmp_path: Path,
) -> None:
    data = tmp_path / "demo"
    _cli(cli_env, "generate", "demo", str(data), "--services", "120")
    _cli(cli_env, "load", "hsds", str(data), "--dataset-id", "demo")
    organizations = db_stats(cli_env)["labels"]["Organization"]

    # areas: the valid wards load; the unreadable features and the ward within one of them are listed
    rejects = tmp_path / "out" / "areas-rejects.csv"
    areas = _cli(cli_env, "load", "areas", str(_wards(tmp_path / "wards.geojson")), "--dataset-id", "wards",
                 "--id-prop", "ward", "--name-prop", "label", "--parent-prop", "parent", "--kind", "ward",
                 "--skip-invalid", "--rejects", str(rejects), check=False)
    assert areas.returncode == 3, areas.stdout + areas.stderr
    assert [(r["row"], r["field"], r["record_kind"], r["record_id"]) for r in _rejects(rejects)] == [
        ("5", "geometry", "area", "5"), ("6", "ward", "area", "feature 6"), ("7", "parent", "area", "6")]
    assert "its parent area '5' (feature 5) has errors" in _rejects(rejects)[2]["message"]
    stats = db_stats(cli_env)
    assert stats["labels"]["Area"] == 4 and stats["relationships"].get("WITHIN", 0) == 0
    assert stats["relationships"]["IN_AREA"] >= 50  # the demo's located sites, each in one of the four quadrants

    # ties: a bad row becomes no relationship, and a collaborative only a bad row names is not made
    orgs = _organizations(data)
    ties = _write_csv(tmp_path / "ties.csv", [
        ["from_org", "to_org", "type", "since", "weight", "source"],
        [orgs[0]["id"], orgs[1]["name"], "REFERS_TO", "2021", "3", "survey"],
        [orgs[0]["id"], "Nobody Of That Name", "REFERS_TO", "", "", ""],
        [orgs[1]["id"], orgs[2]["id"], "LIKES", "", "", ""],
        [orgs[2]["id"], "Maple Harbour Situation Table", "MEMBER_OF", "", "", ""],
        ["Nobody Of That Name", "Ghost Coalition", "MEMBER_OF", "", "", ""],
        [orgs[1]["id"], orgs[2]["id"], "PARTNERS_WITH", "2019-13", "", ""],
    ])
    rejects = tmp_path / "out" / "ties-rejects.csv"
    loaded = _cli(cli_env, "load", "ties", str(ties), "--dataset-id", "ties", "--skip-invalid",
                  "--rejects", str(rejects), check=False)
    assert loaded.returncode == 3, loaded.stdout + loaded.stderr
    assert [(r["row"], r["field"], r["record_kind"], r["record_id"]) for r in _rejects(rejects)] == [
        ("3", "to_org", "tie", "row 3"), ("4", "type", "tie", "row 4"), ("6", "from_org", "tie", "row 6"),
        ("7", "since", "tie", "row 7")]
    stats = db_stats(cli_env)
    assert (stats["relationships"]["REFERS_TO"], stats["relationships"]["MEMBER_OF"],
            stats["relationships"].get("PARTNERS_WITH", 0)) == (1, 1, 0)
    assert stats["labels"]["Organization"] == organizations + 1  # the situation table; no Ghost Coalition

    # referrals: a bad event is counted in no aggregate. The bad ones are all in May, which no good one is in, so
    # each would make a ReferralFlow or NeedCount of its own if it were counted.
    good = [[f"2026-0{1 + i % 3}-1{i % 9}", orgs[i % 3]["id"], orgs[3]["id"], "need-food", f"wards:{1 + i % 4}",
             "referred" if i % 4 else "unmet:wait-list"] for i in range(40)]
    bad = [["2026-05-02", orgs[0]["id"], orgs[3]["id"], "need-food", "wards:5", "referred"],  # ward 5 was left out
           ["2026-05-03", "Nobody Of That Name", "", "need-food", "wards:1", "unmet:wait-list"],
           ["2026-05-32", orgs[0]["id"], orgs[3]["id"], "need-food", "wards:1", "referred"],
           ["2026-05-04", orgs[0]["id"], orgs[3]["id"], "need-food", "wards:1", "maybe"]]
    events = _write_csv(tmp_path / "referrals.csv", [EVENTS, *good[:20], *bad, *good[20:]])
    rejects = tmp_path / "out" / "referrals-rejects.csv"
    loaded = _cli(cli_env, "load", "referrals", str(events), "--dataset-id", "referrals-2026", "--skip-invalid",
                  "--rejects", str(rejects), check=False)
    assert loaded.returncode == 3, loaded.stdout + loaded.stderr
    assert [(r["record_kind"], r["record_id"], r["field"]) for r in _rejects(rejects)] == [
        ("referral event", "row 22", "area_id"), ("referral event", "row 23", "from_org"),
        ("referral event", "row 24", "date"), ("referral event", "row 25", "outcome")]
    stats = db_stats(cli_env)
    assert stats["labels"]["ReferralFlow"] == len({(e[1], e[2], e[3], e[0][:7]) for e in good})
    assert stats["labels"]["NeedCount"] == len({(e[4], e[3], e[0][:7], e[5]) for e in good})

    again = _cli(cli_env, "load", "referrals", str(events), "--dataset-id", "referrals-2026", "--skip-invalid",
                 "--rejects", str(rejects), check=False)
    assert again.returncode == 3 and db_stats(cli_env) == stats  # idempotent: the same counts, set again


def test_a_referral_file_with_personal_data_is_refused_whole_even_with_skip_invalid(
    cli_env: dict[str, str], tmp_path: Path,
) -> None:
    """Personal data is about the export, not one event: nothing is loaded, and no personal value is printed or
    written (the rejects report is not written either: there is nothing to skip)."""
    _cli(cli_env, "load", "areas", str(_wards(tmp_path / "wards.geojson")), "--dataset-id", "wards",
         "--id-prop", "ward", "--name-prop", "label", "--skip-invalid", "--rejects", str(tmp_path / "areas.csv"),
         check=False)
    before = db_stats(cli_env)
    assert before["labels"]["Area"] >= 4
    event = ["2026-01-15", "org-x", "", "need-food", "wards:1", "unmet:wait-list"]
    files = {
        "in a cell": (_write_csv(tmp_path / "cell.csv", [[*EVENTS, "notes"], [*event, ""],
                                                         [*event, "call jane.doe@example.com"], [*event, ""]]),
                      ["jane.doe@example.com", "jane.doe"]),
        "in a column": (_write_csv(tmp_path / "column.csv", [[*EVENTS, "client_name", "date_of_birth"],
                                                             [*event, "Jane Doe", "1984-07-21"]]),
                        ["Jane Doe", "1984-07-21"]),
    }
    for where, (path, values) in files.items():
        rejects = tmp_path / f"rejects-{path.stem}.csv"
        refused = _cli(cli_env, "load", "referrals", str(path), "--dataset-id", "private", "--skip-invalid",
                       "--rejects", str(rejects), check=False)
        output = refused.stdout + refused.stderr
        assert refused.returncode == 1, (where, output)
        assert "about the file, not one record" in output and "nothing was loaded" in output, where
        assert "personal data" in output, where
        written = rejects.read_text(encoding="utf-8") if rejects.exists() else ""
        for value in values:
            assert value not in output and value not in written, (where, value)
        assert db_stats(cli_env) == before, where
