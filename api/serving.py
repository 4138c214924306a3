"""How `safetynet serve` runs the app under uvicorn: `uvicorn_config` (the HTTP protocol, its timeouts and limits).

uvicorn (h11, the HTTP implementation it picks here: httptools is not installed, and we name h11 explicitly)
puts no deadline on a new connection's request line and headers, and its keep-alive timeout runs only while a
connection is idle between requests: a client that opens connections and sends its headers a byte every few
seconds ("slowloris") held each of them for ever. `HeaderTimeoutH11Protocol` gives every request head
`SAFETYNET_HEADER_TIMEOUT_S` (10 s) to arrive, counted from when the connection opens, or, on a keep-alive
connection, from the first byte of the next request (the idle time before it stays uvicorn's keep-alive
timeout). A connection whose head is late is answered `408 Request Timeout` and closed when part of a request
had arrived, and closed without a word when nothing had (a browser's unused preconnection).

What comes after the head is the app's: a request body must arrive within `SAFETYNET_BODY_TIMEOUT_S`
(`api.inputs.RequestBodyLimit`), and a GraphQL request whose client disconnects is cancelled
(`api.disconnect.CancelOnDisconnect`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

import h11
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from api.settings import ApiSettings

log = logging.getLogger("safetynet.api")

KEEP_ALIVE_S = 5
"""How long an idle keep-alive connection is kept open between requests (uvicorn's default, made explicit)."""

MAX_HEAD_BYTES = 16 * 1024
"""Largest request line and headers accepted (h11's default, made explicit); a larger head is a 400."""

# The uvicorn internals the protocol below relies on (H11Protocol's own methods, and in `connection_made` its
# `conn`, `transport` and `loop` attributes): checked here so that a uvicorn that changed them fails at start,
# saying why, rather than serving without the timeout. tests/e2e/test_slow_clients.py exercises each of them.
_HOOKS = ("connection_made", "connection_lost", "data_received", "on_response_complete")
if missing := [name for name in _HOOKS if not callable(getattr(H11Protocol, name, None))]:
    raise ImportError(f"uvicorn {uvicorn.__version__}: H11Protocol has no {', '.join(missing)}, which "
                      "api/serving.py's request-head timeout overrides; check that module against this uvicorn")


def _timeout_response(seconds: float) -> bytes:
    body = (f"The request line and headers did not arrive within {seconds:g} s: send the whole request "
            "head at once.\n").encode()
    return (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body))


class HeaderTimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request's line and headers (see the module docstring).
    The deadline is the server's `Config.header_timeout_s` (`uvicorn_config` sets it), an attribute of the config
    rather than of a class made per server, so that the config pickles into `serve --workers N`'s processes."""

    DEFAULT_HEADER_TIMEOUT_S: ClassVar[float] = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    @property
    def header_timeout_s(self) -> float:
        return float(getattr(self.config, "header_timeout_s", self.DEFAULT_HEADER_TIMEOUT_S))

    def _awaiting_head(self) -> bool:
        """Whether no request is in progress and the next one's head is not complete (h11: the client IDLE)."""
        return self.conn.their_state is h11.IDLE

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout_s, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if not isinstance(getattr(self, "conn", None), h11.Connection) or getattr(self, "loop", None) is None:
            raise RuntimeError(f"uvicorn {uvicorn.__version__}: H11Protocol no longer keeps `conn` (an "
                               "h11.Connection) and `loop`, which api/serving.py's request-head timeout reads")
        self._arm_head_timer()  # a new connection: its first request's head is due

    def data_received(self, data: bytes) -> None:
        if self._awaiting_head():
            self._arm_head_timer()  # the first byte of a keep-alive connection's next request (or more of one)
        super().data_received(data)
        if not self._awaiting_head():
            self._cancel_head_timer()  # the head is complete: the request runs (its body has its own deadline)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # the next request: one already complete (pipelined) runs now; part of one starts its head's clock;
        # nothing yet leaves the connection to uvicorn's keep-alive timeout
        if self._awaiting_head() and self.conn.trailing_data[0]:
            self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._awaiting_head():
            return
        if self.conn.trailing_data[0]:  # part of a request arrived: say why it is refused
            log.debug("a request head did not arrive within %g s: answered 408, connection closed",
                      self.header_timeout_s)
            self.transport.write(_timeout_response(self.header_timeout_s))
        self.transport.close()


def uvicorn_config(app: ASGIApp | str, settings: ApiSettings, host: str, port: int, **kw: Any) -> uvicorn.Config:
    """The uvicorn configuration `safetynet serve` runs `app` (or, for several processes, the import string of
    its factory) with: the h11 protocol with the request-head
    deadline (`settings.header_timeout_s`), keep-alive KEEP_ALIVE_S, heads of at most MAX_HEAD_BYTES, log level
    info; `kw` adds to or overrides any of uvicorn.Config's options (tests pass `log_config=None`)."""
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "http": HeaderTimeoutH11Protocol,
        "timeout_keep_alive": KEEP_ALIVE_S,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        "log_level": "info",
    }
    if not settings.header_timeout_s > 0:
        raise ValueError(f"the header timeout must be > 0 seconds, not {settings.header_timeout_s}")
    config = uvicorn.Config(app, **{**options, **kw})
    config.header_timeout_s = settings.header_timeout_s  # type: ignore[attr-defined]  # read by the protocol
    return config


__all__ = ["KEEP_ALIVE_S", "MAX_HEAD_BYTES", "HeaderTimeoutH11Protocol", "uvicorn_config"]
