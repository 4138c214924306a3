"""The API-key store: keys, their names and roles, kept hashed in one JSON file.

Keys live in one JSON file (SAFETYNET_KEYS_FILE; by default `PATH/keys.json` for `embedded://PATH`, else
`.safetynet/keys.json`). A key is shown once, when it is created (`safetynet keys add`); the file keeps only
its SHA-256 hash, with its name, role and creation time. Writers (the CLI) take an exclusive lock on a
`.lock` file beside it and replace the file atomically; the API re-reads it whenever it changes, so a
revoked key is refused from the next request on, without a restart. Keys are never logged.

Key names are what people call a desk or a team ("Crisis line desk"): 1-64 printable characters, stored NFC-
normalized without surrounding spaces, and unique regardless of case and Unicode form (`key_name_identity`).
Control and invisible characters are refused, so a name printed in a terminal or a log line is what it looks like.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import shlex
import tempfile
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationError

from domain.roles import KEY_ROLES, Role
from graph.uri import beside_database
from services.settings import ServiceSettings

log = logging.getLogger("safetynet.auth")



KEY_PREFIX = "sng_"
_KEY_SHAPE = re.compile(r"sng_[A-Za-z0-9_-]{32,128}")
KEYS_FILE_NAME = "keys.json"
MAX_NAME_LENGTH = 64
NAME_RULE = (f"a key name is 1-{MAX_NAME_LENGTH} printable characters: letters, digits, spaces, punctuation and "
             "symbols, with no control characters (tabs, newlines), invisible formatting characters or spaces other "
             "than the ordinary one")
# Unicode spaces (not control characters) trimmed from either end of a name; inside one only " " is allowed.
_SPACES = " \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


# ---------------------------------------------------------------- errors


class KeyStoreError(Exception):
    """A key-store problem the user can fix; the message says how."""


class KeyFileError(KeyStoreError):
    """The keys file cannot be read or is not a valid keys file (the message names it)."""


class DuplicateKeyName(KeyStoreError):
    pass


class UnknownKeyName(KeyStoreError):
    pass


class InvalidKeyName(KeyStoreError):
    pass


# ---------------------------------------------------------------- key names


def _shown(name: str, limit: int = 80) -> str:
    """`name` quoted for a message: repr escapes every unprintable character, and a long name is cut."""
    return repr(name if len(name) <= limit else name[:limit] + "…")


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    category = unicodedata.category(char)
    if category == "Cc":
        return f"a control character ({code})"
    if category == "Cs":
        return f"a lone surrogate ({code}, not a character: is the text valid UTF-8?)"
    label = f"{code} {unicodedata.name(char, '')}".rstrip()
    if category.startswith("Z"):
        return f"a space or line separator other than the ordinary space ({label})"
    if category == "Cf":
        return f"an invisible formatting character ({label})"
    return f"an unassigned or private-use code point ({code})"


def _name_problem(name: str) -> str | None:
    """What is wrong with `name` as a stored key name, or None."""
    if not name:
        return "it is empty"
    if name != name.strip(_SPACES):
        return "it starts or ends with a space"
    if len(name) > MAX_NAME_LENGTH:
        return f"it is {len(name)} characters long"
    unprintable = next((char for char in name if not char.isprintable()), None)
    return f"it contains {_describe(unprintable)}" if unprintable is not None else None


def normalize_key_name(name: str) -> str:
    """`name` as it is stored: NFC-normalized, surrounding spaces trimmed (nothing else changed). Raises
    InvalidKeyName, saying what is allowed, for an empty or too long name or one with an unprintable character."""
    cleaned = unicodedata.normalize("NFC", name).strip(_SPACES)
    problem = _name_problem(cleaned)
    if problem is not None:
        raise InvalidKeyName(f"key name {_shown(name)} is not allowed: {problem}; {NAME_RULE}")
    return cleaned


def key_name_identity(name: str) -> str:
    """What two key names must differ in to be two keys: case and Unicode compatibility forms aside, so
    "Crisis line desk", "crisis line desk" and its full-width or decomposed forms are one name."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _valid_stored_name(name: str) -> str:
    problem = _name_problem(name)
    if problem is not None:
        raise ValueError(f"key name {_shown(name)} is not allowed: {problem}")
    return name


# ---------------------------------------------------------------- the file


def _role_from_text(value: Any) -> Any:
    if isinstance(value, str) and value.upper() in Role.__members__:
        return Role[value.upper()]
    return value


RoleName = Annotated[Role, BeforeValidator(_role_from_text), PlainSerializer(lambda role: role.label, return_type=str)]


class StoredKey(BaseModel):
    """One entry of the keys file. `sha256` is the hex SHA-256 of the whole key (prefix included)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, AfterValidator(_valid_stored_name)]  # every name the older, stricter rule allowed passes
    role: RoleName
    created: datetime
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class KeyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    keys: list[StoredKey] = []


@dataclass(frozen=True)
class ApiKeyInfo:
    """What may be shown about a key: never the key, never its hash."""

    name: str
    role: Role
    created: datetime


def _info(stored: StoredKey) -> ApiKeyInfo:
    return ApiKeyInfo(stored.name, stored.role, stored.created)


def digest(key: str) -> str:
    # A plain, fast SHA-256 is right here: keys are 256-bit random tokens, so a stolen hash cannot be
    # brute-forced and key stretching (bcrypt, scrypt, argon2 — made for low-entropy passwords) would only
    # slow down every request.
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A fresh key: `sng_` and 32 random bytes, URL-safe base64 (43 characters)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def looks_like_key(text: str) -> bool:
    return _KEY_SHAPE.fullmatch(text) is not None


def keys_path(settings: ServiceSettings) -> Path:
    """Where the keys are: SAFETYNET_KEYS_FILE; else `PATH/keys.json` for an `embedded://PATH` database; else
    `.safetynet/keys.json` (relative to the working directory). Raises BadDatabaseUri for a bad SAFETYNET_DB
    when SAFETYNET_KEYS_FILE is unset."""
    if settings.keys_file is not None:
        return settings.keys_file.expanduser().resolve()
    return beside_database(settings.db, KEYS_FILE_NAME)


# ---------------------------------------------------------------- the store


@dataclass(frozen=True)
class _Snapshot:
    signature: tuple[int, int, int] | None  # (inode, mtime ns, size) of the file read; None: no file
    keys: tuple[StoredKey, ...]


class KeyStore:
    """The keys file at `path`. Writes (add, revoke) lock and replace the file; `lookup` serves from a copy
    read again whenever the file's inode, mtime (ns) or size changes — a write replaces the file, so its
    inode changes too, which catches a write landing within the file system's timestamp resolution."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_path = path.with_name(path.name + ".lock")
        self._snapshot = _Snapshot(None, ())
        self._reading = threading.Lock()

    # -------------------------------------------------- reads

    def list_keys(self) -> list[ApiKeyInfo]:
        """The keys, by name regardless of case (read from the file now)."""
        return sorted((_info(k) for k in self._read()), key=lambda info: (key_name_identity(info.name), info.name))

    def lookup(self, key: str) -> ApiKeyInfo | None:
        """The key's entry, or None if it is not (or no longer) in the file. Raises KeyFileError if the file
        changed and cannot be read."""
        wanted = digest(key)
        found: StoredKey | None = None
        for stored in self._current():
            if hmac.compare_digest(stored.sha256, wanted):
                found = stored
        return _info(found) if found is not None else None

    def _current(self) -> tuple[StoredKey, ...]:
        with self._reading:
            try:
                stat = os.stat(self.path)
            except FileNotFoundError:
                self._snapshot = _Snapshot(None, ())
                return ()
            except OSError as exc:
                raise KeyFileError(f"cannot read the keys file {self.path}: {exc.strerror}") from exc
            signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if signature != self._snapshot.signature:
                self._snapshot = _Snapshot(signature, self._read())
            return self._snapshot.keys

    def _read(self) -> tuple[StoredKey, ...]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ()
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyFileError(f"cannot read the keys file {self.path}: {exc}") from exc
        try:
            keys = KeyFile.model_validate_json(text).keys
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()[:3]
            )
            raise KeyFileError(f"{self.path} is not a valid keys file ({problems}); fix it, or move it away and "
                               "create the keys again with `safetynet keys add`") from exc
        names = [k.name for k in keys]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise KeyFileError(f"{self.path} is not a valid keys file (name {duplicated[0]!r} appears more than "
                               "once); fix it, or move it away and create the keys again")
        return tuple(keys)

    # -------------------------------------------------- writes

    def add(self, *, name: str, role: Role) -> tuple[str, ApiKeyInfo]:
        """Create a key named `name` (see `normalize_key_name`) with `role`; returns the key (to show once) and
        its entry. Raises InvalidKeyName, DuplicateKeyName (a key of the same name regardless of case exists)."""
        name = normalize_key_name(name)
        if role not in KEY_ROLES:
            raise KeyStoreError(f"a key's role must be one of {', '.join(r.label for r in KEY_ROLES)} "
                                "(callers without a key are public)")
        key = new_key()
        stored = StoredKey(name=name, role=role, created=datetime.now(UTC).replace(microsecond=0), sha256=digest(key))
        with self._locked():
            keys = list(self._read())
            same = next((k for k in keys if key_name_identity(k.name) == key_name_identity(name)), None)
            if same is not None:
                alike = "" if same.name == name else " (names are compared regardless of case and Unicode form)"
                raise DuplicateKeyName(f"a key named {same.name!r} already exists in {self.path}{alike}; choose "
                                       f"another name, or revoke it first (`safetynet keys revoke "
                                       f"{shlex.quote(same.name)}`)")
            self._write([*keys, stored])
        return key, _info(stored)

    def revoke(self, name: str) -> ApiKeyInfo:
        """Remove the key named `name` (regardless of case and Unicode form, as `add` compares names); requests
        with it are refused from then on."""
        wanted = unicodedata.normalize("NFC", name).strip(_SPACES)
        with self._locked():
            keys = list(self._read())
            gone = self._named(keys, wanted)
            self._write([k for k in keys if k is not gone])
        return _info(gone)

    def _named(self, keys: list[StoredKey], name: str) -> StoredKey:
        """The key called `name`: its exact name first, else the one name equal to it regardless of case. (A file
        from before names were compared that way may hold "desk" and "Desk"; then only the exact name will do.)"""
        exact = [k for k in keys if k.name == name]
        alike = exact or [k for k in keys if key_name_identity(k.name) == key_name_identity(name)]
        if len(alike) == 1:
            return alike[0]
        if alike:
            names = ", ".join(_shown(k.name) for k in alike)
            raise UnknownKeyName(f"several keys in {self.path} are named like {_shown(name)} ({names}); give the "
                                 "exact name")
        raise UnknownKeyName(f"no key named {_shown(name)} in {self.path}; `safetynet keys list` shows the names")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Exclusive among writers (processes and threads): a lock on a file beside the keys file (not on the
        keys file itself, which each write replaces)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise KeyFileError(f"cannot write the keys file {self.path}: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _write(self, keys: list[StoredKey]) -> None:
        """Write the file atomically: a temporary file (mode 0600, from mkstemp) in the same folder, flushed to
        disk, then renamed over the old one; readers see the old file or the new one, never a partial one."""
        body = KeyFile(keys=keys).model_dump(mode="json")
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(body, handle, indent=2)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with suppress(OSError):
                os.unlink(temp)
            raise
        with suppress(OSError):
            directory = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)


@lru_cache
def key_store_at(path: Path) -> KeyStore:
    """One store per file per process, so its cached copy serves every request."""
    return KeyStore(path)


def configured_key_store(settings: ServiceSettings) -> KeyStore:
    """The store the settings name (see `keys_path`): the API makes it once, in its lifespan."""
    return key_store_at(keys_path(settings))


__all__ = [
    "KEY_PREFIX", "KEY_ROLES", "MAX_NAME_LENGTH", "NAME_RULE", "ApiKeyInfo", "DuplicateKeyName", "InvalidKeyName",
    "KeyFileError", "KeyStore", "KeyStoreError", "Role", "UnknownKeyName", "digest",
    "key_name_identity", "configured_key_store", "key_store_at", "keys_path", "normalize_key_name",
]
