"""`safetynet keys`: create, list and revoke the API keys that give callers the staff, planner or admin role."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, NoReturn

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from domain.roles import Role
from graph.errors import BadDatabaseUri
from services.keys import MAX_NAME_LENGTH, KeyStore, KeyStoreError, keys_path
from services.settings import get_service_settings

keys_app = typer.Typer(
    help="Manage API keys. A caller sends `Authorization: Bearer <key>` and gets the key's role "
    "(staff ⊂ planner ⊂ admin); without a key, the public role. Keys are kept in SAFETYNET_KEYS_FILE "
    "(default: PATH/keys.json for SAFETYNET_DB=embedded://PATH, else .safetynet/keys.json) as SHA-256 hashes; "
    "the running API sees changes at once.",
    no_args_is_help=True,
)


def _console(*, stderr: bool = False, width: int | None = None) -> Console:
    """A console that prints key names and paths as they are: no markup, highlighting or `:emoji:` codes."""
    return Console(stderr=stderr, width=width, soft_wrap=True, highlight=False, markup=False, emoji=False)


out, err = _console(), _console(stderr=True)

NAME_HELP = (f'A unique name saying whose key it is, e.g. "Crisis line desk" (quote it): 1-{MAX_NAME_LENGTH} printable '
             "characters (letters, digits, spaces, punctuation, symbols; no tabs, newlines or other control "
             "characters). Spaces around it are dropped. Names are unique regardless of case and Unicode form: "
             '"crisis line desk" names the same key.')


class KeyRole(StrEnum):
    staff = "staff"
    planner = "planner"
    admin = "admin"


def _fail(message: str, code: int = 1) -> NoReturn:
    err.print(Text("error: ", style="bold red") + Text(message))
    raise typer.Exit(code)


def _store() -> KeyStore:
    try:
        return KeyStore(keys_path(get_service_settings()))
    except BadDatabaseUri as exc:
        _fail(f"{exc} (or set SAFETYNET_KEYS_FILE to the keys file)", code=2)


@keys_app.command("add")
def add(
    name: Annotated[str, typer.Option(help=NAME_HELP)],
    role: Annotated[KeyRole, typer.Option(help="What the key's holder may see.", case_sensitive=False)],
) -> None:
    """Create a key and print it once: only its hash is kept, so copy it now."""
    store = _store()
    try:
        key, info = store.add(name=name, role=Role[role.value.upper()])
    except KeyStoreError as exc:
        _fail(str(exc))
    err.print(f"Created the {info.role.label} key {info.name!r} (in {store.path}):")
    sys.stdout.write(key + "\n")  # the key alone on stdout: `KEY=$(safetynet keys add …)` works
    sys.stdout.flush()
    err.print("Copy it now: it will not be shown again (only its SHA-256 hash is stored). "
              "Callers send it as `Authorization: Bearer <key>`.")


@keys_app.command("list")
def list_keys() -> None:
    """List the keys: name, role, created (never the keys or their hashes)."""
    store = _store()
    try:
        keys = store.list_keys()
    except KeyStoreError as exc:
        _fail(str(exc))
    if not keys:
        out.print(f"no API keys in {store.path}; create one with `safetynet keys add --name NAME --role staff`")
        return
    rows = [(info.name, info.role.label, info.created.strftime("%Y-%m-%d %H:%M:%S")) for info in keys]
    table = Table(title=f"API keys in {store.path}")
    # Every cell whole on one line, even in a narrow terminal: never cut, wrapped or squeezed out.
    for index, column in enumerate(("name", "role", "created (UTC)")):
        table.add_column(column, no_wrap=True, min_width=max(cell_len(row[index]) for row in rows))
    for name, role, created in rows:
        table.add_row(Text(name), role, created)
    # Rich squeezes columns out of a table wider than the terminal: print it at its full width instead.
    width = max(out.width, Measurement.get(out, out.options.update_width(10_000), table).minimum)
    _console(width=width).print(table)


@keys_app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The key's name as `safetynet keys list` shows it, quoted if it "
                                                 'has spaces (`safetynet keys revoke "Crisis line desk"`); case '
                                                 "does not matter.")]) -> None:
    """Revoke a key: the API refuses it from the next request on."""
    store = _store()
    try:
        info = store.revoke(name)
    except KeyStoreError as exc:
        _fail(str(exc))
    out.print(f"revoked the {info.role.label} key {info.name!r}; requests with it now get 401")
