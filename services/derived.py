"""Values derived from the whole graph, kept until a load changes it (one cache, shared by every service)."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from graph.engine import GraphEngine
from queries import reads

GRAPH_VERSION_TTL_S = 5.0  # how stale derived data may be after a load


class PerGraphVersion:
    """Values derived from the whole graph (service-area shapes, taxonomy closures), kept per engine
    until a load changes the graph: the list of loads is checked at most every few seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # engine → (checked at, version, {key: value}); weak, so a closed engine's values go with it
        self._by_engine: weakref.WeakKeyDictionary[Any, tuple[float, str, dict[Hashable, Any]]] = (
            weakref.WeakKeyDictionary())

    def get(self, db: GraphEngine, key: Hashable, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        with self._lock:
            entry = self._by_engine.get(db)
        if entry is None or now - entry[0] >= GRAPH_VERSION_TTL_S:
            version = reads.graph_version(db)
            values = entry[2] if entry and entry[1] == version else {}  # a load happened: start afresh
            entry = (now, version, values)
            with self._lock:
                self._by_engine[db] = entry
        values = entry[2]
        if key not in values:
            values[key] = compute()
        return values[key]

    def holds(self, db: GraphEngine, key: Hashable) -> bool:
        """Whether a value for `key` is kept for this engine (for the graph version last seen)."""
        with self._lock:
            entry = self._by_engine.get(db)
        return entry is not None and key in entry[2]

    def forget(self, db: GraphEngine) -> None:
        """Drop what is kept for this engine (benchmarks measure a first request after a load with it)."""
        with self._lock:
            self._by_engine.pop(db, None)


DERIVED = PerGraphVersion()
