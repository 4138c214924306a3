"""FalkorDB's compact reply decoded straight into plain Python rows.

The `falkordb` client decodes every value through a chain of generic calls (`parse_scalar` → a type
table → `__parse_string` with its type checks, `OrderedDict`s for maps), which made decoding a
result page cost more than the database took to compute it. This decoder reads the same compact
format (each value a `[type, value]` pair: FalkorDB's `ResultSetScalarTypes`) with one type test per
value, maps straight to dicts (a search's replies decode in about two thirds of the time), and hands
the rarer types the project never returns in bulk (nodes, edges, paths, temporal values, vectors) to
the client's own parser, so every value decodes exactly as before. tests/integration/test_falkor_reply.py
holds it equal to the client's parser on every type.
"""

from __future__ import annotations

from typing import Any, Final

from falkordb.query_result import parse_scalar as _client_scalar
from redis.exceptions import ResponseError

from graph.engine import Row

_NULL: Final[int] = 1
_STRING: Final[int] = 2
_INTEGER: Final[int] = 3
_BOOLEAN: Final[int] = 4
_DOUBLE: Final[int] = 5
_ARRAY: Final[int] = 6
_MAP: Final[int] = 10
_POINT: Final[int] = 11


def value(cell: list[Any], graph: Any) -> Any:
    """One `[type, value]` pair as a plain value (lists, dicts, str, int, float, bool, None)."""
    kind, raw = cell
    if kind == _STRING:
        return raw.decode() if type(raw) is bytes else raw
    if kind == _INTEGER:
        return int(raw)
    if kind == _NULL:
        return None
    if kind == _ARRAY:
        return [value(item, graph) for item in raw]
    if kind == _MAP:
        return {(key.decode() if type(key) is bytes else key): value(item, graph)
                for key, item in zip(raw[0::2], raw[1::2], strict=True)}
    if kind == _DOUBLE:
        return float(raw)
    if kind == _BOOLEAN:
        return raw in (b"true", "true")
    if kind == _POINT:
        return {"latitude": float(raw[0]), "longitude": float(raw[1])}
    return _plain(_client_scalar(cell, graph))


def _plain(found: Any) -> Any:
    """The client's value with plain dicts and lists inside (its maps are OrderedDicts)."""
    if isinstance(found, dict):
        return {key: _plain(item) for key, item in found.items()}
    if isinstance(found, list):
        return [_plain(item) for item in found]
    return found


def rows(response: list[Any], graph: Any) -> list[Row]:
    """The rows of a GRAPH.QUERY / GRAPH.RO_QUERY `--compact` reply, each a dict by column name.
    Raises the server's error, as the client does (an error reply, or a run-time error in last place)."""
    if response and isinstance(response[0], ResponseError):
        raise response[0]
    if response and isinstance(response[-1], ResponseError):
        raise response[-1]
    if len(response) < 3:  # statistics only: a write without RETURN
        return []
    names = [name.decode() if type(name) is bytes else name for _, name in response[0]]
    if not names:
        return []
    return [{name: value(cell, graph) for name, cell in zip(names, row, strict=True)} for row in response[1]]


_RUN_TIME: Final[str] = "Query internal execution time"


def server_ms(response: list[Any]) -> float | None:
    """The server's own execution time of the query (its statistics), in milliseconds, where it says."""
    stats = response[-1] if response and isinstance(response[-1], list) else []
    for line in stats:
        text = line.decode() if type(line) is bytes else str(line)
        if text.startswith(_RUN_TIME):
            return float(text.split(":", 1)[1].split()[0])
    return None
