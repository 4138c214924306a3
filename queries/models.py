"""Typed rows the catalogue's read queries return."""

from __future__ import annotations

from pydantic import BaseModel


class ServiceSummary(BaseModel):
    id: str
    name: str
    organization_id: str | None = None
    organization_name: str | None = None


class GraphStats(BaseModel):
    labels: dict[str, int]
    relationships: dict[str, int]


class DatasetRecord(BaseModel):
    id: str
    format: str | None = None
    path: str | None = None
    loaded_at: str | None = None
    counts: str | None = None
    warnings: int | None = None
