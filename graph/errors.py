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


class UniqueConflict(Conflict):
    """A write that breaks a unique constraint (each label's `id` is unique), in the same words on either engine:
    `label`, `property` and `value` as far as the engine said (None: it did not); made by `unique_conflict`."""

    def __init__(self, message: str, *, label: str | None, property: str | None, value: object) -> None:
        self.label, self.property, self.value = label, property, value
        super().__init__(message)


PUBLIC_UNIQUE_PROPERTIES = frozenset({"id"})
"""Unique properties whose value may be shown in a Conflict's message (the API passes it to the client): a
record's id is public; the value of any other unique property is left out."""


def unique_conflict(label: str | None, property: str | None = None, value: object = None, *,
                    held: bool = False) -> UniqueConflict:
    """The Conflict of a write that breaks a unique constraint, in one shape on either engine, naming what the
    engine told: `a Service with id 'svc-1' already exists: each Service's id is unique` (`an Organization …`);
    `… with the same id …` when the value is not known (or not public: PUBLIC_UNIQUE_PROPERTIES); `a record …`
    when the label is not. `held`: the graph already holds two such records, so the constraint could not be
    made (said after the rule). The engine's own error is the Conflict's cause (`raise … from exc`), for the log."""
    shown = value if property in PUBLIC_UNIQUE_PROPERTIES else None
    record = f"{'an' if label[0] in 'AEIOU' else 'a'} {label}" if label else "a record"
    if property is None:
        clash, rule = "the same unique value", f"a unique constraint on {label or 'its label'} forbids it"
    else:
        clash = f"{property} {shown!r}" if shown is not None else f"the same {property}"
        rule = f"each {label}'s {property} is unique" if label else f"each label's {property} is unique"
    held_note = "; the graph already holds two, so the constraint could not be made: remove one" if held else ""
    return UniqueConflict(f"{record} with {clash} already exists: {rule}{held_note}", label=label,
                          property=property, value=shown)


class InvalidValue(GraphError):
    """A value the database cannot store or compare (e.g. text with a NUL character): the caller's to fix."""
