"""A GraphQL request whose client disconnects is cancelled: its work stops when the disconnect is seen.

Neither strawberry nor uvicorn does this: a request ran to its end after its client had gone, uvicorn dropping
the response it then sent. `CancelOnDisconnect` runs the request beside a watch on its connection (ASGI
`receive()` once the body is in: the next message is `http.disconnect`, which uvicorn gives when the client
goes, or when the response is complete). A disconnect before the response is complete cancels the request:
no further resolver starts, and no response is computed. The access log and the HTTP metrics count it as 499
("client closed request", nginx's), not as the 500 of a request that returned no response.

What it cannot stop is a resolver already running in a worker thread (`api/offload.py`): a thread cannot be
interrupted, so its database read runs on until it returns, and the thread is busy until then. Each read is
bounded by the read deadline (`SAFETYNET_READ_DEADLINE_S`, 10 s): the database gives it up past it (FalkorDB's
query TIMEOUT, Neo4j's transaction timeout) and our side stops waiting a second later (graph/falkor.py,
graph/neo4j_engine.py). Its result is then thrown away. (A resolver that reads several times in a row finishes
its reads one by one, each so bounded: the thread does not know its request is gone.)

Only /graphql is watched: the HSDS routes are plain functions in Starlette's thread pool (not cancellable
either), and Starlette stops their streamed exports at the client's disconnect itself.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("safetynet.api")

CLIENT_CLOSED_REQUEST = 499


class CancelOnDisconnect:
    """ASGI middleware for the HTTP requests to `paths`: the request is cancelled when its client disconnects
    before the response is complete (see the module docstring). It reads the request's body first (installed
    inside `api.inputs.RequestBodyLimit`, that is one message, already read) and gives it to the app as it came;
    the app's later `receive()` calls wait for the disconnect, as uvicorn's would."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...]) -> None:
        self.app = app
        self.paths = {path.rstrip("/") for path in paths}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") not in self.paths:
            await self.app(scope, receive, send)
            return
        body: list[Message] = []
        while not body or body[-1].get("more_body", False):
            message = await receive()
            if message["type"] != "http.request":
                return  # gone before its request was complete
            body.append(message)
        disconnected = anyio.Event()
        started = complete = False

        async def replay() -> Message:
            if body:
                return body.pop(0)
            await disconnected.wait()
            return {"type": "http.disconnect"}

        async def sending(message: Message) -> None:
            nonlocal started, complete
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                complete = True
            await send(message)

        with anyio.CancelScope() as request:

            async def watch() -> None:
                await receive()  # only http.disconnect is left to come
                disconnected.set()
                if not complete:
                    request.cancel()

            # a plain asyncio task, not a task group's: the app's own exceptions must reach the middleware outside
            # as they are, not wrapped in an ExceptionGroup
            watcher = asyncio.create_task(watch())
            try:
                await self.app(scope, replay, sending)
            finally:
                watcher.cancel()  # the response is sent (or the request failed): stop watching
        if request.cancelled_caught:
            log.debug("%s %s: the client disconnected; the request was cancelled", scope["method"], scope["path"])
            if not started:
                # for the middleware outside (the access log and the HTTP metrics), which would otherwise count a
                # request that returned no response as a 500: 499, "client closed request" (nginx's). The server
                # drops it, the client being gone (ASGI: or raises OSError).
                with suppress(OSError):
                    await send({"type": "http.response.start", "status": CLIENT_CLOSED_REQUEST, "headers": []})
