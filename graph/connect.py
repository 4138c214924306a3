"""Open the engine SAFETYNET_DB names; start the embedded server when needed."""

from __future__ import annotations

from pathlib import Path

from graph import embedded
from graph.engine import GraphEngine
from graph.falkor import FalkorEngine
from graph.neo4j_engine import Neo4jEngine
from graph.settings import Settings
from graph.uri import parse_db_uri


def _stop(data_dir: Path) -> None:
    embedded.stop(data_dir)


def connect(settings: Settings, *, ensure_schema: bool = True) -> GraphEngine:
    """One engine per process. For `embedded://PATH`, reuse the server already running for PATH,
    or start one that `close()` stops again (a server started by `safetynet db start` is left alone)."""
    target = parse_db_uri(settings.db)
    engine: GraphEngine
    if target.kind == "neo4j":
        engine = Neo4jEngine(uri=target.uri, user=settings.db_user,
                             password=settings.db_password.get_secret_value(), database=settings.neo4j_database)
    elif target.kind == "falkordb":
        engine = FalkorEngine(host=target.host, port=target.port, graph=settings.db_name, uri=target.uri)
    else:
        assert target.path is not None
        data_dir = target.path
        info, started = embedded.start(data_dir)
        engine = FalkorEngine(
            host="127.0.0.1", port=info.port, graph=settings.db_name, uri=target.uri,
            on_close=(lambda: _stop(data_dir)) if started else None,
            hint=f"see {data_dir / 'server.log'}; `safetynet db status` shows the embedded server",
        )
    if ensure_schema:
        engine.ensure_schema()
    return engine
