"""Roles of API callers. (API keys and their store: see the issue-3 work in progress.)"""

from __future__ import annotations

from enum import IntEnum


class Role(IntEnum):
    """What a caller may see; each role sees everything the roles below it see."""

    PUBLIC = 0  # no key: published information only
    STAFF = 1  # front-line staff: internal fields (intake phones, contact names), crisisResponders
    PLANNER = 2  # planning analytics
    ADMIN = 3
