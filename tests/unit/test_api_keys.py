"""API keys: the store (`api.auth.KeyStore`), the Authorization header (`api.auth.authenticate`), the
`safetynet keys` commands, and the permission helpers' schema-time rules (`api.permissions`)."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import strawberry
from strawberry.exceptions.permission_fail_silently_requires_optional import (
    PermissionFailSilentlyRequiresOptionalError,
)
from typer.testing import CliRunner

from api.auth import (
    KEY_PREFIX,
    AuthError,
    DuplicateKeyName,
    InvalidKeyName,
    KeyFileError,
    KeyStore,
    KeyStoreError,
    Role,
    StoredKey,
    UnknownKeyName,
    authenticate,
    digest,
    keys_path,
)
from api.permissions import staff_only
from cli.main import app
from graph.settings import Settings, get_settings


@pytest.fixture
def store(tmp_path: Path) -> KeyStore:
    return KeyStore(tmp_path / "keys" / "keys.json")


def _file_text(store: KeyStore) -> str:
    return store.path.read_text(encoding="utf-8")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------- the store


def test_a_new_key_is_a_prefixed_random_token_that_the_store_then_recognises(store: KeyStore) -> None:
    key, info = store.add(name="desk-1", role=Role.STAFF)
    other, _ = store.add(name="desk-2", role=Role.STAFF)
    assert key.startswith(KEY_PREFIX) and len(key) == len(KEY_PREFIX) + 43
    assert key != other
    assert (info.name, info.role) == ("desk-1", Role.STAFF)
    found = store.lookup(key)
    assert found is not None and (found.name, found.role) == ("desk-1", Role.STAFF)
    assert store.lookup(KEY_PREFIX + "x" * 43) is None


def test_only_the_keys_sha256_is_stored_never_the_key(store: KeyStore) -> None:
    key, _ = store.add(name="desk-1", role=Role.PLANNER)
    text = _file_text(store)
    assert key not in text
    assert key[len(KEY_PREFIX):] not in text
    stored = json.loads(text)["keys"]
    assert stored == [{"name": "desk-1", "role": "planner", "created": stored[0]["created"], "sha256": digest(key)}]


def test_the_keys_file_and_its_lock_are_readable_by_the_owner_only(store: KeyStore) -> None:
    store.add(name="a", role=Role.STAFF)
    assert _mode(store.path) == 0o600
    assert _mode(store.path.with_name("keys.json.lock")) == 0o600
    store.revoke("a")  # a rewrite is a new file: still 0600
    assert _mode(store.path) == 0o600
    assert not [p.name for p in store.path.parent.iterdir() if p.name.endswith(".tmp")]  # no temp file left


def test_list_gives_name_role_and_creation_time_by_name_and_nothing_else(store: KeyStore) -> None:
    store.add(name="zed", role=Role.ADMIN)
    store.add(name="amy", role=Role.STAFF)
    listed = store.list_keys()
    assert [(k.name, k.role) for k in listed] == [("amy", Role.STAFF), ("zed", Role.ADMIN)]
    assert all(k.created.tzinfo is not None for k in listed)
    assert set(vars(listed[0])) == {"name", "role", "created"}


def test_a_store_without_a_file_has_no_keys_and_creates_nothing_when_read(store: KeyStore) -> None:
    assert store.list_keys() == []
    assert store.lookup(KEY_PREFIX + "a" * 43) is None
    assert not store.path.parent.exists()


def test_adding_a_name_twice_is_refused_and_the_first_key_keeps_working(store: KeyStore) -> None:
    key, _ = store.add(name="desk-1", role=Role.STAFF)
    with pytest.raises(DuplicateKeyName, match="a key named 'desk-1' already exists"):
        store.add(name="desk-1", role=Role.ADMIN)
    assert [k.role for k in store.list_keys()] == [Role.STAFF]
    assert store.lookup(key) is not None


@pytest.mark.parametrize("name", ["", " desk", "-desk", "desk 1", "a/b", "x" * 65, "ké"])
def test_a_name_that_is_not_a_simple_token_is_refused(store: KeyStore, name: str) -> None:
    with pytest.raises(InvalidKeyName, match="is not allowed"):
        store.add(name=name, role=Role.STAFF)


def test_a_key_for_the_public_role_is_refused_since_no_key_already_means_public(store: KeyStore) -> None:
    with pytest.raises(KeyStoreError, match="callers without a key are public"):
        store.add(name="anyone", role=Role.PUBLIC)


def test_revoking_removes_the_key_and_an_unknown_name_is_an_error(store: KeyStore) -> None:
    key, _ = store.add(name="desk-1", role=Role.STAFF)
    store.add(name="desk-2", role=Role.STAFF)
    assert store.revoke("desk-1").name == "desk-1"
    assert store.lookup(key) is None
    assert [k.name for k in store.list_keys()] == ["desk-2"]
    with pytest.raises(UnknownKeyName, match="no key named 'desk-1'"):
        store.revoke("desk-1")


def test_a_running_reader_sees_revocations_and_new_keys_made_by_another_writer(store: KeyStore) -> None:
    old, _ = store.add(name="old", role=Role.STAFF)
    api = KeyStore(store.path)  # the API process's store: reads once, then again only when the file changes
    assert api.lookup(old) is not None
    store.revoke("old")  # within the same clock tick: the new file has a new inode
    assert api.lookup(old) is None
    new, _ = store.add(name="new", role=Role.ADMIN)
    found = api.lookup(new)
    assert found is not None and found.role is Role.ADMIN


def test_a_reader_does_not_reparse_an_unchanged_file(store: KeyStore, monkeypatch: pytest.MonkeyPatch) -> None:
    key, _ = store.add(name="a", role=Role.STAFF)
    api = KeyStore(store.path)
    assert api.lookup(key) is not None
    reads: list[int] = []
    original = KeyStore._read

    def counted(self: KeyStore) -> tuple[StoredKey, ...]:
        reads.append(1)
        return original(self)

    monkeypatch.setattr(KeyStore, "_read", counted)
    for _ in range(5):
        assert api.lookup(key) is not None
    assert reads == []
    os.utime(store.path, ns=(1, 1))  # a changed mtime is enough to read again
    assert api.lookup(key) is not None
    assert reads == [1]


@pytest.mark.parametrize(("content", "problem"), [
    ("{not json", "Invalid JSON"),
    ('{"version": 1, "keys": [1]}', "keys.0"),
    ('{"version": 2, "keys": []}', "version"),
    ('{"keys": [{"name": "a", "role": "boss", "created": "2026-01-01T00:00:00Z", "sha256": "' + "0" * 64 + '"}]}',
     "keys.0.role"),
    ('{"keys": [{"name": "a", "role": "staff", "created": "2026-01-01T00:00:00Z", "sha256": "abc"}]}',
     "keys.0.sha256"),
    ('{"keys": [' + ",".join(['{"name": "a", "role": "staff", "created": "2026-01-01T00:00:00Z", "sha256": "'
                              + "0" * 64 + '"}'] * 2) + "]}", "name 'a' appears more than once"),
])
def test_a_malformed_keys_file_is_an_error_naming_the_file_and_the_problem(
        store: KeyStore, content: str, problem: str) -> None:
    store.path.parent.mkdir()
    store.path.write_text(content, encoding="utf-8")
    for action in (store.list_keys, lambda: store.lookup(KEY_PREFIX + "a" * 43),
                   lambda: store.add(name="b", role=Role.STAFF)):
        with pytest.raises(KeyFileError) as caught:
            action()
        assert str(store.path) in str(caught.value) and "is not a valid keys file" in str(caught.value)
        assert problem in str(caught.value)
    assert store.path.read_text(encoding="utf-8") == content  # a failed add leaves the file alone


def _add_many(path: str, prefix: str, count: int) -> list[str]:
    store = KeyStore(Path(path))
    return [store.add(name=f"{prefix}-{n}", role=Role.STAFF)[0] for n in range(count)]


def test_concurrent_writers_in_several_processes_lose_no_key(store: KeyStore) -> None:
    writers, each = 4, 15
    # fork: the children start at once, with nothing to import (and no threads run in this test process)
    with ProcessPoolExecutor(writers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(_add_many, str(store.path), f"w{w}", each) for w in range(writers)]
        keys = [key for future in futures for key in future.result()]
    assert len(store.list_keys()) == writers * each
    assert all(store.lookup(key) is not None for key in keys)


# ---------------------------------------------------------------- where the file is


def test_the_keys_file_setting_wins(tmp_path: Path) -> None:
    settings = Settings(db="falkordb://localhost:6379", keys_file=tmp_path / "k.json")
    assert keys_path(settings) == tmp_path / "k.json"


def test_an_embedded_database_keeps_its_keys_in_its_data_directory(tmp_path: Path) -> None:
    assert keys_path(Settings(db=f"embedded://{tmp_path / 'db'}")) == tmp_path / "db" / "keys.json"


@pytest.mark.parametrize("db", ["falkordb://localhost:6379", "bolt://localhost:7687"])
def test_a_server_database_keeps_its_keys_in_dot_safetynet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           db: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert keys_path(Settings(db=db)) == tmp_path / ".safetynet" / "keys.json"


# ---------------------------------------------------------------- the Authorization header


def test_no_authorization_header_means_the_public_role(store: KeyStore) -> None:
    assert authenticate([], store).role is Role.PUBLIC


@pytest.mark.parametrize("role", [Role.STAFF, Role.PLANNER, Role.ADMIN])
def test_a_valid_bearer_key_gives_its_role_and_name(store: KeyStore, role: Role) -> None:
    key, _ = store.add(name=f"k-{role.label}", role=role)
    for header in (f"Bearer {key}", f"bearer {key}", f"  Bearer   {key} "):
        caller = authenticate([header], store)
        assert (caller.role, caller.key_name) == (role, f"k-{role.label}")


@pytest.mark.parametrize(("headers", "reason", "challenge"), [
    (["Basic dXNlcjpwYXNz"], "must be `Bearer <key>`", 'Bearer error="invalid_request"'),
    (["Bearer"], "must be `Bearer <key>`", 'Bearer error="invalid_request"'),
    ([""], "must be `Bearer <key>`", 'Bearer error="invalid_request"'),
    (["Bearer not-a-key"], "not a Safety Net Graph API key", 'Bearer error="invalid_token"'),
    (["Bearer " + KEY_PREFIX + "A" * 43], "unknown or revoked key", 'Bearer error="invalid_token"'),
    (["Bearer a", "Bearer b"], "one Authorization header", 'Bearer error="invalid_request"'),
])
def test_a_bad_authorization_header_is_a_401_saying_what_to_do(
        store: KeyStore, headers: list[str], reason: str, challenge: str) -> None:
    with pytest.raises(AuthError) as caught:
        authenticate(headers, store)
    error = caught.value
    assert error.status_code == 401 and error.code == "UNAUTHENTICATED"
    assert error.message.startswith("invalid API key: ") and reason in error.message
    assert error.message.endswith("(ask an administrator for a key, or omit the header for public access)")
    assert error.headers == {"WWW-Authenticate": challenge}


def test_a_revoked_key_is_refused(store: KeyStore) -> None:
    key, _ = store.add(name="gone", role=Role.ADMIN)
    store.revoke("gone")
    with pytest.raises(AuthError, match="unknown or revoked key"):
        authenticate([f"Bearer {key}"], store)


def test_an_unreadable_keys_file_refuses_keyed_requests_with_503_and_logs_the_file_not_the_key(
        store: KeyStore, caplog: pytest.LogCaptureFixture) -> None:
    key, _ = store.add(name="a", role=Role.STAFF)
    store.path.write_text("{oops", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="safetynet.auth"), pytest.raises(AuthError) as caught:
        authenticate([f"Bearer {key}"], store)
    assert caught.value.status_code == 503 and "try again" in caught.value.message
    assert str(store.path) in caplog.text
    assert key not in caplog.text and key not in caught.value.message
    assert authenticate([], store).role is Role.PUBLIC  # public requests do not need the file


# ---------------------------------------------------------------- permission helpers, at schema build


def test_a_silent_permission_on_a_non_nullable_field_is_refused_when_the_schema_is_built() -> None:
    @strawberry.type
    class Query:
        secret: str = strawberry.field(extensions=[staff_only(silently=True)])

    with pytest.raises(PermissionFailSilentlyRequiresOptionalError):
        strawberry.Schema(query=Query)


def test_permission_helpers_leave_the_published_sdl_unchanged() -> None:
    @strawberry.type
    class Query:
        phone: str | None = strawberry.field(extensions=[staff_only(silently=True)])

    assert "@" not in strawberry.Schema(query=Query).as_str()


# ---------------------------------------------------------------- the CLI


@pytest.fixture
def keys_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """SAFETYNET_KEYS_FILE in tmp_path, for the CLI (its settings are built again for each test)."""
    path = tmp_path / "cli" / "keys.json"
    monkeypatch.setenv("SAFETYNET_KEYS_FILE", str(path))
    monkeypatch.setenv("NO_COLOR", "1")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


runner = CliRunner()


def test_keys_add_prints_the_key_once_on_stdout_and_says_it_will_not_be_shown_again(keys_file: Path) -> None:
    result = runner.invoke(app, ["keys", "add", "--name", "dispatch-1", "--role", "staff"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith(KEY_PREFIX) and "\n" not in key  # stdout is the key alone: KEY=$(safetynet keys add …)
    assert "will not be shown again" in result.stderr
    assert key not in result.stderr
    assert key not in keys_file.read_text(encoding="utf-8")
    found = KeyStore(keys_file).lookup(key)
    assert found is not None and found.role is Role.STAFF
    assert _mode(keys_file) == 0o600


def test_keys_add_takes_the_role_in_any_case_and_refuses_unknown_roles(keys_file: Path) -> None:
    assert runner.invoke(app, ["keys", "add", "--name", "p", "--role", "PLANNER"]).exit_code == 0
    refused = runner.invoke(app, ["keys", "add", "--name", "q", "--role", "public"])
    assert refused.exit_code == 2 and "staff" in refused.output and "admin" in refused.output
    assert [k.role for k in KeyStore(keys_file).list_keys()] == [Role.PLANNER]


def test_keys_add_refuses_a_duplicate_name_with_exit_code_1(keys_file: Path) -> None:
    assert runner.invoke(app, ["keys", "add", "--name", "a", "--role", "staff"]).exit_code == 0
    again = runner.invoke(app, ["keys", "add", "--name", "a", "--role", "admin"])
    assert again.exit_code == 1
    assert "a key named 'a' already exists" in again.stderr and again.stdout == ""


def test_keys_list_shows_names_roles_and_dates_but_no_hash(keys_file: Path) -> None:
    empty = runner.invoke(app, ["keys", "list"])
    assert empty.exit_code == 0 and "no API keys" in empty.stdout
    runner.invoke(app, ["keys", "add", "--name", "desk", "--role", "staff"])
    runner.invoke(app, ["keys", "add", "--name", "boss", "--role", "admin"])
    listed = runner.invoke(app, ["keys", "list"])
    assert listed.exit_code == 0
    for text in ("desk", "staff", "boss", "admin", "created"):
        assert text in listed.stdout
    for stored in json.loads(keys_file.read_text(encoding="utf-8"))["keys"]:
        assert stored["sha256"] not in listed.output and stored["sha256"][:12] not in listed.output


def test_keys_revoke_removes_the_key_and_an_unknown_name_exits_1_with_a_clear_message(keys_file: Path) -> None:
    key = runner.invoke(app, ["keys", "add", "--name", "desk", "--role", "staff"]).stdout.strip()
    revoked = runner.invoke(app, ["keys", "revoke", "desk"])
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    assert KeyStore(keys_file).lookup(key) is None
    unknown = runner.invoke(app, ["keys", "revoke", "desk"])
    assert unknown.exit_code == 1
    assert "no key named 'desk'" in unknown.stderr and "safetynet keys list" in unknown.stderr


def test_a_malformed_keys_file_makes_the_cli_name_the_file_not_crash(keys_file: Path) -> None:
    keys_file.parent.mkdir()
    keys_file.write_text("[]", encoding="utf-8")
    for args in (["list"], ["add", "--name", "a", "--role", "staff"], ["revoke", "a"]):
        result = runner.invoke(app, ["keys", *args])
        assert result.exit_code == 1, args
        assert str(keys_file) in result.stderr and "not a valid keys file" in result.stderr
        assert "Traceback" not in result.output


def test_the_keys_commands_run_as_safetynet_keys(tmp_path: Path) -> None:
    env = {**os.environ, "SAFETYNET_DB": f"embedded://{tmp_path / 'db'}", "NO_COLOR": "1"}
    env.pop("SAFETYNET_KEYS_FILE", None)
    added = subprocess.run([sys.executable, "-m", "cli", "keys", "add", "--name", "a", "--role", "admin"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    assert KeyStore(tmp_path / "db" / "keys.json").lookup(added.stdout.strip()) is not None  # beside the data
    shown = subprocess.run([sys.executable, "-m", "cli", "keys", "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "Usage" in shown.stdout
    for command in ("add", "list", "revoke"):
        helped = runner.invoke(app, ["keys", command, "--help"])
        assert helped.exit_code == 0 and "Usage" in helped.stdout, command
