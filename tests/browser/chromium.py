"""Headless Chromium over the Chrome DevTools Protocol (CDP), with nothing but the standard library.

The browser is the system's (Debian's `chromium`; never downloaded), started in its own process group with a
fresh profile and `--remote-debugging-pipe`: CDP messages are NUL-terminated JSON on file descriptors 3 (to
the browser) and 4 (from it), so no port is opened. `Page` attaches to one tab and keeps every event it
sees, among them each request the tab makes (`Network.requestWillBeSent`).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

EXECUTABLES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
    "--disable-extensions", "--mute-audio", "--window-size=1400,900", "--remote-debugging-pipe",
)
# no name resolves but the loopback's: the page is as offline as a machine without internet
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
COMMAND_TIMEOUT_S = 30.0


class BrowserError(AssertionError):
    pass


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable on PATH, or None."""
    return next((path for name in EXECUTABLES if (path := shutil.which(name))), None)


class Chromium:
    """One CDP connection to a running browser; `Page`s share it."""

    def __init__(self, to_browser: int, from_browser: int) -> None:
        self._out, self._in = to_browser, from_browser
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []  # every event, of every session, in order

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None,
             timeout: float = COMMAND_TIMEOUT_S) -> dict[str, Any]:
        """Run one CDP command and return its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline, waiting_for=method)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method} failed: {reply['error']}")
                return reply.get("result", {})  # type: ignore[no-any-return]
            if "method" in reply:
                self.events.append(reply)

    def pump(self, seconds: float) -> None:
        """Keep the events that arrive within `seconds`."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and select.select([self._in], [], [], left)[0]:
            self._read(waiting_for="events")
        while b"\0" in self._buffer:
            self.events.append(self._next_message())

    def _receive(self, deadline: float, *, waiting_for: str) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise BrowserError(f"Chromium did not answer {waiting_for} in time")
            self._read(waiting_for=waiting_for)
        return self._next_message()

    def _read(self, *, waiting_for: str) -> None:
        chunk = os.read(self._in, 1 << 20)
        if not chunk:
            raise BrowserError(f"Chromium closed the DevTools pipe (waiting for {waiting_for})")
        self._buffer += chunk

    def _next_message(self) -> dict[str, Any]:
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)  # type: ignore[no-any-return]

    def new_page(self) -> Page:
        """A new tab (about:blank), attached, with Page, Runtime, Network and Log (console) events on."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Network", "Log"):
            page.send(f"{domain}.enable")
        return page


class Page:
    """One tab: commands to it, its events, and a few conveniences."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser, self.session = browser, session

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session)

    def events(self, method: str) -> list[dict[str, Any]]:
        """The params of every `method` event this tab has sent so far."""
        return [e["params"] for e in self.browser.events if e.get("sessionId") == self.session
                and e["method"] == method]

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaited when it is a promise)."""
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression!r} threw: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, *, timeout: float = 30.0, what: str = "",
                 describe: Callable[[], str] = lambda: "") -> Any:
        """Evaluate `expression` until it is truthy and return its value; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not (value := self.evaluate(expression)):
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out after {timeout} s waiting for {what or expression}. {describe()}")
            self.browser.pump(0.1)
        return value

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        return path


def _high_fd(fd: int) -> int:
    """`fd` duplicated to a number above 9 (so placing it at 3 or 4 in the child can never clobber it)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


@contextlib.contextmanager
def chromium(executable: str, *, offline: bool = True) -> Iterator[Chromium]:
    """A headless Chromium with a fresh profile, until the block ends; then it and its children are stopped and
    the profile deleted. `offline`: no host name resolves but the loopback's."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        to_child_r, to_child_w = map(_high_fd, os.pipe())
        from_child_r, from_child_w = map(_high_fd, os.pipe())
        log = os.open(Path(profile) / "chromium.log", os.O_WRONLY | os.O_CREAT, 0o600)
        argv = [executable, *FLAGS, *([OFFLINE] if offline else []), f"--user-data-dir={profile}", "about:blank"]
        actions = [(os.POSIX_SPAWN_DUP2, to_child_r, 3), (os.POSIX_SPAWN_DUP2, from_child_w, 4),
                   (os.POSIX_SPAWN_DUP2, log, 1), (os.POSIX_SPAWN_DUP2, log, 2)]
        # its own session (and process group): the renderers and helpers it starts are stopped with it
        pid = os.posix_spawn(executable, argv, dict(os.environ), file_actions=actions, setsid=True)
        for fd in (to_child_r, from_child_w, log):
            os.close(fd)
        try:
            browser = Chromium(to_child_w, from_child_r)
            try:
                browser.send("Browser.getVersion")
            except BrowserError as exc:
                output = (Path(profile) / "chromium.log").read_text(errors="replace")[-3000:]
                raise BrowserError(f"{exc}; its output:\n{output}") from exc
            yield browser
        finally:
            _stop(pid)
            os.close(to_child_w)
            os.close(from_child_r)


def _stop(pid: int) -> None:
    """Stop the browser's process group: SIGTERM, then SIGKILL if it is still there after 10 s."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            break
        time.sleep(0.05)
    else:
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    with contextlib.suppress(ProcessLookupError):  # what of the group outlived its leader
        os.killpg(pid, signal.SIGKILL)


@pytest.fixture(scope="module", name="chromium_executable")
def chromium_executable_fixture() -> str:
    """The system's Chromium; skips (fails in CI) without one."""
    path = find_chromium()
    if path is None:
        reason = "needs Chromium (`chromium` on PATH; on Debian: `apt-get install chromium`)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI installs it (.ci/run)")
        pytest.skip(reason)
    return path
