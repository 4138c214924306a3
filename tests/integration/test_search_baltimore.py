"""The front-line search on a real 211 directory (the Baltimore Ohana export), checked against a
brute force computed in this file straight from the raw files with `csv` and `json`: which
services a need reaches near a point, in which order, at which distance.

The brute force never touches the graph, the catalogue or `services.search`. Its rules, written
from the formats (not from the loader): a service's needs are its AIRS/211 codes
(`service_icarol_categories.json`) other than target populations (section `Y`), and its Open
Eligibility categories (`service_categories.json` → `taxonomy.csv`) other than situations; a need
term matches itself and everything under it — AIRS by code structure (`BD` ⊃ `BD-1800` ⊃
`BD-1800.2000`), Open Eligibility by `parent_id`; a service is at its `location_id`'s coordinates;
reach is haversine ≤ radius; order is (distance, id). The set has no service areas.
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.search_model import GeoPoint, ServiceQuery
from graph.engine import GraphEngine
from loaders.join_to_graph import join_to_graph
from loaders.load import load_parsed
from loaders.ohana import parse_ohana
from services.search import search_services

DATASET = "baltimore-211"
CASES = 80
RADII = (0.5, 1.0, 3.0, 8.0, 20.0)
SOUTH, NORTH, WEST, EAST = 39.20, 39.40, -76.75, -76.50


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    dlon = math.radians(b[1] - a[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _under_airs(code: str, term: str) -> bool:
    """Whether AIRS `code` is `term` or lies under it, by the code's structure: below a letter come
    its two-letter sections; below anything longer, the codes that go on with `-` or `.`."""
    if code == term:
        return True
    return code.startswith(term) and (len(term) == 1 or code[len(term)] in "-.")


@dataclass
class Baltimore:
    """The raw files, as the brute force needs them."""

    point: dict[str, tuple[float, float]]  # graph service id -> its location's (lat, lon)
    airs: dict[str, set[str]]  # graph service id -> its need codes
    oe: dict[str, set[str]]  # graph service id -> its need taxonomy ids
    oe_parent: dict[str, str]  # taxonomy id -> parent taxonomy id

    @classmethod
    def read(cls, folder: Path) -> Baltimore:
        locations = {r["id"]: (float(r["latitude"]), float(r["longitude"])) for r in _rows(folder, "locations.csv")
                     if r["latitude"].strip() and r["longitude"].strip()}
        service_ids = {r["id"] for r in _rows(folder, "services.csv")}
        point = {f"{DATASET}:service:{r['id']}": locations[r["location_id"]] for r in _rows(folder, "services.csv")
                 if r["location_id"] in locations}
        taxonomy = _rows(folder, "taxonomy.csv")
        situations = {r["taxonomy_id"] for r in taxonomy if r["type"].strip().lower() == "situation"}
        by_row_id = {r["id"]: r["taxonomy_id"] for r in taxonomy}
        airs: dict[str, set[str]] = defaultdict(set)
        for sid, codes in json.loads((folder / "service_icarol_categories.json").read_text("utf-8")).items():
            if sid in service_ids:
                airs[f"{DATASET}:service:{sid}"] |= {c.strip().upper() for c in codes if not c.strip().upper()
                                                     .startswith("Y")}
        oe: dict[str, set[str]] = defaultdict(set)
        for sid, ids in json.loads((folder / "service_categories.json").read_text("utf-8")).items():
            if sid in service_ids:
                oe[f"{DATASET}:service:{sid}"] |= {by_row_id[str(i)] for i in ids
                                                   if str(i) in by_row_id and by_row_id[str(i)] not in situations}
        return cls(point, airs, oe, {r["taxonomy_id"]: r["parent_id"] for r in taxonomy if r["parent_id"]})

    def _under_oe(self, taxonomy_id: str, term: str) -> bool:
        step: str | None = taxonomy_id
        while step:
            if step == term:
                return True
            step = self.oe_parent.get(step)
        return False

    def answer(self, need: str, near: tuple[float, float], radius_km: float) -> list[tuple[str, float]]:
        scheme, term = need.split(":", 1)
        found = []
        for sid, where in self.point.items():
            meets = (any(_under_airs(c, term) for c in self.airs.get(sid, ())) if scheme == "airs"
                     else any(self._under_oe(t, term) for t in self.oe.get(sid, ())))
            if meets and (d := _haversine(near, where)) <= radius_km:
                found.append((sid, d))
        return sorted(found, key=lambda hit: (hit[1], hit[0]))


@pytest.fixture(scope="module")
def baltimore(shared_data: Path) -> Baltimore:
    return Baltimore.read(shared_data / DATASET)


@pytest.fixture(scope="module")
def graph(module_db: GraphEngine, shared_data: Path) -> GraphEngine:
    """Baltimore loaded once, on each engine in turn: both must give the reference's answers."""
    parsed = parse_ohana(shared_data / DATASET, namespace=DATASET)
    join_to_graph(parsed.plan, [])
    load_parsed(module_db, parsed, dataset_id=DATASET, path=shared_data / DATASET)
    return module_db


def _needs(baltimore: Baltimore, rng: random.Random) -> str:
    """A need a worker could pick: an AIRS code at some level of a used code, or a used OE term or its parent."""
    if rng.random() < 0.6:
        code = rng.choice(sorted({c for codes in baltimore.airs.values() for c in codes}))
        cuts = [code] + [code[:i] for i in range(len(code)) if code[i:i + 1] in "-." and i > 0] + [code[:2], code[:1]]
        return f"airs:{rng.choice(cuts)}"
    term = rng.choice(sorted({t for ids in baltimore.oe.values() for t in ids}))
    return f"oe:{baltimore.oe_parent.get(term, term) if rng.random() < 0.4 else term}"


def test_the_reference_knows_the_code_structure() -> None:
    assert _under_airs("BD", "BD") and _under_airs("BD-1800.2000", "B") and _under_airs("BD-1800.2000", "BD")
    assert _under_airs("BD-1800.2000", "BD-1800") and _under_airs("BD-1800.2000-250", "BD-1800.2000")
    assert not _under_airs("BH-1800", "BD") and not _under_airs("BD-18000", "BD-1800")
    assert not _under_airs("BD-1800.20001", "BD-1800.2000")


def _case(baltimore: Baltimore, case: int) -> tuple[str, tuple[float, float], float]:
    """A need, a point (mostly near a service that meets it, as a worker would stand) and a radius."""
    rng = random.Random(7000 + case)
    need = _needs(baltimore, rng)
    radius = rng.choice(RADII)
    anywhere = (round(rng.uniform(SOUTH, NORTH), 6), round(rng.uniform(WEST, EAST), 6))
    meeting = sorted(sid for sid, _ in baltimore.answer(need, ((SOUTH + NORTH) / 2, (WEST + EAST) / 2), 500.0))
    if not meeting or rng.random() < 0.2:
        return need, anywhere, radius
    lat, lon = baltimore.point[rng.choice(meeting)]
    return need, (round(lat + rng.uniform(-0.02, 0.02), 6), round(lon + rng.uniform(-0.02, 0.02), 6)), radius


def test_most_cases_have_answers_to_compare(baltimore: Baltimore) -> None:
    answered = [len(baltimore.answer(*_case(baltimore, case))) for case in range(CASES)]
    assert sum(1 for n in answered if n) >= CASES // 2 and sum(1 for n in answered if n >= 10) >= CASES // 8


@pytest.mark.parametrize("case", range(CASES))
def test_the_search_agrees_with_the_brute_force_on_baltimore(graph: GraphEngine, baltimore: Baltimore,
                                                             case: int) -> None:
    need, near, radius = _case(baltimore, case)
    expected = baltimore.answer(need, near, radius)
    hits = search_services(graph, ServiceQuery(need=(need,), near=GeoPoint(*near), radius_km=radius))
    assert [h.service_id for h in hits] == [sid for sid, _ in expected], (need, near, radius)
    for hit, (_, distance) in zip(hits, expected, strict=True):
        assert hit.reach == "LOCATION" and hit.distance_km == pytest.approx(distance, abs=1e-6)
