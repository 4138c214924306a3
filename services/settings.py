"""The services' settings (prefix `SAFETYNET_`): the database's (graph/settings.py) and what the services add —
the API keys file, the HSDS ready-made documents, the planner's suppression threshold and cache warming."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field

from graph.settings import DatabaseSettings


class ServiceSettings(DatabaseSettings):
    keys_file: Path | None = Field(
        None, description="the API keys file (default: PATH/keys.json for embedded://PATH, else .safetynet/keys.json)"
    )
    hsds_snapshots: bool = Field(
        True, description="keep ready-made HSDS service documents per graph version (services/hsds/snapshots.py)"
    )
    hsds_snapshot_dir: Path | None = Field(
        None, description="where they are kept (default: PATH/hsds-snapshots for embedded://PATH, else "
        ".safetynet/hsds-snapshots)"
    )
    suppression_threshold: int = Field(
        5, ge=1, description="planner aggregates: counts from 1 to this − 1 are suppressed (1 shows every count)"
    )
    warm_planner_caches: bool = Field(
        True, description="keep the planner queries' derived agency network and areas built in the background"
    )


@lru_cache
def get_service_settings() -> ServiceSettings:
    """The process's service settings (cached: built once)."""
    return ServiceSettings()
