"""AIRS/211 taxonomy codes: the shared vocabulary of 211 exports and Ohana's iCarol maps.

A code's structure is its place in the tree: `B` ⊃ `BD` ⊃ `BD-1800` ⊃ `BD-1800.2000` ⊃
`BD-1800.2000-250` ⊃ `BD-1800.2000-250.10`, so the BROADER chain comes from the code alone,
even where the export names only the leaf. Term ids are the same in every dataset
(`airs:BD-1800.2000`), so a need picked once finds services from every 211 source.
"""

from __future__ import annotations

import re
from typing import Final

AIRS_TAXONOMY_ID: Final[str] = "airs"
AIRS_TAXONOMY_NAME: Final[str] = "AIRS/211 Taxonomy"

# Level 1 `B`, 2 `BD`, 3 `-1800`, 4 `.2000`, 5 `-250`, 6 `.10`
_CODE = re.compile(r"^[A-Z]([A-Z](-\d{4}(\.\d{4}(-\d{3}(\.\d{2,3})?)?)?)?)?$")
_LINK_SEPARATOR = re.compile(r"\s*\*\s*")


def normalise_code(text: str) -> str | None:
    """`bd-1800.2000 ` → `BD-1800.2000`; None when the text is not an AIRS code."""
    code = text.strip().upper()
    return code if _CODE.match(code) else None


def split_linked(text: str) -> list[str]:
    """The codes in one entry of a code list: AIRS links a service term with a target term
    (`PH-0300.0350 * YF-5000`), and exports repeat codes; each distinct code, in order."""
    seen: dict[str, None] = {}
    for part in _LINK_SEPARATOR.split(text.strip()):
        if part:
            seen.setdefault(part, None)
    return list(seen)


def broader(code: str) -> str | None:
    """The code one level up (`BD-1800.2000` → `BD-1800`), None for a top-level letter."""
    if len(code) == 1:
        return None
    if len(code) == 2:
        return code[0]
    cut = max(code.rfind("-"), code.rfind("."))
    return code[:cut]


def chain(code: str) -> list[str]:
    """The code and every code above it, nearest first: `BD-1800` → [`BD-1800`, `BD`, `B`]."""
    out = [code]
    while (up := broader(out[-1])) is not None:
        out.append(up)
    return out


def term_id(code: str) -> str:
    """The graph id of an AIRS term, the same in every dataset."""
    return f"{AIRS_TAXONOMY_ID}:{code}"
