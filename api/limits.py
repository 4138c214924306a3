"""Schema extensions that bound what one GraphQL request may ask for."""

from __future__ import annotations

from collections.abc import Callable

from strawberry.extensions import SchemaExtension


def schema_extensions() -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    """The extensions the schema is built with."""
    return []
