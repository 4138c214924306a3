"""Who is asking: the roles of callers, each seeing everything the roles below it see."""

from __future__ import annotations

from enum import IntEnum


class Role(IntEnum):
    """What a caller may see; each role sees everything the roles below it see."""

    PUBLIC = 0  # no key: published information only
    STAFF = 1  # front-line staff: internal fields (intake phones, contact names), crisisResponders
    PLANNER = 2  # planning analytics
    ADMIN = 3

    @property
    def label(self) -> str:
        """The role as users write it: `staff`."""
        return self.name.lower()


KEY_ROLES = (Role.STAFF, Role.PLANNER, Role.ADMIN)
"""The roles a key can carry (no key at all means PUBLIC)."""
