"""Settings from the environment (prefix `SAFETYNET_`), built once per process and injected."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

_SIZE = r"^[1-9][0-9]*[kKmMgG]$"  # a JVM / Neo4j memory size: 512m, 2g


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFETYNET_", extra="ignore")

    db: str = Field(
        "embedded://.safetynet",
        description="embedded://PATH (default), embedded-neo4j://PATH, falkordb://HOST:PORT, or bolt://… / "
        "neo4j://… for Neo4j 5",
    )
    db_user: str = "neo4j"
    db_password: SecretStr = Field(
        SecretStr(""), description="Neo4j's password, or that of a FalkorDB server at falkordb://… other than an "
        "embedded one of ours (which uses its own, PATH/server.password)"
    )
    db_name: str = Field("safetynet", description="the graph's name on a FalkorDB server")
    neo4j_database: str | None = Field(None, description="Neo4j database name (default: the server's default)")
    # embedded-neo4j://PATH: the server's memory, sized for a 2-core, 24 GB machine. A whole load is one
    # transaction, which holds about 9 KB per record until it commits (bench/load.py): the 100k-service demo city
    # (1.3 million records) takes ~12 GB of it. The heap grows to its maximum only as a load needs it.
    neo4j_heap: str = Field("16g", pattern=_SIZE, description="embedded Neo4j: the JVM's largest heap (-Xmx; it "
                            "starts at 512m and grows as needed)")
    neo4j_pagecache: str = Field("2g", pattern=_SIZE, description="embedded Neo4j: server.memory.pagecache.size")
    neo4j_transaction_total: str = Field("13g", pattern=_SIZE, description="embedded Neo4j: "
                                         "db.memory.transaction.total.max, all transactions at once")
    neo4j_transaction_max: str = Field("13g", pattern=_SIZE, description="embedded Neo4j: db.memory.transaction.max, "
                                       "one transaction (a load is one: ~9 KB per record)")
    read_deadline_s: float = Field(
        10.0, gt=0, description="every read's deadline, in seconds: a read the database has not answered by then "
        "gives DATABASE_UNAVAILABLE (a hung server), and the server gives up on it (FalkorDB's TIMEOUT, Neo4j's "
        "transaction timeout)"
    )
    supervise: bool = Field(
        True, description="a process that serves the API on an embedded database (serve, demo) or `db start` keeps "
        "its server running: restarted when it dies or stops answering (graph/supervisor.py)"
    )
    hung_after_s: float = Field(
        15.0, gt=0, description="the supervisor restarts an embedded server that has not answered its health "
        "check for this many seconds"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    suppression_threshold: int = Field(
        5, ge=1, description="planner aggregates: counts from 1 to this − 1 are suppressed (1 shows every count)"
    )
    warm_planner_caches: bool = Field(
        True, description="keep the planner queries' derived agency network and areas built in the background"
    )
    hsds_snapshots: bool = Field(
        True, description="keep ready-made HSDS service documents per graph version (api/hsds/snapshots.py)"
    )
    hsds_snapshot_dir: Path | None = Field(
        None, description="where they are kept (default: PATH/hsds-snapshots for embedded://PATH, else "
        ".safetynet/hsds-snapshots)"
    )
    keys_file: Path | None = Field(
        None, description="the API keys file (default: PATH/keys.json for embedded://PATH, else .safetynet/keys.json)"
    )
    graphiql_dir: Path | None = Field(
        None, description="where GraphiQL's npm package (web/graphiql) is installed with `npm ci`, for the page at "
        "/graphql (default: web/graphiql in the project)"
    )
    swagger_ui_dir: Path | None = Field(
        None, description="where Swagger UI's npm package (web/swagger-ui) is installed (`npm ci --ignore-scripts`), "
        "for the page at /docs (default: web/swagger-ui in the project)"
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="largest request body accepted, in bytes; a larger one is answered 413 "
        "before it is read"
    )
    header_timeout_s: float = Field(
        10.0, gt=0, description="a connection must send each request's line and headers within this many seconds "
        "(from when it opens, or from the first byte of a keep-alive connection's next request); else it is "
        "answered 408 and closed (api/serving.py)"
    )
    body_timeout_s: float = Field(
        30.0, gt=0, description="a request's body must arrive within this many seconds in all, and with no pause "
        "over 10 s (or this, if less) between its parts; else it is answered 408 and the connection closed "
        "(api/inputs.py)"
    )
    max_response_bytes: int = Field(
        10_485_760, ge=1024, description="largest GraphQL response sent, in bytes; a larger one is replaced by an "
        "error asking for fewer fields or smaller pages"
    )
    metrics_operations: list[str] = Field(
        default_factory=list, description="GraphQL operation names /metrics labels as they are (JSON list, e.g. "
        '["Search"]); any other name is labelled by a hash'
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
