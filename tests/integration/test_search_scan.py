"""The search-site scan (need + point + age in one pass over sites looked up by key) against the
general path, which traverses the graph itself: the same services, order, reach, distances and
totals, whole or by page, whichever keys the lookup uses; and the sites themselves: rebuilt, not
duplicated, by a reload."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from demo.generator import generate_demo
from demo.taxonomy import NEED_TERMS
from domain.search_keys import MAX_LOOKUP_KEYS
from domain.search_model import GeoPoint, Hit, Resident, ServiceQuery
from graph.engine import GraphEngine
from graph.schema.model import SEARCH_INDEX_VERSION
from loaders.hsds import parse_hsds
from loaders.load import load_parsed
from queries import run
from services.search import _scan_applies, _scan_need_near, need_terms, rank

LAT, LON = (44.20, 44.38), (-76.65, -76.32)  # the demo city's bbox, a little wider
CASES = 120


def _question(rng: random.Random) -> ServiceQuery:
    need = rng.choice(NEED_TERMS).id
    age = rng.choice([None, rng.randint(0, 95)])
    return ServiceQuery(
        need=(need,), near=GeoPoint(round(rng.uniform(*LAT), 6), round(rng.uniform(*LON), 6)),
        radius_km=rng.choice([0.3, 1.0, 2.5, 5.0, 12.0, 40.0]),
        resident=Resident(age=age) if age is not None else None, include_ineligible=rng.random() < 0.2,
    )


def _same(got: list[Hit], expected: list[Hit]) -> None:
    assert [h.service_id for h in got] == [h.service_id for h in expected]
    for g, e in zip(got, expected, strict=True):
        assert (g.reach, g.nearest_location_id) == (e.reach, e.nearest_location_id), g.service_id
        assert (g.distance_km is None) == (e.distance_km is None), g.service_id
        if g.distance_km is not None and e.distance_km is not None:
            assert g.distance_km == pytest.approx(e.distance_km, abs=1e-9)


# Key budgets that make the scan look sites up by (need, fine cell), (need, coarse cell) or bare need.
KEY_BUDGETS = {"default": MAX_LOOKUP_KEYS, "small": 24, "none": 0}


@pytest.mark.parametrize("budget", KEY_BUDGETS)
@pytest.mark.parametrize("case", range(CASES))
def test_the_scan_answers_as_the_general_path(demo_db: GraphEngine, case: int, budget: str) -> None:
    query = _question(random.Random(1000 + case))
    assert _scan_applies(demo_db, query)
    general = rank(demo_db, query, scan=False)
    age = query.resident.age if query.resident and not query.include_ineligible else None
    scanned = _scan_need_near(demo_db, query, need_terms(demo_db, query.need), age, None, KEY_BUDGETS[budget])
    assert scanned is not None
    hits, total = scanned
    assert total == general.total == len(general.hits)
    _same(hits, general.hits)


@pytest.mark.parametrize("prefix", [1, 3, 20])
@pytest.mark.parametrize("case", range(20))
def test_a_page_of_the_scan_is_the_start_of_the_whole_answer(demo_db: GraphEngine, case: int, prefix: int) -> None:
    query = _question(random.Random(5000 + case))
    whole = rank(demo_db, query, scan=False)
    page = rank(demo_db, query, prefix=prefix)
    assert page.total == whole.total
    assert len(page.hits) >= min(prefix, whole.total)
    _same(page.hits[:prefix], whole.hits[:prefix])


def test_a_top_level_need_counts_each_service_once(demo_db: GraphEngine) -> None:
    """A service tagged with a need and its parent is one answer, not two."""
    top = next(t.id for t in NEED_TERMS if not t.parent_id)
    query = ServiceQuery(need=(top,), near=GeoPoint(44.29, -76.48), radius_km=40.0)
    ranked = rank(demo_db, query)
    ids = [h.service_id for h in ranked.hits]
    assert len(ids) == len(set(ids)) == ranked.total > 0


def _site_count(db: GraphEngine) -> int:
    return int(db.read("MATCH (x:SearchSite) RETURN count(x) AS n")[0]["n"])


def test_reloading_rebuilds_the_sites_without_duplicates(db: GraphEngine, tmp_path: Path) -> None:
    source = tmp_path / "demo"
    generate_demo(source, services=40, seed=11)  # a small city: three loads of it
    load_parsed(db, parse_hsds(source), dataset_id="demo", path=source)
    first = _site_count(db)
    services = int(db.read("MATCH (s:Service) RETURN count(s) AS n")[0]["n"])
    assert services == 40 and first >= services * 0.9  # nearly every demo service has a located site or an area
    load_parsed(db, parse_hsds(source), dataset_id="demo", path=source)
    assert _site_count(db) == first
    load_parsed(db, parse_hsds(source), dataset_id="demo", path=source, replace=True)
    assert _site_count(db) == first
    rows = run.read(db, "search/index_ready", version=SEARCH_INDEX_VERSION)
    assert rows[0]["datasets"] == rows[0]["ready"] == 1
