"""The API's settings (prefix `SAFETYNET_`): the services' (services/settings.py) and what serving HTTP adds —
where to listen, the bundled GraphiQL and Swagger UI files, request and response limits, metrics labels.
`api.app.create_app(settings)` takes them and hands them to what needs them; nothing reads them at request time
from anywhere but the app."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field

from services.settings import ServiceSettings


class ApiSettings(ServiceSettings):
    host: str = "127.0.0.1"
    port: int = 8000
    graphiql_dir: Path | None = Field(
        None, description="where GraphiQL's npm package (web/graphiql) is installed with `npm ci`, for the page at "
        "/graphql (default: web/graphiql in the project)"
    )
    swagger_ui_dir: Path | None = Field(
        None, description="where Swagger UI's npm package (web/swagger-ui) is installed (`npm ci --ignore-scripts`), "
        "for the page at /docs (default: web/swagger-ui in the project)"
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="largest request body accepted, in bytes; a larger one is answered 413 "
        "before it is read"
    )
    header_timeout_s: float = Field(
        10.0, gt=0, description="a connection must send each request's line and headers within this many seconds "
        "(from when it opens, or from the first byte of a keep-alive connection's next request); else it is "
        "answered 408 and closed (api/serving.py)"
    )
    body_timeout_s: float = Field(
        30.0, gt=0, description="a request's body must arrive within this many seconds in all, and with no pause "
        "over 10 s (or this, if less) between its parts; else it is answered 408 and the connection closed "
        "(api/inputs.py)"
    )
    max_response_bytes: int = Field(
        10_485_760, ge=1024, description="largest GraphQL response sent, in bytes; a larger one is replaced by an "
        "error asking for fewer fields or smaller pages"
    )
    metrics_operations: list[str] = Field(
        default_factory=list, description="GraphQL operation names /metrics labels as they are (JSON list, e.g. "
        '["Search"]); any other name is labelled by a hash'
    )


@lru_cache
def get_api_settings() -> ApiSettings:
    """The process's API settings (cached: built once)."""
    return ApiSettings()
