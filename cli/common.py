"""What every `safetynet` command shares: the consoles, failing with a message, the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console

from graph.connect import connect
from graph.engine import GraphEngine
from graph.errors import BadDatabaseUri, DatabaseUnavailable
from graph.settings import DatabaseSettings

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def database(settings: DatabaseSettings) -> Iterator[GraphEngine]:
    """The engine for the command, with database errors turned into messages (not tracebacks)."""
    try:
        db = connect(settings)
    except (DatabaseUnavailable, BadDatabaseUri) as exc:
        fail(str(exc))
    try:
        yield db
    except DatabaseUnavailable as exc:
        fail(str(exc))
    finally:
        db.close()
