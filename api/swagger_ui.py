"""Swagger UI at /docs, served by the app itself: FastAPI's default page loads it from a CDN.

The page is FastAPI's own (`get_swagger_ui_html`) with its files from `/docs/static/NAME`, a fixed list taken
from npm's swagger-ui-dist (the version locked by web/swagger-ui's package-lock.json, installed with
`npm ci --ignore-scripts`). It runs under a Content-Security-Policy that allows its own origin only, and of
inline script only FastAPI's few lines that start Swagger UI (allowed by their digest). Swagger UI's online
spec validator (a badge from validator.swagger.io) is switched off. Without the files, a browser gets a 503
page telling the operator what to install; the API and /openapi.json are unaffected.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from api.settings import ApiSettings

PROJECT_SWAGGER_UI_DIR = Path(__file__).resolve().parents[1] / "web" / "swagger-ui"
DOCS_PATH = "/docs"
STATIC = f"{DOCS_PATH}/static"
DIST = Path("node_modules/swagger-ui-dist")
FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
"""The page's files (name in swagger-ui-dist → media type): nothing else of the folder is served."""

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def swagger_ui_dir(settings: ApiSettings) -> Path:
    """The folder Swagger UI's npm package is installed in: `SAFETYNET_SWAGGER_UI_DIR`, else the project's."""
    return settings.swagger_ui_dir.expanduser().resolve() if settings.swagger_ui_dir else PROJECT_SWAGGER_UI_DIR


def missing_files(directory: Path) -> list[Path]:
    return [directory / DIST / name for name in FILES if not (directory / DIST / name).is_file()]


def page(openapi_url: str, title: str) -> tuple[str, str]:
    """The page's HTML and its Content-Security-Policy."""
    body = get_swagger_ui_html(
        openapi_url=openapi_url, title=f"{title} · API docs", swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
        swagger_css_url=f"{STATIC}/swagger-ui.css", swagger_favicon_url=f"{STATIC}/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None},
    ).body
    text = bytes(body).decode("utf-8")
    digests = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
                       for script in _INLINE_SCRIPT.findall(text))
    policy = "; ".join((
        "default-src 'none'", f"script-src 'self' {digests}", "style-src 'self'", "img-src 'self' data:",
        "font-src 'self' data:", "connect-src 'self'", "base-uri 'none'", "form-action 'self'",
        "frame-ancestors 'none'",
    ))
    return text, policy


def missing_page(directory: Path, missing: list[Path]) -> str:
    files = "".join(f"<li><code>{html.escape(str(path))}</code></li>" for path in missing)
    hint = ("run `make setup` in the project (or `npm ci --ignore-scripts --prefix web/swagger-ui`)"
            if directory == PROJECT_SWAGGER_UI_DIR else
            f"run `npm ci --ignore-scripts --prefix {directory}` (with web/swagger-ui's package.json and "
            "package-lock.json in it), or set SAFETYNET_SWAGGER_UI_DIR to a folder where that was done")
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\" /><title>Swagger UI is not installed"
            f"</title></head><body><h1>Swagger UI is not installed on this server</h1><p>To read the API's "
            f"documentation here, {html.escape(hint).replace('`', '')}, then reload this page.</p><p>These files are "
            f"missing:</p><ul>{files}</ul><p>The API works, and its OpenAPI document is at /openapi.json.</p>"
            "</body></html>\n")


def docs_router(directory: Path, *, openapi_url: str, title: str) -> APIRouter:
    """/docs and its files from the swagger-ui-dist package installed in `directory`."""
    router = APIRouter(include_in_schema=False)
    text, policy = page(openapi_url, title)
    headers = {"Content-Security-Policy": policy, "Referrer-Policy": "no-referrer"}

    @router.get(DOCS_PATH)
    def docs() -> HTMLResponse:
        if missing := missing_files(directory):
            return HTMLResponse(missing_page(directory, missing), status_code=503)
        return HTMLResponse(text, headers=headers)

    @router.get(STATIC + "/{name}")
    def asset(name: str) -> FileResponse:
        media_type = FILES.get(name)
        if media_type is None or not (directory / DIST / name).is_file():
            raise HTTPException(404, "no such Swagger UI file" if media_type is None else "Swagger UI is not installed")
        return FileResponse(directory / DIST / name, media_type=media_type)

    return router
