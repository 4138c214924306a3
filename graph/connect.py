"""Open the engine SAFETYNET_DB names; start the embedded server (FalkorDB or Neo4j) when needed."""

from __future__ import annotations

from pathlib import Path

from graph import embedded, neo4j_embedded
from graph.engine import GraphEngine
from graph.errors import DatabaseUnavailable
from graph.falkor import FalkorEngine
from graph.neo4j_engine import Neo4jEngine
from graph.settings import DatabaseSettings
from graph.uri import Target, parse_db_uri


def _stop(data_dir: Path) -> None:
    embedded.stop(data_dir)


def _stop_neo4j(data_dir: Path) -> None:
    neo4j_embedded.stop(data_dir)


def _embedded_neo4j(settings: DatabaseSettings, target: Target) -> Neo4jEngine:
    """The server for `embedded-neo4j://PATH`, reused or started (and then stopped again by `close()`, or
    at once if the engine cannot connect), as user neo4j with the directory's password."""
    assert target.path is not None
    data_dir = target.path
    info, started = neo4j_embedded.start(data_dir, settings)
    try:
        return Neo4jEngine(
            uri=target.uri, address=info.bolt_uri, user=neo4j_embedded.USER, password=info.password, database=None,
            on_close=(lambda: _stop_neo4j(data_dir)) if started else None,
            hint=f"see {data_dir / 'server.log'}; `safetynet db status` shows the embedded server",
            read_deadline_s=settings.read_deadline_s,
        )
    except DatabaseUnavailable:
        if started:
            _stop_neo4j(data_dir)
        raise


def connect(settings: DatabaseSettings, *, ensure_schema: bool = True) -> GraphEngine:
    """One engine per process. For `embedded://PATH`, reuse the server already running for PATH,
    or start one that `close()` stops again (a server started by `safetynet db start` is left alone).
    `embedded-neo4j://PATH` likewise, with an embedded Neo4j server.
    `falkordb://HOST:PORT` naming an embedded server of ours uses its password; any other FalkorDB
    server gets SAFETYNET_DB_PASSWORD (none if empty). If the schema cannot be applied, the engine is
    closed (stopping a server it started) before the error goes up."""
    target = parse_db_uri(settings.db)
    engine: GraphEngine
    if target.kind == "neo4j":
        engine = Neo4jEngine(uri=target.uri, user=settings.db_user,
                             password=settings.db_password.get_secret_value(), database=settings.neo4j_database,
                             read_deadline_s=settings.read_deadline_s)
    elif target.kind == "embedded-neo4j":
        engine = _embedded_neo4j(settings, target)
    elif target.kind == "falkordb":
        ours = embedded.serving(target.host, target.port)  # an embedded server of ours: its own password
        engine = FalkorEngine(host=target.host, port=target.port, graph=settings.db_name, uri=target.uri,
                              password=ours.password if ours else settings.db_password.get_secret_value(),
                              embedded_dir=ours.data_dir if ours else None, read_deadline_s=settings.read_deadline_s)
    else:
        assert target.path is not None
        data_dir = target.path
        info, started = embedded.start(data_dir)
        engine = FalkorEngine(
            host="127.0.0.1", port=info.port, graph=settings.db_name, uri=target.uri,
            password=info.password, embedded_dir=info.data_dir,
            on_close=(lambda: _stop(data_dir)) if started else None,
            hint=f"see {data_dir / 'server.log'}; `safetynet db status` shows the embedded server",
            read_deadline_s=settings.read_deadline_s,
        )
    if ensure_schema:
        try:
            engine.ensure_schema()
        except BaseException:
            engine.close()
            raise
    return engine
