"""Schema extensions that bound what one GraphQL request may ask for (and the page-size cap resolvers use).

The limits are checked before anything runs: the token count while the document is parsed, depth and
aliases while it is validated (both cached per document: a front end's repeated query with new variables
is neither parsed nor validated again). A request over a limit is answered with a GraphQL error that names the
limit and says what to do; nothing is executed. Introspection stays on (GraphiQL needs it); its
`__schema`/`__type` fields do not count towards the depth.

What a request may *do* is bounded by its cost, also before anything runs (api/cost.py).

`schema_extensions()` also brings the observability extensions (operation metrics, masked internal
errors with a request id) from `api.observability`, since the schema is built with this one list.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, ValidationContext, ValidationRule
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

from api.cost import CostLimit
from api.inputs import InputLimits
from api.observability import MaskInternalErrors, OperationMetrics

MAX_DEPTH = 10
"""Deepest nesting of fields in one operation, counted as graphql-depth-limit does: root fields are at
depth 0, so `{ a { b { c } } }` has depth 2. The graph is cyclic (service → organization → services → …),
so without a bound one small query could fan out over all of it."""

MAX_TOKENS = 2000
"""Most lexical tokens (names, punctuation, values, comments) in one document: bounds the parser's work
before anything else runs. An ordinary front-line query uses 50–300."""

MAX_ALIASES = 30
"""Most aliased fields in one document: aliases are how one request asks for the same expensive field
many times over (`a: search(…) b: search(…) …`)."""

MAX_PAGE_SIZE = 100
"""Largest `first`/`last` a connection argument accepts; resolvers refuse more (say so, and page with
`after`)."""

_TOKENS_MESSAGE = f"Syntax Error: Document contains more than {MAX_TOKENS} tokens. Parsing aborted."


def _explained(rule: type[ValidationRule], explain: Callable[[GraphQLError], str]) -> type[ValidationRule]:
    """`rule` (one of strawberry's, which check the whole document when they are built, and visit nothing)
    with each of its errors' messages replaced by `explain(error)`. tests/e2e/test_limits_and_errors.py
    checks that every limit still bites with its message."""

    class Explained(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            rule(_Rewording(context, explain))  # type: ignore[arg-type]

    Explained.__name__ = f"Explained{rule.__name__}"
    return Explained


class _Rewording:
    """A ValidationContext whose reported errors get a clearer message; everything else is the context's."""

    def __init__(self, context: ValidationContext, explain: Callable[[GraphQLError], str]) -> None:
        self._context, self._explain = context, explain

    def report_error(self, error: GraphQLError) -> None:
        self._context.report_error(
            GraphQLError(self._explain(error), error.nodes, error.source, error.positions, error.path)
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def _too_deep(_: GraphQLError) -> str:
    return (f"Query too deep: fields are nested more than {MAX_DEPTH} levels below the top-level fields (the limit "
            f"is {MAX_DEPTH}). Ask for fewer nested levels, or fetch the deeper data with a second query.")


def _too_many_aliases(error: GraphQLError) -> str:
    found = error.message.split(" ", 1)[0]  # strawberry's "31 aliases found. Allowed: 30"
    counted = f"{found} aliases" if found.isdigit() else "more aliases than allowed"
    return (f"Too many aliases: the document uses {counted} (the limit is {MAX_ALIASES}). "
            "Use fewer aliases, or split the request into several requests.")


# The rules are made once: the validation cache knows a document by its content and the rule classes.
_DEPTH_RULE = _explained(depth_validator(MAX_DEPTH, None), _too_deep)
_ALIAS_RULE = _explained(aliases_validator(MAX_ALIASES), _too_many_aliases)
CACHED_DOCUMENTS = 256
"""Distinct documents whose parse and validation are kept (front ends send a handful, with variables)."""


class DepthLimit(QueryDepthLimiter):
    """Refuses operations nested deeper than MAX_DEPTH."""

    def __init__(self) -> None:
        super().__init__(max_depth=MAX_DEPTH)
        self.validation_rules = [_DEPTH_RULE]


class AliasLimit(MaxAliasesLimiter):
    """Refuses documents with more than MAX_ALIASES aliases."""

    def __init__(self) -> None:
        super().__init__(max_alias_count=MAX_ALIASES)
        self.validation_rules = [_ALIAS_RULE]


class TokenLimit(MaxTokensLimiter):
    """Stops parsing documents of more than MAX_TOKENS tokens, with a message that says what to do."""

    def __init__(self) -> None:
        super().__init__(max_token_count=MAX_TOKENS)

    def on_parse(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or ():
            if error.message == _TOKENS_MESSAGE:
                error.message = (f"Query too large: the document has more than {MAX_TOKENS} tokens (the limit is "
                                 f"{MAX_TOKENS}). Ask for fewer fields, or split it into several requests.")


class ParsedDocuments(SchemaExtension):
    """Keeps the parsed form of the CACHED_DOCUMENTS documents parsed most recently, so a front end's
    repeated query is not parsed again (for a 20-result search page, parsing cost about a tenth of the
    request). Unlike strawberry's ParserCache, it only ever hands over a document that parsed without
    error under the same options; a new document is parsed by strawberry itself, so parse errors (and
    TokenLimit's message for them) are reported as ever."""

    _documents: OrderedDict[tuple[str, tuple[tuple[str, Any], ...]], DocumentNode] = OrderedDict()
    _lock = threading.Lock()

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        key = (context.query or "", tuple(sorted(context.parse_options.items())))
        with self._lock:
            found = self._documents.get(key)
            if found is not None:
                self._documents.move_to_end(key)
        if found is not None and context.graphql_document is None:
            context.graphql_document = found
        yield
        if found is None and context.graphql_document is not None and not context.pre_execution_errors:
            with self._lock:
                self._documents[key] = context.graphql_document
                while len(self._documents) > CACHED_DOCUMENTS:
                    self._documents.popitem(last=False)


def schema_extensions() -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    """The extensions the schema is built with (classes: strawberry makes fresh ones for each request).
    A schema built for a test with this list behaves as the real one does. TokenLimit comes first: its
    parse options are part of what the document cache knows a document by. InputLimits (bounded lists, clean
    text in every argument: api/inputs.py) runs before CostLimit."""
    return [TokenLimit, ParsedDocuments, DepthLimit, AliasLimit, lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
            InputLimits, CostLimit, OperationMetrics, MaskInternalErrors]
