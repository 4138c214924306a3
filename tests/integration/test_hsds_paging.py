"""HSDS lists filtered by one term, taxonomy or organization page through that filter's visible ids,
kept per graph version: a load shows up (once the version is checked again), the roles keep apart,
and every page is cut from the same sorted list."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.engine import GraphEngine
from graph.schema.model import STAFF_ONLY_RECORD
from loaders.load import load_parsed
from services import derived
from services.hsds.listing import ServiceFilters, Window, service_ids
from tests.factories import ReadyPlan, small_plan

BY_TERM = ServiceFilters(taxonomy_term_id="a-term-food")


def _load(db: GraphEngine, services: int) -> None:
    load_parsed(db, ReadyPlan(small_plan("a-", services=services)), dataset_id="a", path=Path("memory"),
                replace=True)


def test_pages_cut_one_sorted_list_and_count_it_all(db: GraphEngine) -> None:
    _load(db, 12)
    everything = sorted(f"a-svc-{n}" for n in range(1, 13))
    pages = [service_ids(db, filters=BY_TERM, staff=False, window=Window(offset, 5)) for offset in (0, 5, 10, 15)]
    assert [p.ids for p in pages] == [everything[0:5], everything[5:10], everything[10:], []]
    assert {p.total for p in pages} == {12}
    assert service_ids(db, filters=ServiceFilters(organization_id="a-org-1"), staff=False,
                       window=Window()).ids == everything


def test_a_load_shows_once_the_graph_version_is_checked_again(db: GraphEngine,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(derived, "GRAPH_VERSION_TTL_S", 0.0)  # check the list of loads on every call
    _load(db, 2)
    assert service_ids(db, filters=BY_TERM, staff=False, window=Window()).total == 2
    _load(db, 4)
    assert service_ids(db, filters=BY_TERM, staff=False, window=Window()).total == 4


def test_the_public_and_staff_lists_are_kept_apart(db: GraphEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(derived, "GRAPH_VERSION_TTL_S", 0.0)
    _load(db, 3)
    db.write("MATCH (s:Service {id: 'a-svc-2'}) SET s.staffOnly = [$mark]", {"mark": STAFF_ONLY_RECORD})
    derived.DERIVED.forget(db)  # a direct write is no load: start afresh by hand
    assert service_ids(db, filters=BY_TERM, staff=False, window=Window()).ids == ["a-svc-1", "a-svc-3"]
    assert service_ids(db, filters=BY_TERM, staff=True, window=Window()).ids == ["a-svc-1", "a-svc-2", "a-svc-3"]
    assert service_ids(db, filters=BY_TERM, staff=False, window=Window()).ids == ["a-svc-1", "a-svc-3"]
