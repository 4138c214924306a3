"""GraphiQL served by the app itself, for browsers at /graphql: no CDN, works offline.

Strawberry's own page loads React, GraphiQL and the explorer plugin from unpkg; this one loads the same
files (the same versions, locked by web/graphiql's package-lock.json, installed with `npm ci`) and the page's
own script and styles (web/graphiql/page.js, page.css) from `/graphql/static/NAME`, a fixed list of files,
never the folder at large. The page runs under a Content-Security-Policy that allows scripts, styles and
fetches from its own origin only (and no inline script), and pins every file by Subresource Integrity.
Without the files, a browser gets a 503 page telling the operator what to install; the API is unaffected.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.concurrency import run_in_threadpool
from strawberry.fastapi import GraphQLRouter
from strawberry.schema import BaseSchema

from api.settings import ApiSettings

log = logging.getLogger(__name__)

PROJECT_GRAPHIQL_DIR = Path(__file__).resolve().parents[1] / "web" / "graphiql"
# GraphiQL's dialogs add one <style> of their own (react-remove-scroll-bar locking the page's scrolling, its gaps
# all 0px on this page, which never scrolls): allowed by its digest, which the browser test checks (a GraphiQL
# upgrade that changes it fails there, and the browser's console then names the new digest)
SCROLL_LOCK_STYLE = "'sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc='"
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'", "script-src 'self'", f"style-src 'self' {SCROLL_LOCK_STYLE}", "connect-src 'self'",
    "img-src 'self' data:", "font-src 'self' data:",  # GraphiQL's fonts and the favicon are data: URLs
    "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
))
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
PAGE_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache", **SECURITY_HEADERS}
# assets are requested with `?v=` their own digest (the page names it), so a browser may keep them for good
ASSET_HEADERS = {"Cache-Control": "public, max-age=31536000, immutable", **SECURITY_HEADERS}
FAVICON = ("data:image/svg+xml,<svg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 100 100%22>"
           "<text y=%22.9em%22 font-size=%2280%22>&#x1f353;</text></svg>")


@dataclass(frozen=True)
class Asset:
    name: str  # its URL's last segment
    path: str  # in the GraphiQL folder
    media_type: str


JS, CSS = "text/javascript; charset=utf-8", "text/css; charset=utf-8"
# in the order the page loads them (strawberry's page's order, then the page's own script)
ASSETS = (
    Asset("graphiql.min.css", "node_modules/graphiql/graphiql.min.css", CSS),
    Asset("plugin-explorer.css", "node_modules/@graphiql/plugin-explorer/dist/style.css", CSS),
    Asset("page.css", "page.css", CSS),
    Asset("react.production.min.js", "node_modules/react/umd/react.production.min.js", JS),
    Asset("react-dom.production.min.js", "node_modules/react-dom/umd/react-dom.production.min.js", JS),
    Asset("graphiql.min.js", "node_modules/graphiql/graphiql.min.js", JS),
    Asset("plugin-explorer.umd.js", "node_modules/@graphiql/plugin-explorer/dist/index.umd.js", JS),
    Asset("page.js", "page.js", JS),
)
ASSETS_BY_NAME = {asset.name: asset for asset in ASSETS}


def graphiql_dir(settings: ApiSettings) -> Path:
    """The folder GraphiQL's npm package is installed in: `SAFETYNET_GRAPHIQL_DIR`, else the project's."""
    return settings.graphiql_dir.expanduser().resolve() if settings.graphiql_dir else PROJECT_GRAPHIQL_DIR


def missing_assets(directory: Path) -> list[str]:
    """The assets' paths not found in `directory`."""
    return [asset.path for asset in ASSETS if not (directory / asset.path).is_file()]


def install_hint(directory: Path) -> str:
    """What the operator runs to install GraphiQL's files in `directory`."""
    if directory == PROJECT_GRAPHIQL_DIR:
        return "run `make setup` in the project (or `npm ci --prefix web/graphiql`)"
    return (f"run `npm ci --prefix {directory}` (the folder needs web/graphiql's package.json, package-lock.json, "
            "page.js and page.css), or set SAFETYNET_GRAPHIQL_DIR to a folder where that was done")


def page_html(static_url: str, digests: dict[str, str]) -> str:
    """The GraphiQL page, loading every asset from `static_url` pinned by its `digests` (SRI, by name)."""
    def url(asset: Asset) -> str:
        version = digests[asset.name][7:23].replace("+", "-").replace("/", "_")  # base64url of the digest's start
        return html.escape(f"{static_url}/{asset.name}?v={version}")

    styles = "\n".join(f'    <link rel="stylesheet" href="{url(a)}" integrity="{digests[a.name]}" />'
                       for a in ASSETS if a.media_type == CSS)
    scripts = "\n".join(f'    <script src="{url(a)}" integrity="{digests[a.name]}"></script>'
                        for a in ASSETS if a.media_type == JS)
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Safety Net Graph · GraphiQL</title>
    <link rel="icon" href="{FAVICON}" />
{styles}
  </head>
  <body>
    <div id="graphiql" class="graphiql-container">Loading...</div>
{scripts}
  </body>
</html>
"""


def missing_page(directory: Path, missing: list[str]) -> str:
    """The page a browser gets at /graphql when GraphiQL's files are not installed."""
    files = "".join(f"<li><code>{html.escape(str(directory / path))}</code></li>" for path in missing)
    hint = html.escape(install_hint(directory)).replace("`", "")
    return f"""<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>GraphiQL is not installed</title></head>
  <body>
    <h1>GraphiQL is not installed on this server</h1>
    <p>To use GraphiQL here, {hint}, then reload this page.</p>
    <p>These files are missing:</p>
    <ul>{files}</ul>
    <p>The GraphQL API itself works: POST queries to this URL.</p>
  </body>
</html>
"""


@lru_cache(maxsize=4)
def _sri_digests(directory: Path, stamps: tuple[tuple[int, int], ...]) -> dict[str, str]:
    """Each asset's SRI digest (`sha384-…`) by name; `stamps` (mtime, size) make a changed file count anew."""
    return {asset.name: "sha384-" + base64.b64encode(hashlib.sha384((directory / asset.path).read_bytes())
                                                     .digest()).decode("ascii") for asset in ASSETS}


def sri_digests(directory: Path) -> dict[str, str]:
    """Each asset's SRI digest by name (read once per version of the files); OSError when one is missing."""
    stats = [(directory / asset.path).stat() for asset in ASSETS]
    return _sri_digests(directory, tuple((s.st_mtime_ns, s.st_size) for s in stats))


class GraphQLRouterWithLocalGraphiQL(GraphQLRouter[Any, Any]):
    """Strawberry's GraphQLRouter at `path`, whose GraphiQL page and its files (`path`/static/NAME) come from
    the GraphiQL npm package installed in `graphiql_dir`. GraphQL over HTTP at `path` is strawberry's own."""

    def __init__(self, schema: BaseSchema, *, path: str, graphiql_dir: Path, **options: Any) -> None:
        super().__init__(schema, path=path, graphql_ide="graphiql", **options)
        self.graphiql_dir = graphiql_dir
        self.static_url = f"{path}/static"
        self.add_api_route(self.static_url + "/{name}", self.asset, methods=["GET"], include_in_schema=False)
        if missing := missing_assets(graphiql_dir):
            log.warning("GraphiQL is not installed (%s missing in %s): %s; the API works, browsers at %s get "
                        "this advice", ", ".join(missing), graphiql_dir, install_hint(graphiql_dir), path)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        try:
            digests = await run_in_threadpool(sri_digests, self.graphiql_dir)
        except OSError:
            return HTMLResponse(missing_page(self.graphiql_dir, missing_assets(self.graphiql_dir)),
                                status_code=503, headers=PAGE_HEADERS)
        return HTMLResponse(page_html(self.static_url, digests), headers=PAGE_HEADERS)

    def asset(self, name: str) -> FileResponse:
        """One of the page's files (404 for any other name, or when it is not installed)."""
        asset = ASSETS_BY_NAME.get(name)
        if asset is None:
            raise HTTPException(404, "no such GraphiQL file")
        if not (self.graphiql_dir / asset.path).is_file():
            raise HTTPException(404, f"GraphiQL is not installed: {install_hint(self.graphiql_dir)}")
        return FileResponse(self.graphiql_dir / asset.path, media_type=asset.media_type, headers=ASSET_HEADERS)
