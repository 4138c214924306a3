"""The database settings from the environment (prefix `SAFETYNET_`), built once per process and injected.

What the graph layer needs: which engine, how to reach it, its memory, deadlines and supervision. The services
add theirs in services/settings.py, the API its own in api/settings.py (each a subclass of the one below it, read
from the same environment)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

_SIZE = r"^[1-9][0-9]*[kKmMgG]$"  # a JVM / Neo4j memory size: 512m, 2g


class DatabaseSettings(BaseSettings):
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


@lru_cache
def get_settings() -> DatabaseSettings:
    """The process's database settings (cached: built once)."""
    return DatabaseSettings()
