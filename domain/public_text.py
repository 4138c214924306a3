"""A full-text match the public may be given: one its words find in text the public may read.

The full-text indexes hold every record's name and description, private ones too (staff search them).
Were a public search answered from them as they are, it would be an oracle for private text: a word
found only in a private description, or in the name of an agency kept off the public directory, would
still find the record. So, for anyone but staff, a match on a record whose name or description is
private is kept only if every word of the search is also in its public text, and a match on a record
that is staff-only as a whole is dropped. Records with private text are few, so the check costs
little; the words are compared the way the indexes compare them, closely enough: case-folded, with
common English endings taken off (the indexes stem too).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

from graph.schema.model import STAFF_ONLY_RECORD

SEARCHED: Final[tuple[str, ...]] = ("name", "description")  # what the full-text indexes hold (graph.schema.model)
_WORD: Final = re.compile(r"[^\W_]+")
_ENDINGS: Final[tuple[str, ...]] = ("ing", "es", "ed", "s")


def _stem(word: str) -> str:
    word = word.casefold()
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def public_match(words: Sequence[str], staff_only: object, texts: Iterable[Any] | None) -> bool:
    """Whether a full-text match on a record may be shown to the public: `staff_only` is the record's
    `staffOnly` list (None: nothing private), `texts` its name and description (needed only when one
    of them is private)."""
    if not isinstance(staff_only, list | tuple) or not staff_only:
        return True
    if STAFF_ONLY_RECORD in staff_only:
        return False
    private = set(staff_only) & set(SEARCHED)
    if not private:
        return True
    shown = " ".join(str(t) for field, t in zip(SEARCHED, texts or (), strict=False)
                     if t is not None and field not in private)
    stems = {_stem(w) for w in _WORD.findall(shown)}
    return all(_stem(w) in stems for w in words)
