"""Yes/no words as sources write them (English and French: Canadian exports say "oui"/"non")."""

from __future__ import annotations

from typing import Final

YES: Final = frozenset({"yes", "y", "true", "t", "1", "oui"})
NO: Final = frozenset({"no", "n", "false", "f", "0", "non"})


def yes_no(text: str) -> bool | None:
    """True or False for a yes/no word (any case, spaces ignored); None for anything else."""
    value = text.strip().lower()
    return True if value in YES else False if value in NO else None
