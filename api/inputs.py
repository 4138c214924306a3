"""Bounds on what a request may send: its body's size and encoding, and the GraphQL argument values in it.

- `RequestBodyLimit` (ASGI middleware, every route): a body over the limit (`SAFETYNET_MAX_BODY_BYTES`, 1 MiB
  by default) is answered 413 at once: from its Content-Length before any of it is read, or, for a chunked
  body, as soon as what has arrived passes the limit; the rest is never read (the connection is closed). A body
  that does not arrive within `SAFETYNET_BODY_TIMEOUT_S` (30 s) in all, or pauses longer than BODY_PAUSE_S (10 s,
  or the total if less) between its parts, is answered 408 and the connection closed: a slow upload cannot hold
  a request for ever.
- `decode_request_json`, `check_operation_name`: a GraphQL body that is not UTF-8, JSON nested too deeply for
  the parser, an operationName that is not text are each a 400 saying so (all three were 500s).
- `InputLimits` (schema extension, before anything runs): every list in an argument, whether written in the
  document or sent in a variable, holds at most MAX_LIST_ITEMS items, and no text holds a NUL character or a
  lone surrogate (neither can be stored, searched for or sent to the database); each refusal names the
  argument (and the variable it came from) and says what to send. Generic: no resolver needs its own check.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anyio
from cross_web import HTTPException  # strawberry's HTTP views answer it with its status and reason
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.utilities import get_operation_ast
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

MAX_LIST_ITEMS = 100
"""Most items in any list argument (or list inside an input object): a front-line search names a few needs,
languages and populations; 30,000 language codes once took 68 s of CPU."""

MAX_INPUT_DEPTH = 20
"""Deepest nesting of a variable's value (lists and objects); the schema's inputs nest 3 levels."""

BODY_PAUSE_S = 10.0
"""Longest pause between two parts of a request body (or the body's whole timeout, if that is shorter)."""

MAX_PROBLEMS = 10
"""Most input errors reported for one request (the first ones found)."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """What is wrong with `text` as a value to store or search for, or None: a NUL character, or a lone
    surrogate (half of a UTF-16 pair, which JSON's `\\ud800` escapes can produce: not a character, and not
    encodable as UTF-8)."""
    if "\x00" in text:
        return "contains a NUL character (U+0000), which cannot be stored or searched for: remove it"
    if not text.isascii() and (found := _SURROGATE.search(text)):
        return (f"contains a lone surrogate (U+{ord(found.group()):04X}), which is not a character: send valid "
                "Unicode text")
    return None


# ---------------------------------------------------------------- GraphQL arguments


@dataclass(frozen=True)
class _Where:
    """An argument value's place: the field (or `@directive`) it is given to, its path inside the argument
    (`resident.languages[3]`), and the variable it came from."""

    owner: str
    path: str
    variable: str | None = None

    def __str__(self) -> str:
        via = f" (from variable `${self.variable}`)" if self.variable else ""
        return f"Argument `{self.path}` of `{self.owner}`{via}"

    def at(self, step: str | int) -> _Where:
        return _Where(self.owner, f"{self.path}[{step}]" if isinstance(step, int) else f"{self.path}.{step}",
                      self.variable)


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    @property
    def full(self) -> bool:
        return len(self.messages) >= MAX_PROBLEMS

    def text(self, text: str, where: _Where) -> None:
        if (problem := text_problem(text)) is not None and not self.full:
            self.messages.append(f"{where} {problem}.")

    def items(self, count: int, where: _Where) -> bool:
        """Whether a list of `count` items is allowed here (if not, say so)."""
        if count <= MAX_LIST_ITEMS:
            return True
        if not self.full:
            self.messages.append(f"{where} has {count:,} items; the limit is {MAX_LIST_ITEMS} per list. Send at most "
                                 f"{MAX_LIST_ITEMS}, or split the request into several.")
        return False


def _arguments(operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode],
               ) -> Iterator[tuple[str, ArgumentNode]]:
    """(owner, argument) for every argument of the operation's fields and directives, those of the fragments it
    spreads included (each fragment once); the owner is the field's name or `@directive`."""
    stack: list[Node] = [operation]
    spread: set[str] = set()
    while stack:
        node = stack.pop()
        for directive in getattr(node, "directives", None) or ():
            for argument in directive.arguments or ():
                yield f"@{directive.name.value}", argument
        if isinstance(node, FieldNode):
            for argument in node.arguments or ():
                yield node.name.value, argument
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in spread:
            spread.add(node.name.value)
            if node.name.value in fragments:
                stack.append(fragments[node.name.value])
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(reversed(selection_set.selections))


def _literal(value: ValueNode, where: _Where, problems: _Problems, uses: dict[str, _Where]) -> None:
    """Check a value written in the document; note where each variable in it is used."""
    if problems.full:
        return
    if isinstance(value, StringValueNode):
        problems.text(value.value, where)
    elif isinstance(value, ListValueNode):
        if problems.items(len(value.values), where):
            for index, item in enumerate(value.values):
                _literal(item, where.at(index), problems, uses)
    elif isinstance(value, ObjectValueNode):
        for field in value.fields:
            _literal(field.value, where.at(field.name.value), problems, uses)
    elif isinstance(value, VariableNode):
        uses.setdefault(value.name.value, _Where(where.owner, where.path, value.name.value))


def _sent(value: Any, where: _Where, problems: _Problems, depth: int = 0) -> None:
    """Check a value sent as (part of) a variable."""
    if problems.full:
        return
    if depth > MAX_INPUT_DEPTH:
        problems.messages.append(f"{where} is nested more than {MAX_INPUT_DEPTH} levels deep; no argument of this "
                                 "API nests that deep: check the variables.")
    elif isinstance(value, str):
        problems.text(value, where)
    elif isinstance(value, list):
        if problems.items(len(value), where):
            for index, item in enumerate(value):
                _sent(item, where.at(index), problems, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _sent(item, where.at(str(key)), problems, depth + 1)


def input_problems(document: DocumentNode, operation: OperationDefinitionNode, variables: dict[str, Any]) -> list[str]:
    """What is wrong with the operation's argument values (written in the document, or sent as the variables
    it uses), as messages for the client; empty when nothing is."""
    problems = _Problems()
    uses: dict[str, _Where] = {}
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    defaults = {d.variable.name.value: d.default_value for d in operation.variable_definitions or ()
                if d.default_value is not None}
    for owner, argument in _arguments(operation, fragments):
        _literal(argument.value, _Where(owner, argument.name.value), problems, uses)
    for name, where in uses.items():
        if name in variables:
            _sent(variables[name], where, problems)
        elif name in defaults:  # not sent: the default written in the document is used
            _literal(defaults[name], where, problems, {})
    return problems.messages


class InputLimits(SchemaExtension):
    """Refuses an operation whose argument values break the bounds above, before it runs (see the module
    docstring); the errors name each argument and say what to send."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = get_operation_ast(document, context.operation_name) if document is not None else None
        if document is not None and operation is not None:
            variables = context.variables if isinstance(context.variables, dict) else {}
            if messages := input_problems(document, operation, variables):
                context.result = GraphQLExecutionResult(data=None, errors=[GraphQLError(m) for m in messages])
        yield


# ---------------------------------------------------------------- the request body


def decode_request_json(data: str | bytes) -> object:
    """A GraphQL request's JSON (body, or GET `variables`): a body must be UTF-8 (GraphQL over HTTP says so),
    and JSON too deeply nested for the parser is refused; both as a 400 saying what to fix. Other malformed
    JSON raises json's JSONDecodeError (strawberry answers it 400 "Unable to parse request body as JSON")."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HTTPException(400, f"The request body is not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} at "
                                f"offset {exc.start}): send the JSON encoded as UTF-8.") from None
    try:
        return json.loads(data)
    except RecursionError:
        raise HTTPException(400, "The request's JSON is nested too deeply to read: no GraphQL request needs more "
                            f"than a few levels (variables at most {MAX_INPUT_DEPTH}).") from None


def check_operation_name(name: object) -> None:
    """Refuses (400) an operationName holding a NUL or a lone surrogate: strawberry's answer that no operation
    has that name quotes it, and could not be sent."""
    if isinstance(name, str) and (problem := text_problem(name)) is not None:
        raise HTTPException(400, f"The operationName {problem}.")


def too_large_message(limit: int, *, graphql: bool) -> str:
    advice = f": fewer or shorter variables (a list takes at most {MAX_LIST_ITEMS} items)" if graphql else ""
    return (f"The request body is larger than {limit:,} bytes, the most this API accepts. Send a smaller "
            f"request{advice}.")


def too_slow_message(timeout_s: float, pause_s: float) -> str:
    return (f"The request body did not arrive in time: this API waits {timeout_s:g} s for a whole body, and at most "
            f"{pause_s:g} s between its parts. Send the body at once, right after the headers.")


class RequestBodyLimit:
    """ASGI middleware: a request body over `limit` bytes is answered 413 (`Connection: close`) before the
    app sees the request, as a GraphQL error under `graphql_path` and as `{"detail": …}` elsewhere. A declared
    Content-Length over the limit is refused before anything is read; otherwise the body is read here as it
    arrives (so a chunked one is stopped as soon as it passes the limit) and handed to the app whole. A body that
    has not arrived `timeout_s` seconds after the app was called, or that pauses longer than `pause_s` (at most
    `timeout_s`) between two parts, is answered 408 the same way (None: no deadline)."""

    def __init__(self, app: ASGIApp, limit: int, graphql_path: str = "/graphql", *, timeout_s: float | None = None,
                 pause_s: float = BODY_PAUSE_S) -> None:
        self.app, self.limit, self.graphql_path = app, limit, graphql_path
        self.timeout_s = timeout_s
        self.pause_s = pause_s if timeout_s is None else min(pause_s, timeout_s)  # (not used without a timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, send, 413, too_large_message(self.limit, graphql=self._graphql(scope)))
            return
        deadline = None if self.timeout_s is None else time.monotonic() + self.timeout_s
        body = bytearray()
        while True:
            wait = None if deadline is None else min(self.pause_s, deadline - time.monotonic())
            try:
                with anyio.fail_after(wait):  # None: no deadline
                    message = await receive()
            except TimeoutError:
                await self._refuse(scope, send, 408, too_slow_message(self.timeout_s or 0.0, self.pause_s))
                return
            if message["type"] != "http.request":
                return  # the client left before sending its whole body: nobody to answer
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._refuse(scope, send, 413, too_large_message(self.limit, graphql=self._graphql(scope)))
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replaying(bytes(body), receive), send)

    def _graphql(self, scope: Scope) -> bool:
        return bool(scope["path"].rstrip("/") == self.graphql_path)

    async def _refuse(self, scope: Scope, send: Send, status: int, message: str) -> None:
        payload = json.dumps({"errors": [{"message": message}]} if self._graphql(scope) else {"detail": message})
        body = payload.encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body read already as one message, then defers to `receive` (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
