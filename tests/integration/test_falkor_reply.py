"""graph.falkor_reply decodes a real FalkorDB reply exactly as the `falkordb` client's own parser does
(with plain dicts for its OrderedDicts), for every value type, and raises the server's errors."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import pytest
from falkordb.edge import Edge
from falkordb.node import Node
from falkordb.path import Path as GraphPath
from falkordb.query_result import QueryResult
from redis.exceptions import ResponseError

from graph import falkor_reply
from graph.falkor import FalkorEngine

pytestmark = pytest.mark.engines("falkordb", reason="FalkorDB's own reply format and server time")

QUERIES = {
    "scalars": "RETURN null AS n, 'plain' AS s, 'é ü 漢字 \"quoted\" back\\\\slash\nnew line' AS u, '' AS empty, "
               "42 AS i, -7 AS neg, 9007199254740993 AS big, true AS t, false AS f, 1.5 AS d, -0.25 AS nd, "
               "1e300 AS huge",
    "lists": "RETURN [] AS empty, [1, 'a', null, 2.5, true, [3, [4, 'b']], {k: [5]}] AS mixed",
    "maps": "RETURN {} AS empty, {a: 1, b: 'x', c: null, d: [1, {e: false}], f: {g: 2.0}} AS nested",
    "point": "RETURN point({latitude: 44.23, longitude: -76.48}) AS p, [point({latitude: 1, longitude: 2})] AS ps",
    "properties": "CREATE (x:Thing {id: 'x1', name: 'n', n: 3, tags: ['a', 'b'], at: point({latitude: 1.5, "
                  "longitude: 2.5})}) RETURN properties(x) AS props, x.tags AS tags, x.at AS at",
    "graph values": "CREATE (a:Thing {id: 'a'})-[r:LINKS {w: 2}]->(b:Other {id: 'b'}) "
                    "RETURN a, r, b, [a, b] AS both",
    "temporal": "RETURN localdatetime('2026-11-27T10:15:00') AS dt, date('2026-11-27') AS d, "
                "duration({days: 2, hours: 3}) AS dur",
    "vector": "RETURN vecf32([1.0, 2.5]) AS v",
    "no rows": "MATCH (x:Nothing) RETURN x.id AS id",
    "no columns": "CREATE (:Thing {id: 'c'})",
}


def _plain(value: Any) -> Any:
    if isinstance(value, OrderedDict | dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _comparable(value: Any) -> Any:
    """Graph objects compared by what they hold (the client's classes compare by identity)."""
    if isinstance(value, Node):
        return ("node", value.labels, value.properties)
    if isinstance(value, Edge):
        return ("edge", value.relation, value.properties)
    if isinstance(value, GraphPath):
        return ("path", [_comparable(n) for n in value.nodes()], [_comparable(e) for e in value.edges()])
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _raw(db: FalkorEngine, query: str) -> list[Any]:
    graph = db._graph
    return graph.execute_command("GRAPH.QUERY", graph.name, query, "--compact")  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", list(QUERIES))
def test_every_value_type_decodes_as_the_client_decodes_it(db: FalkorEngine, name: str) -> None:
    response = _raw(db, QUERIES[name])
    ours = falkor_reply.rows(response, db._graph)
    client = QueryResult(db._graph, response)
    columns = [column[1] for column in client.header]
    theirs = [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in client.result_set]
    assert _comparable(ours) == _comparable(theirs)
    if name == "scalars":
        (row,) = ours
        assert row["u"] == 'é ü 漢字 "quoted" back\\slash\nnew line' and row["big"] == 9007199254740993
        assert (row["t"], row["f"], row["n"]) == (True, False, None) and type(row["d"]) is float
    if name == "maps":
        assert type(ours[0]["nested"]) is dict and ours[0]["nested"]["d"][1] == {"e": False}


def test_the_engine_reads_through_the_decoder(db: FalkorEngine) -> None:
    db.write("CREATE (:Service {id: 's', name: 'Food bank', minimumAge: 18})")
    assert db.read("MATCH (s:Service {id: $id}) RETURN properties(s) AS p, s.minimumAge AS age", {"id": "s"}) == [
        {"p": {"id": "s", "name": "Food bank", "minimumAge": 18}, "age": 18}]


def test_server_errors_are_raised(db: FalkorEngine) -> None:
    with pytest.raises(ResponseError):
        db.read("RETURN 1 +")  # a syntax error: an error reply
    with pytest.raises(ResponseError, match="(?i)divid|zero|integer"):
        db.read("UNWIND [1, 0] AS x RETURN 1 / x AS y")  # a run-time error after a row


def test_the_server_time_of_the_last_query_is_kept(db: FalkorEngine) -> None:
    db.read("UNWIND range(1, 1000) AS x RETURN sum(x) AS total")
    assert db.last_server_ms is not None and 0 <= db.last_server_ms < 10_000
