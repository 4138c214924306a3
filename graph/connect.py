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
    or start one that `close()` stops again (a server started by `safetynet db start` is left alone).
    `falkordb://HOST:PORT` naming an embedded server of ours uses its password; any other FalkorDB
    server gets SAFETYNET_DB_PASSWORD (none if empty)."""
    target = parse_db_uri(settings.db)
    engine: GraphEngine
    if target.kind == "neo4j":
        engine = Neo4jEngine(uri=target.uri, user=settings.db_user,
                             password=settings.db_password.get_secret_value(), database=settings.neo4j_database)
    elif target.kind == "falkordb":
        ours = embedded.serving(target.host, target.port)  # an embedded server of ours: its own password
        engine = FalkorEngine(host=target.host, port=target.port, graph=settings.db_name, uri=target.uri,
                              password=ours.password if ours else settings.db_password.get_secret_value(),
                              embedded_dir=ours.data_dir if ours else None)
    else:
        assert target.path is not None
        data_dir = target.path
        info, started = embedded.start(data_dir)
        engine = FalkorEngine(
            host="127.0.0.1", port=info.port, graph=settings.db_name, uri=target.uri,
            password=info.password, embedded_dir=info.data_dir,
            on_close=(lambda: _stop(data_dir)) if started else None,
            hint=f"see {data_dir / 'server.log'}; `safetynet db status` shows the embedded server",
        )
    if ensure_schema:
        engine.ensure_schema()
    return engine
