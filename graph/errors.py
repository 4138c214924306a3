"""Errors the graph layer raises; callers turn them into user-facing messages."""

from __future__ import annotations


class GraphError(Exception):
    """Base of the graph layer's errors."""


class DatabaseUnavailable(GraphError):
    """The database at `uri` cannot be reached or started. `hint` says what to try next."""

    def __init__(self, uri: str, reason: str, hint: str) -> None:
        self.uri, self.reason, self.hint = uri, reason, hint
        super().__init__(f"Cannot reach the graph database at {uri}: {reason}\nWhat to try: {hint}")


class ServerRestarted(DatabaseUnavailable):
    """The embedded server stopped answering during a load and was restarted; the load wrote nothing
    and can simply be run again (loaders do so once)."""


class BadDatabaseUri(GraphError):
    """SAFETYNET_DB is not a URI we understand."""


class NotFound(GraphError):
    """A record asked for by id does not exist."""


class Conflict(GraphError):
    """A write would break a constraint."""


def unique_conflict(detail: str) -> Conflict:
    """A write that breaks a unique constraint (every label's `id` is unique), in the same words on either
    engine, with the engine's own detail."""
    return Conflict(f"a record breaks a unique constraint (each label's id is unique): {detail}")


class InvalidValue(GraphError):
    """A value the database cannot store or compare (e.g. text with a NUL character): the caller's to fix."""
