"""`load_source`: parsing and writing at once (nodes go to the database while the rest is read),
with the same all-or-nothing guarantee as writing a finished plan. Real embedded FalkorDB."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph import embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import DatabaseSettings
from loaders.hsds import ParseResult, parse_hsds
from loaders.load import load_parsed, load_source
from loaders.plan import NodesReady
from loaders.report import LoadRejected
from tests.graph_snapshot import counts, snapshot

ORGANIZATION = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"


def _writable_copy(examples: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "csv"
    shutil.copytree(examples / "csv", folder)
    for file in folder.iterdir():
        file.chmod(0o644)
    return folder


def _parser(path: Path, handed_over: list[str], after: Callable[[], None] | None = None,
            ) -> Callable[[NodesReady | None], ParseResult]:
    """parse_hsds, noting which labels it hands over early; `after` runs once it has read everything."""
    def parse(on_nodes: NodesReady | None) -> ParseResult:
        def note(label: str, nodes: Any) -> None:
            handed_over.append(label)
            assert on_nodes is not None
            on_nodes(label, nodes)

        parsed = parse_hsds(path, on_nodes=note if on_nodes else None)
        if after:
            after()
        return parsed
    return parse


@pytest.mark.engines("falkordb", reason="compares with a second graph: Neo4j Community has one database")
def test_the_examples_load_while_being_read_into_the_same_graph_as_a_finished_plan(
    db: GraphEngine, graph_settings: DatabaseSettings, hsds_examples: Path
) -> None:
    handed_over: list[str] = []
    progress: list[tuple[int, int | None]] = []
    result = load_source(db, _parser(hsds_examples / "csv", handed_over), dataset_id="examples",
                         path=hsds_examples / "csv", on_write=lambda done, total: progress.append((done, total)))
    assert {"Organization", "Service", "Location", "Schedule", "TaxonomyTerm"} <= set(handed_over)
    assert result.written and result.records == 19 and len(result.warnings) == 8
    done, total = progress[-1]
    assert done == total and total is not None and total > 19
    assert any(t is None for _, t in progress)  # rows were written before the plan was complete

    planned = connect(graph_settings.model_copy(update={"db_name": f"{graph_settings.db_name}-planned"}))
    try:
        path = hsds_examples / "csv"
        load_parsed(planned, parse_hsds(path), dataset_id="examples", path=path)
        assert (counts(planned), snapshot(planned)) == (counts(db), snapshot(db))
    finally:
        planned.close()


def test_errors_found_after_nodes_were_handed_over_leave_the_graph_as_it_was(
    db: GraphEngine, hsds_examples: Path, tmp_path: Path
) -> None:
    load_source(db, _parser(hsds_examples / "service_list.json", []), dataset_id="page",
                path=hsds_examples / "service_list.json")
    before = counts(db), snapshot(db)
    broken = _writable_copy(hsds_examples, tmp_path)
    services = broken / "services.csv"
    services.write_text(services.read_text(encoding="utf-8").replace(ORGANIZATION, "no-such-org"), encoding="utf-8")
    handed_over: list[str] = []
    with pytest.raises(LoadRejected) as rejected:
        load_source(db, _parser(broken, handed_over), dataset_id="broken", path=broken)
    assert [str(p) for p in rejected.value.report.errors] == [
        "services.csv:2:organization_id: no organization with id 'no-such-org'"]
    assert "Service" in handed_over  # written into the staged copy, then dropped
    assert (counts(db), snapshot(db)) == before


def test_strict_rejects_the_examples_warnings_after_their_nodes_were_handed_over(
    db: GraphEngine, hsds_examples: Path
) -> None:
    handed_over: list[str] = []
    with pytest.raises(LoadRejected) as rejected:
        load_source(db, _parser(hsds_examples / "csv", handed_over), dataset_id="examples",
                    path=hsds_examples / "csv", strict=True)
    assert len(rejected.value.report.errors) == 8 and handed_over
    assert counts(db) == ({}, {})


@pytest.mark.engines("falkordb", reason="checks FalkorDB's staging graphs and lock key")
@pytest.mark.parametrize("interruption", [KeyboardInterrupt, OSError])
def test_a_read_interrupted_after_nodes_were_handed_over_writes_nothing_and_frees_the_lock(
    db: GraphEngine, graph_settings: DatabaseSettings, hsds_examples: Path, interruption: type[BaseException],
    falkordb_server: embedded.ServerInfo,
) -> None:
    def interrupt() -> None:
        raise interruption("stopped while reading")

    handed_over: list[str] = []
    with pytest.raises(interruption, match="stopped while reading"):
        load_source(db, _parser(hsds_examples / "csv", handed_over, after=interrupt), dataset_id="examples",
                    path=hsds_examples / "csv")
    assert handed_over and counts(db) == ({}, {})
    graphs = [g.decode() for g in falkordb_server.client().execute_command("GRAPH.LIST")]  # type: ignore[no-untyped-call]
    assert not [g for g in graphs if g.startswith(f"{graph_settings.db_name}.loading-")]
    # and the load lock is free: the next load goes through
    load_source(db, _parser(hsds_examples / "csv", []), dataset_id="examples", path=hsds_examples / "csv")
    assert counts(db)[0]["Service"] == 1


def test_a_dry_run_reads_and_validates_without_a_database(hsds_examples: Path) -> None:
    handed_over: list[str] = []
    result = load_source(None, _parser(hsds_examples / "csv", handed_over), dataset_id="examples",
                         path=hsds_examples / "csv", dry_run=True)
    assert not result.written and result.counts["Service"] == 1 and handed_over == []
