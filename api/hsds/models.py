"""The HSDS REST API's response models, for its OpenAPI document (the routes answer ready-made JSON)."""

from __future__ import annotations

from typing import Any, Final, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_BASE: Final[str] = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
NDJSON: Final[str] = "application/x-ndjson"


class HsdsObject(BaseModel):
    """An HSDS 3.0 object: `id` and the fields HSDS defines for it (any other field is HSDS's)."""

    model_config = ConfigDict(extra="allow")
    id: str


class Service(HsdsObject):
    __doc__ = f"An HSDS service ({SCHEMA_BASE}service.json): flat in a list, fully nested by id or with full=true."


class Organization(HsdsObject):
    __doc__ = f"An HSDS organization ({SCHEMA_BASE}organization.json)."


class Taxonomy(HsdsObject):
    __doc__ = f"An HSDS taxonomy ({SCHEMA_BASE}taxonomy.json)."


class TaxonomyTerm(HsdsObject):
    __doc__ = f"An HSDS taxonomy term ({SCHEMA_BASE}taxonomy_term.json), with its taxonomy_detail."


class ServiceAtLocation(HsdsObject):
    __doc__ = (f"An HSDS service at location ({SCHEMA_BASE}service_at_location.json) with its location and "
               "service nested.")


Item = TypeVar("Item", bound=HsdsObject)


class Page(BaseModel, Generic[Item]):
    """The HSDS Page wrapper around one page of a list."""

    total_items: int = Field(description="How many records match, on every page.")
    total_pages: int = Field(description="How many pages of this size they fill (0 when none match).")
    page_number: int = Field(description="This page's number (from 1).")
    size: int = Field(description="How many records this page holds.")
    first_page: bool = Field(description="Whether this is page 1.")
    last_page: bool = Field(description="Whether no page follows this one.")
    empty: bool = Field(description="Whether this page holds no records.")
    contents: list[Item]


class ApiInfo(BaseModel):
    version: str = Field(description="HSDS version of this API.")
    profile: str = Field(description="URL of the HSDS profile of this API (the base specification: no profile).")
    openapi_url: str = Field(description="URL of the OpenAPI document of this API.")


class ErrorBody(BaseModel):
    detail: str = Field(description="What went wrong, and what to do about it.")


def list_responses(model: Any) -> dict[int | str, dict[str, Any]]:
    """The documented answers of a list route."""
    return {
        200: {"model": model, "content": {NDJSON: {"schema": {
            "type": "string", "description": "format=ndjson: every result, one JSON object a line"}}}},
        401: {"model": ErrorBody, "description": "The API key is malformed, unknown or revoked."},
    }


def one_responses(kind: str) -> dict[int | str, dict[str, Any]]:
    """The documented answers of a by-id route."""
    return {404: {"model": ErrorBody, "description": f"No {kind} with this id (that the caller may see)."},
            401: {"model": ErrorBody, "description": "The API key is malformed, unknown or revoked."}}
