"""End to end: GraphiQL at /graphql comes from the app itself and works on a machine without internet.

The real app runs under uvicorn on a free local port over an embedded FalkorDB holding the demo city (FalkorDB
only: the page and its files come from the app, not the graph; the query it runs is checked on both engines by
the other e2e modules). Over
plain HTTP: the page names no other host, runs no inline script, sends a strict Content-Security-Policy,
and every file it names is served with its type and the digest the page pins; without the files (npm's
web/graphiql not installed) a browser is told what to run and the API still answers. In a real headless
Chromium (the system's, never downloaded) that resolves no host name but the loopback's: GraphiQL renders
with its explorer, sends the API key typed into its headers editor, runs a query and shows the result, and
the page asks nothing of any host but the app's own origin and breaks no rule of its policy.
Without Chromium the browser tests skip, saying so, except in CI (`CI=true`), where they fail.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from api.app import create_app
from api.graphiql import PROJECT_GRAPHIQL_DIR
from api.settings import ApiSettings
from domain.roles import Role
from graph.engine import GraphEngine
from services.keys import KeyStore
from tests.browser.chromium import Page, chromium, chromium_executable_fixture  # noqa: F401 (fixture)
from tests.e2e.server import LiveServer, demo_engine_fixture, serving, staff_keys  # noqa: F401 (fixture)

pytestmark = pytest.mark.engines("falkordb", reason="GraphiQL's page and files come from the app, not the graph; "
                                                   "what it asks /graphql is asked on both engines elsewhere")

LOCKFILE = PROJECT_GRAPHIQL_DIR / "package-lock.json"
PACKAGES = ("graphiql", "@graphiql/plugin-explorer", "react", "react-dom")
INSTALL_HINT = "run `npm ci --prefix web/graphiql` (or `make setup`, which `make test` runs)"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # what a browser sends
QUERY = "{ serviceCount }"
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESULT_PANE = ".graphiql-response"
# every Content-Security-Policy violation, recorded from before the page's first script runs
RECORDER = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
"""


def _require_graphiql_installed() -> None:
    """Fail (never skip) when web/graphiql is not installed as its lockfile pins it."""
    locked = json.loads(LOCKFILE.read_text(encoding="utf-8"))["packages"]
    for package in PACKAGES:
        manifest = PROJECT_GRAPHIQL_DIR / "node_modules" / package / "package.json"
        if not manifest.is_file():
            pytest.fail(f"{package} is not installed in web/graphiql/node_modules: {INSTALL_HINT}")
        installed, pinned = (json.loads(manifest.read_text(encoding="utf-8"))["version"],
                             locked[f"node_modules/{package}"]["version"])
        if installed != pinned:
            pytest.fail(f"{package} {installed} is installed but web/graphiql's lockfile pins {pinned}: {INSTALL_HINT}")


@pytest.fixture(scope="module")
def staff_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[KeyStore, str]:
    return staff_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def live(demo_engine: GraphEngine, staff_key: tuple[KeyStore, str]) -> Iterator[LiveServer]:
    """The real app, its GraphiQL files where the project installs them, with a key store holding a staff key."""
    _require_graphiql_installed()
    app = create_app(engine=demo_engine, key_store=staff_key[0])
    with serving(app) as server:
        yield server


@pytest.fixture(scope="module")
def live_without_graphiql(demo_engine: GraphEngine, tmp_path_factory: pytest.TempPathFactory
                          ) -> Iterator[tuple[LiveServer, Path]]:
    """The real app with SAFETYNET_GRAPHIQL_DIR's setting naming a folder where nothing was installed."""
    empty = tmp_path_factory.mktemp("graphiql-not-installed")
    with serving(create_app(ApiSettings(graphiql_dir=empty), engine=demo_engine)) as server:
        yield server, empty


# ------------------------------------------------------------------------------------------------ plain HTTP

class References(HTMLParser):
    """The URLs a page names (`src`, `href`) with their tag and `integrity`, and the text of its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str | None]] = []  # (tag, url, integrity)
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for attribute in ("src", "href"):
            if named.get(attribute):
                self.urls.append((tag, str(named[attribute]), named.get("integrity")))
        self._in_script = tag == "script" and not named.get("src")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def _page(live: LiveServer) -> tuple[httpx.Response, References]:
    with live.client() as client:
        response = client.get("/graphql", headers=HTML)
    references = References()
    references.feed(response.text)
    return response, references


def _policy(response: httpx.Response) -> dict[str, list[str]]:
    directives = (d.split() for d in response.headers.get("content-security-policy", "").split(";") if d.strip())
    return {d[0]: d[1:] for d in directives}


def test_the_graphiql_page_names_no_other_host_and_runs_no_inline_script(live: LiveServer) -> None:
    response, references = _page(live)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert references.urls, "the page names no file at all"
    for tag, url, _ in references.urls:
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue  # the favicon: no request
        assert not parts.scheme and not parts.netloc and url.startswith("/"), f"<{tag}> names {url}"
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", response.text), "an absolute URL in src/href"
    assert not references.inline_scripts, "the page has inline scripts"


def test_the_graphiql_page_sends_a_policy_that_allows_its_own_origin_only(live: LiveServer) -> None:
    policy = _policy(_page(live)[0])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["style-src"][0] == "'self'"
    assert all(source.startswith("'sha256-") for source in policy["style-src"][1:]), policy["style-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in source or "*" in source for sources in policy.values() for source in sources), policy


def test_every_file_the_page_names_is_served_with_its_type_and_the_digest_the_page_pins(live: LiveServer) -> None:
    response, references = _page(live)
    files = [(tag, url, integrity) for tag, url, integrity in references.urls if tag in ("script", "link")
             and not url.startswith("data:")]
    assert {tag for tag, _, _ in files} == {"script", "link"}, files
    expected_type = {"script": "text/javascript", "link": "text/css"}
    with live.client() as client:
        for tag, url, integrity in files:
            served = client.get(urljoin(str(response.url), url))
            assert served.status_code == 200, f"{url}: {served.status_code} {served.text[:200]}"
            assert served.headers["content-type"].split(";")[0] == expected_type[tag], url
            assert served.headers["x-content-type-options"] == "nosniff", url
            digest = "sha384-" + base64.b64encode(hashlib.sha384(served.content).digest()).decode()
            assert integrity == digest, f"{url}: the page pins {integrity}, the file is {digest}"


def test_only_the_pages_own_files_are_served_and_the_metrics_label_them_by_route(
        live: LiveServer, staff_key: tuple[KeyStore, str]) -> None:
    admin, _ = staff_key[0].add(name="graphiql metrics", role=Role.ADMIN)  # /metrics is for admin keys
    with live.client() as client:
        assert client.get("/graphql/static/page.js").status_code == 200
        for other in ("package.json", "package-lock.json", "node_modules%2Freact%2Fpackage.json",
                      "..%2F..%2FREADME.md"):
            assert client.get(f"/graphql/static/{other}").status_code == 404, other
        metrics = client.get("/metrics", headers={"Authorization": f"Bearer {admin}"}).text
    routes = set(re.findall(r'safetynet_http_requests_total\{route="([^"]*)"', metrics))
    assert "/graphql/static/{name}" in routes
    assert not [route for route in routes if "page.js" in route or "package" in route], routes


def test_graphql_over_http_at_graphql_is_strawberrys_own(live: LiveServer) -> None:
    with live.client() as client:
        posted = client.post("/graphql", json={"query": "{ __typename }"})
        got = client.get("/graphql", params={"query": "{ __typename }"}, headers={"Accept": "application/json"})
    assert posted.status_code == 200 and posted.json() == {"data": {"__typename": "Query"}}
    assert got.status_code == 200 and got.json() == {"data": {"__typename": "Query"}}


def test_without_the_files_a_browser_is_told_what_to_install_and_the_api_still_answers(
        live_without_graphiql: tuple[LiveServer, Path]) -> None:
    live, folder = live_without_graphiql
    with live.client() as client:
        page = client.get("/graphql", headers=HTML)
        asset = client.get("/graphql/static/graphiql.min.js")
        answer = client.post("/graphql", json={"query": "{ __typename }"})
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert f"npm ci --prefix {folder}" in page.text
    assert "SAFETYNET_GRAPHIQL_DIR" in page.text
    assert str(folder / "node_modules" / "graphiql" / "graphiql.min.js") in page.text
    assert "<script" not in page.text
    assert asset.status_code == 404 and "not installed" in asset.text
    assert answer.status_code == 200 and answer.json() == {"data": {"__typename": "Query"}}


# ---------------------------------------------------------------------------------------------- in Chromium

@dataclass(frozen=True)
class Visit:
    """What one visit of the page saw: the result pane, and every request, violation, error and console line."""
    result: str
    requests: list[dict[str, Any]]
    violations: list[str]
    exceptions: list[str]
    console: list[str]
    screenshot: Path


def _type_into(page: Page, editor: str, text: str) -> None:
    """Replace what a CodeMirror editor holds by `text`, typed (as one input) at its cursor."""
    page.evaluate(f"(() => {{ const cm = document.querySelector({json.dumps(editor)}).CodeMirror; cm.focus();"
                  " cm.execCommand('selectAll'); })()")
    page.send("Input.insertText", {"text": text})


def _click(page: Page, selector: str) -> None:
    page.evaluate(f"document.querySelector({json.dumps(selector)}).click()")


@pytest.fixture(scope="module")
def visit(chromium_executable: str, live: LiveServer, staff_key: tuple[KeyStore, str],
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Visit]:
    """Open /graphql, open the explorer, type the staff key into the headers editor and a query into the query
    editor, run it, open the settings dialog; record everything."""
    screenshot = tmp_path_factory.mktemp("graphiql") / "graphiql.png"
    with chromium(chromium_executable) as browser:
        page = browser.new_page()
        page.send("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
        page.send("Page.navigate", {"url": live.graphql_url})

        def seen() -> str:
            requests = [e["request"]["url"][:120] for e in page.events("Network.requestWillBeSent")]
            console = [e["entry"]["text"][:300] for e in page.events("Log.entryAdded")]
            return f"Requests: {requests}; console: {console}; screenshot: {page.screenshot(screenshot)}"

        page.wait_for(f"!!document.querySelector({json.dumps(QUERY_EDITOR)})", what="GraphiQL's query editor",
                      describe=seen)
        page.wait_for("document.querySelector('.graphiql-query-editor').innerText.includes('Welcome to GraphiQL')",
                      what="the welcome text", describe=seen)
        _click(page, "[aria-label='Show GraphiQL Explorer']")
        page.wait_for("!!document.querySelector('.graphiql-explorer-root') && "
                      "document.querySelector('.graphiql-explorer-root').innerText.includes('serviceCount')",
                      what="the explorer listing the schema's fields", describe=seen)
        page.evaluate("[...document.querySelectorAll('.graphiql-editor-tools button')]"
                      ".find((b) => b.textContent === 'Headers').click()")
        page.wait_for(f"!!document.querySelector({json.dumps(HEADERS_EDITOR)})", what="the headers editor",
                      describe=seen)
        _type_into(page, HEADERS_EDITOR, json.dumps({"Authorization": f"Bearer {staff_key[1]}"}))
        _type_into(page, QUERY_EDITOR, QUERY)
        _click(page, ".graphiql-execute-button")
        page.wait_for(f"document.querySelector({json.dumps(RESULT_PANE)}).innerText.includes('serviceCount')",
                      what="the result in the result pane", describe=seen)
        result = page.evaluate(f"document.querySelector({json.dumps(RESULT_PANE)}).innerText")
        page.screenshot(screenshot)
        _click(page, "[aria-label='Open settings dialog']")  # a dialog: GraphiQL adds a <style> of its own
        page.wait_for("!!document.querySelector('.graphiql-dialog')", what="the settings dialog", describe=seen)
        browser.pump(0.5)
        yield Visit(
            result=result,
            requests=[e["request"] for e in page.events("Network.requestWillBeSent")],
            violations=page.evaluate("window.__violations"),
            exceptions=[json.dumps(e["exceptionDetails"])[:500] for e in page.events("Runtime.exceptionThrown")],
            console=[e["entry"]["text"] for e in page.events("Log.entryAdded")],
            screenshot=screenshot,
        )


def test_graphiql_renders_runs_a_query_and_shows_its_result(visit: Visit, live: LiveServer) -> None:
    with live.client() as client:
        count = client.post("/graphql", json={"query": QUERY}).json()["data"]["serviceCount"]
    shown = re.sub(r"\s+", "", visit.result)
    assert f'"serviceCount":{count}' in shown, f"the result pane shows {visit.result!r} (see {visit.screenshot})"
    assert "errors" not in shown, visit.result


def test_graphiql_sends_the_key_typed_into_its_headers_editor(visit: Visit, staff_key: tuple[KeyStore, str]) -> None:
    queries = [r for r in visit.requests if r["method"] == "POST" and "serviceCount" in r.get("postData", "")]
    assert queries, f"no POST of the query among {[r['url'] for r in visit.requests]}"
    sent = {name.lower(): value for name, value in queries[-1]["headers"].items()}
    assert sent.get("authorization") == f"Bearer {staff_key[1]}", sent


def test_the_page_asks_nothing_of_any_host_but_the_apps_own_origin(visit: Visit, live: LiveServer) -> None:
    origin = urlsplit(live.url)
    requested = [urlsplit(r["url"]) for r in visit.requests]
    others = sorted({f"{u.scheme}://{u.netloc}" for u in requested if u.scheme not in ("data", "blob")}
                    - {f"{origin.scheme}://{origin.netloc}"})
    assert not others, f"the page asked other hosts: {others}"
    paths = {u.path for u in requested if u.netloc == origin.netloc}
    assert {"/graphql", "/graphql/static/graphiql.min.js", "/graphql/static/page.js"} <= paths, paths


def test_the_page_breaks_no_rule_of_its_policy_and_throws_no_error(visit: Visit) -> None:
    assert not visit.violations, (f"Content-Security-Policy violations: {visit.violations}; the console says "
                                  f"{visit.console}")
    assert not visit.exceptions, visit.exceptions
