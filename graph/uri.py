"""Parse SAFETYNET_DB into a target: embedded FalkorDB or Neo4j, a running FalkorDB, or Neo4j."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from graph.errors import BadDatabaseUri

Kind = Literal["embedded", "embedded-neo4j", "falkordb", "neo4j"]
EMBEDDED: tuple[Kind, ...] = ("embedded", "embedded-neo4j")  # a server the project starts, data in PATH
EXAMPLES = ("embedded://.safetynet, embedded:///var/lib/safetynet, embedded-neo4j://.safetynet-neo4j, "
            "falkordb://localhost:6379, bolt://localhost:7687")


@dataclass(frozen=True)
class Target:
    kind: Kind
    uri: str
    path: Path | None = None  # embedded, embedded-neo4j: data directory
    host: str = ""
    port: int = 0


def parse_db_uri(uri: str) -> Target:
    """`embedded://PATH` or `embedded-neo4j://PATH` (relative or absolute), `falkordb://HOST:PORT`,
    `bolt|neo4j[+s|+ssc]://…`."""
    scheme, sep, rest = uri.partition("://")
    if not sep:
        raise BadDatabaseUri(f"SAFETYNET_DB={uri!r} has no scheme; examples: {EXAMPLES}")
    scheme = scheme.lower()
    if scheme in EMBEDDED:
        if not rest:
            raise BadDatabaseUri(f"SAFETYNET_DB={uri!r} needs a data directory, e.g. {scheme}://.safetynet")
        return Target("embedded-neo4j" if scheme == "embedded-neo4j" else "embedded", uri,
                      path=Path(rest).expanduser().resolve())
    if scheme in ("falkordb", "redis"):
        parts = urlsplit(uri)
        try:
            port = parts.port or 6379
        except ValueError as exc:
            raise BadDatabaseUri(f"SAFETYNET_DB={uri!r}: bad port ({exc})") from exc
        return Target("falkordb", uri, host=parts.hostname or "localhost", port=port)
    if scheme in ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"):
        return Target("neo4j", uri)
    raise BadDatabaseUri(f"SAFETYNET_DB={uri!r}: unknown scheme {scheme!r}; examples: {EXAMPLES}")


def beside_database(uri: str, name: str) -> Path:
    """Where the project keeps a file of its own for the database at `uri`: in an embedded database's
    directory (`PATH/name`), else in `.safetynet/name` under the working directory."""
    target = parse_db_uri(uri)
    if target.kind in EMBEDDED and target.path is not None:
        return target.path / name
    return Path(".safetynet", name).resolve()
