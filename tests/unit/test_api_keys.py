"""API keys: the store (`services.keys.KeyStore`), the Authorization header (`api.auth.authenticate`), the
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

from api.auth import AuthError, Caller, authenticate
from api.permissions import staff_only
from cli.main import app
from domain.roles import Role
from services.keys import (
    KEY_PREFIX,
    NAME_RULE,
    DuplicateKeyName,
    InvalidKeyName,
    KeyFileError,
    KeyStore,
    KeyStoreError,
    StoredKey,
    UnknownKeyName,
    digest,
    keys_path,
    normalize_key_name,
)
from services.settings import ServiceSettings, get_service_settings


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


# ---------------------------------------------------------------- key names


@pytest.mark.parametrize("name", [
    "Crisis line desk", "CSWB planning", "dispatch-desk-1", "-desk", "Ward 6 / east", "O'Brien's desk",
    "Équipe de crise", "Кризисная линия", "危機ライン", "desk 🔥", "a  b", "x" * 64,
])
def test_a_key_name_may_hold_spaces_punctuation_symbols_and_any_script(store: KeyStore, name: str) -> None:
    key, info = store.add(name=name, role=Role.STAFF)
    assert info.name == name
    found = store.lookup(key)
    assert found is not None and found.name == name
    assert [k.name for k in KeyStore(store.path).list_keys()] == [name]


def test_spaces_around_a_name_are_trimmed_and_nothing_inside_it_is_changed(store: KeyStore) -> None:
    _, info = store.add(name="  Crisis  line desk\u3000", role=Role.STAFF)
    assert info.name == "Crisis  line desk"
    assert [k.name for k in store.list_keys()] == ["Crisis  line desk"]


def test_a_name_is_stored_in_its_composed_unicode_form(store: KeyStore) -> None:
    _, info = store.add(name="Cafe\u0301 desk", role=Role.STAFF)  # e + combining acute accent
    assert info.name == "Caf\u00e9 desk" == normalize_key_name("Café desk")
    assert json.loads(_file_text(store))["keys"][0]["name"] == "Caf\u00e9 desk"


@pytest.mark.parametrize(("name", "problem"), [
    ("", "it is empty"),
    ("   ", "it is empty"),
    ("x" * 65, "it is 65 characters long"),
    ("desk\n1", "a control character (U+000A)"),
    ("desk\t1", "a control character (U+0009)"),
    ("desk\x00", "a control character (U+0000)"),
    ("desk\x1b[2J", "a control character (U+001B)"),
    ("desk\r", "a control character (U+000D)"),
    ("desk\x85", "a control character (U+0085)"),
    ("desk\x7f", "a control character (U+007F)"),
    ("desk\udcff", "a lone surrogate (U+DCFF"),
    ("desk\u202e1", "an invisible formatting character (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    ("desk\u200b1", "an invisible formatting character (U+200B ZERO WIDTH SPACE)"),
    ("Crisis\u00a0line", "a space or line separator other than the ordinary space (U+00A0 NO-BREAK SPACE)"),
    ("desk\u2028two", "a space or line separator other than the ordinary space (U+2028 LINE SEPARATOR)"),
    ("desk\ue000", "an unassigned or private-use code point (U+E000)"),
])
def test_an_empty_too_long_or_unprintable_name_is_refused_saying_what_is_allowed(
        store: KeyStore, name: str, problem: str) -> None:
    with pytest.raises(InvalidKeyName) as caught:
        store.add(name=name, role=Role.STAFF)
    message = str(caught.value)
    assert message.startswith("key name ") and " is not allowed: " in message and problem in message
    assert message.endswith(NAME_RULE)
    assert message.isprintable()  # the refused name is shown escaped: nothing reaches a terminal raw
    assert not store.path.exists()


@pytest.mark.parametrize("same", ["Crisis line desk", "crisis line desk", "CRISIS LINE DESK", " Crisis line desk ",
                                  "\uff23risis line desk", "Crisis line de\u017fk"])  # full-width C, long s
def test_names_are_unique_regardless_of_case_and_unicode_form(store: KeyStore, same: str) -> None:
    store.add(name="Crisis line desk", role=Role.STAFF)
    with pytest.raises(DuplicateKeyName) as caught:
        store.add(name=same, role=Role.ADMIN)
    message = str(caught.value)
    assert "a key named 'Crisis line desk' already exists" in message
    assert "(`safetynet keys revoke 'Crisis line desk'`)" in message  # quoted as a shell needs it
    assert [k.name for k in store.list_keys()] == ["Crisis line desk"]


def test_revoke_finds_a_key_by_its_name_regardless_of_case_and_surrounding_spaces(store: KeyStore) -> None:
    key, _ = store.add(name="Crisis line desk", role=Role.STAFF)
    assert store.revoke(" crisis LINE desk ").name == "Crisis line desk"
    assert store.lookup(key) is None


def test_list_sorts_names_regardless_of_case(store: KeyStore) -> None:
    for name in ("beta", "Alpha", "CSWB planning", "crisis line desk"):
        store.add(name=name, role=Role.STAFF)
    assert [k.name for k in store.list_keys()] == ["Alpha", "beta", "crisis line desk", "CSWB planning"]


def _stored(name: str, n: int = 0) -> dict[str, str]:
    return {"name": name, "role": "staff", "created": "2026-01-01T00:00:00Z", "sha256": digest(KEY_PREFIX + "k" * n)}


def test_a_keys_file_written_under_the_old_name_rule_still_loads_and_works(store: KeyStore) -> None:
    # The old rule: [A-Za-z0-9][A-Za-z0-9._@-]{0,63}, compared exactly, so "desk" and "Desk" could both exist.
    names = ["dispatch-1", "a.b@c_d", "Desk", "desk", "x" * 64]
    store.path.parent.mkdir()
    store.path.write_text(json.dumps({"version": 1, "keys": [_stored(name, n + 43) for n, name in enumerate(names)]}),
                          encoding="utf-8")
    assert sorted(k.name for k in store.list_keys()) == sorted(names)
    found = store.lookup(KEY_PREFIX + "k" * 43)
    assert found is not None and found.name == "dispatch-1"
    with pytest.raises(UnknownKeyName, match="several keys .* named like 'DESK' \\('Desk', 'desk'\\); give the exact"):
        store.revoke("DESK")
    assert store.revoke("desk").name == "desk"  # the exact name wins
    assert store.revoke("DESK").name == "Desk"  # now the only one of that name
    with pytest.raises(DuplicateKeyName):
        store.add(name="DISPATCH-1", role=Role.STAFF)


@pytest.mark.parametrize("name", ["desk\x1b]0;owned\x07", " desk", "", "x" * 65, "desk\u202e"])
def test_a_keys_file_holding_a_name_the_rule_refuses_is_invalid_and_logged_escaped(
        store: KeyStore, name: str, caplog: pytest.LogCaptureFixture) -> None:
    store.path.parent.mkdir()
    store.path.write_text(json.dumps({"version": 1, "keys": [_stored(name)]}), encoding="utf-8")
    with pytest.raises(KeyFileError, match="keys.0.name") as caught:
        store.list_keys()
    assert str(caught.value).isprintable()
    with caplog.at_level(logging.ERROR, logger="safetynet.auth"), pytest.raises(AuthError):
        authenticate([f"Bearer {KEY_PREFIX}{'k' * 43}"], store)
    assert "keys.0.name" in caplog.text
    assert all(line.isprintable() for line in caplog.text.splitlines())


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
    settings = ServiceSettings(db="falkordb://localhost:6379", keys_file=tmp_path / "k.json")
    assert keys_path(settings) == tmp_path / "k.json"


def test_an_embedded_database_keeps_its_keys_in_its_data_directory(tmp_path: Path) -> None:
    assert keys_path(ServiceSettings(db=f"embedded://{tmp_path / 'db'}")) == tmp_path / "db" / "keys.json"


@pytest.mark.parametrize("db", ["falkordb://localhost:6379", "bolt://localhost:7687"])
def test_a_server_database_keeps_its_keys_in_dot_safetynet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           db: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert keys_path(ServiceSettings(db=db)) == tmp_path / ".safetynet" / "keys.json"


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


def test_a_key_named_like_a_desk_authenticates_with_its_name(store: KeyStore) -> None:
    key, _ = store.add(name="Crisis line desk", role=Role.STAFF)
    assert authenticate([f"Bearer {key}"], store) == Caller(Role.STAFF, "Crisis line desk")


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
    get_service_settings.cache_clear()
    yield path
    get_service_settings.cache_clear()


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


def test_keys_add_list_and_revoke_take_a_name_with_spaces(keys_file: Path) -> None:
    added = runner.invoke(app, ["keys", "add", "--role", "staff", "--name", "Crisis line desk"])
    assert added.exit_code == 0, added.output
    assert "Created the staff key 'Crisis line desk'" in added.stderr
    listed = runner.invoke(app, ["keys", "list"])
    assert "│ Crisis line desk │ staff │" in listed.stdout
    revoked = runner.invoke(app, ["keys", "revoke", "crisis line desk"])
    assert revoked.exit_code == 0 and "revoked the staff key 'Crisis line desk'" in revoked.stdout
    assert KeyStore(keys_file).list_keys() == []


def test_keys_add_refuses_a_name_with_a_terminal_escape_and_shows_it_escaped(keys_file: Path) -> None:
    refused = runner.invoke(app, ["keys", "add", "--role", "staff", "--name", "desk\x1b]0;owned\x07"])
    assert refused.exit_code == 1 and refused.stdout == ""
    assert ("key name 'desk\\x1b]0;owned\\x07' is not allowed: it contains a control character (U+001B)"
            in refused.stderr)
    assert "\x1b" not in refused.output and "\x07" not in refused.output


def test_keys_list_prints_names_as_they_are_without_markup_or_emoji_codes(keys_file: Path) -> None:
    name = "desk :fire: [bold]x[/bold] $(rm)"
    assert runner.invoke(app, ["keys", "add", "--role", "admin", "--name", name]).exit_code == 0
    listed = runner.invoke(app, ["keys", "list"])
    assert f"│ {name} │ admin │" in listed.stdout


def test_keys_list_shows_a_64_character_name_whole_beside_its_role_in_an_80_column_terminal(keys_file: Path) -> None:
    name = "Community Safety and Well-Being planning table, east district 01"
    assert len(name) == 64
    assert runner.invoke(app, ["keys", "add", "--role", "planner", "--name", name]).exit_code == 0
    listed = runner.invoke(app, ["keys", "list"], env={"COLUMNS": "80"})
    assert f"│ {name} │ planner │" in listed.stdout


def test_keys_add_help_says_what_a_name_may_hold_and_that_case_does_not_matter(keys_file: Path) -> None:
    shown = runner.invoke(app, ["keys", "add", "--help"], env={"COLUMNS": "200"}).stdout
    helped = " ".join(shown.replace("│", " ").split())  # the words, wherever the help panel wrapped them
    for text in ('"Crisis line desk"', "1-64 printable characters", "no tabs, newlines or other control characters",
                 "unique regardless of case and Unicode form"):
        assert text in helped
