"""End to end: the `safetynet load` commands for planners' and 211 sources, in subprocesses on a real
embedded database of each engine (`cli_env`) — areas, agency ties, de-identified referrals, an Ohana export —
with the graph checked after each, and refusals (personal data, dry runs) leaving it as it was."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from tests.e2e.cli import run_cli as _cli

SOUTH, NORTH, WEST, EAST = 44.20, 44.38, -76.65, -76.32  # the demo city's bbox


def _stats(env: dict[str, str]) -> dict[str, dict[str, int]]:
    return json.loads(_cli(env, "db", "stats", "--json").stdout)  # type: ignore[no-any-return]


def _wards(path: Path) -> Path:
    """Four wards splitting the demo city into quadrants, with populations."""
    mid_lat, mid_lon = (SOUTH + NORTH) / 2, (WEST + EAST) / 2
    features = []
    for n, (s, n_, w, e) in enumerate([(SOUTH, mid_lat, WEST, mid_lon), (SOUTH, mid_lat, mid_lon, EAST),
                                       (mid_lat, NORTH, WEST, mid_lon), (mid_lat, NORTH, mid_lon, EAST)], start=1):
        ring = [[w, s], [e, s], [e, n_], [w, n_], [w, s]]
        features.append({"type": "Feature", "properties": {"ward": str(n), "label": f"Ward {n}",
                                                            "population": 10_000 * n},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _organizations(data: Path) -> list[dict[str, str]]:
    with open(data / "organizations.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_planning_sources_load_on_top_of_a_directory(cli_env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "demo"
    _cli(cli_env, "generate", "demo", str(data), "--services", "120")
    _cli(cli_env, "load", "hsds", str(data), "--dataset-id", "demo")

    areas = _cli(cli_env, "load", "areas", str(_wards(tmp_path / "wards.geojson")), "--dataset-id", "wards",
                 "--id-prop", "ward", "--name-prop", "label", "--kind", "ward", "--population-prop", "population")
    assert "records loaded" in areas.stdout
    stats = _stats(cli_env)
    assert stats["labels"]["Area"] == 4
    assert stats["relationships"]["IN_AREA"] >= 50  # the demo's located sites, each in one quadrant

    orgs = _organizations(data)
    ties = _write_csv(tmp_path / "ties.csv", [
        ["from_org", "to_org", "type", "since", "weight", "source"],
        [orgs[0]["id"], orgs[1]["name"], "REFERS_TO", "2021", "3", "survey"],
        [orgs[1]["id"], orgs[2]["id"], "partners with", "2019-05", "", ""],
        [orgs[2]["id"], "Maple Harbour Situation Table", "MEMBER_OF", "", "", ""],
    ])
    _cli(cli_env, "load", "ties", str(ties), "--dataset-id", "ties")
    stats = _stats(cli_env)
    assert (stats["relationships"]["REFERS_TO"], stats["relationships"]["PARTNERS_WITH"],
            stats["relationships"]["MEMBER_OF"]) == (1, 1, 1)

    header = ["date", "from_org", "to_org_or_service", "need_code", "area_id", "outcome"]
    events = [[f"2026-0{1 + i % 3}-1{i % 9}", orgs[i % 3]["id"], orgs[3]["id"], "need-food", f"wards:{1 + i % 4}",
               "referred" if i % 4 else "unmet:wait-list"] for i in range(40)]
    _cli(cli_env, "load", "referrals", str(_write_csv(tmp_path / "referrals.csv", [header, *events])),
         "--dataset-id", "referrals-2026q1")
    stats = _stats(cli_env)
    assert stats["labels"]["ReferralFlow"] == len({(e[1], e[2], e[3], e[0][:7]) for e in events})
    assert stats["labels"]["NeedCount"] == len({(e[4], e[3], e[0][:7], e[5]) for e in events})

    before = _stats(cli_env)
    personal = _write_csv(tmp_path / "with_names.csv", [[*header, "client_name"], [*events[0], "Jane Doe"]])
    refused = _cli(cli_env, "load", "referrals", str(personal), check=False)
    assert refused.returncode == 1
    assert "client_name" in refused.stderr and "Jane Doe" not in refused.stderr + refused.stdout
    dry = _cli(cli_env, "load", "ties", str(ties), "--dataset-id", "ties-again", "--dry-run")
    assert "validated (nothing written)" in dry.stdout
    assert _stats(cli_env) == before


def test_an_ohana_export_loads_joined_to_the_areas_and_hsds_refuses_it(
    cli_env: dict[str, str], shared_data: Path,
) -> None:
    baltimore = shared_data / "baltimore-211"
    wrong = _cli(cli_env, "load", "hsds", str(baltimore), check=False)
    assert wrong.returncode == 1 and "safetynet load ohana" in wrong.stderr
    loaded = _cli(cli_env, "load", "ohana", str(baltimore), "--dataset-id", "baltimore-211")
    assert "records loaded" in loaded.stdout and "from eligibility text:" in loaded.stdout
    stats = _stats(cli_env)
    with open(baltimore / "services.csv", newline="", encoding="utf-8-sig") as handle:
        assert stats["labels"]["Service"] == sum(1 for _ in csv.DictReader(handle))
    assert stats["relationships"]["MAPS_TO"] > 0


@pytest.mark.parametrize("command", ["areas", "ties", "referrals", "ohana", "211"])
def test_each_load_command_has_help(command: str) -> None:
    result = _cli({**os.environ, "NO_COLOR": "1"}, "load", command, "--help")  # no database is opened
    assert "Usage" in result.stdout and "--dry-run" in result.stdout
