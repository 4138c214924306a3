"""The HSDS REST API's middleware: CORS for public callers, and HEAD answered as GET."""

from __future__ import annotations

from fastapi import Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HsdsCors:
    """ASGI middleware for the paths under `prefix`: `Access-Control-Allow-Origin: *` on every response to a
    request without an Authorization header (public data, as Open Referral recommends), and an answer to
    CORS preflights that allows GET and HEAD without credentials or an Authorization header (so a web page
    elsewhere cannot send a staff key). HEAD is answered as GET is, without the body. Elsewhere it does nothing."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app, self.prefix = app, prefix

    def _ours(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._ours(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            allowed = headers["access-control-request-method"].upper() in ("GET", "HEAD")
            await Response(status_code=204 if allowed else 400, headers={
                "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD",
                "Access-Control-Max-Age": "600"})(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            scope, send = {**scope, "method": "GET"}, _without_body(send)
        if "authorization" in headers:
            await self.app(scope, receive, send)
            return

        async def public(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Access-Control-Allow-Origin"] = "*"
            await send(message)

        await self.app(scope, receive, public)


def _without_body(send: Send) -> Send:
    """`send` for a HEAD request answered as GET: the response's status and headers, an empty body."""
    ended = False

    async def head(message: Message) -> None:
        nonlocal ended
        if message["type"] == "http.response.body":
            if ended:
                return
            ended, message = True, {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return head
