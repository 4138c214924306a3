"""A 211 export's `CoverageArea` text -> the names of the areas a service covers.

The names become ServiceArea nodes, matched later to loaded planning areas by name
(loaders.area_matching), so a list is split into its places: "District of Columbia, Maryland,
Virginia" is three areas, "Wards 6, 7, 8" is Ward 6, Ward 7 and Ward 8. Text that is not a plain
list stays whole, as written: a place qualified by its state ("Washington, DC", "Montgomery
County, Maryland"), a sentence ("Reside between 7th St, NW; …"), a list with a bare number in it
("Wards 1, 3, 4 and parts of 2 and 5"). A parenthetical note is dropped ("District of Columbia
(Ward 5 has priority)" covers the District of Columbia).
"""

from __future__ import annotations

import re
from typing import Final

_STATES: Final = frozenset({
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware", "florida",
    "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky", "louisiana", "maine",
    "maryland", "massachusetts", "michigan", "minnesota", "mississippi", "missouri", "montana", "nebraska",
    "nevada", "new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota", "ohio",
    "oklahoma", "oregon", "pennsylvania", "rhode island", "south carolina", "south dakota", "tennessee", "texas",
    "utah", "vermont", "virginia", "washington", "west virginia", "wisconsin", "wyoming", "district of columbia",
    "puerto rico", "guam",
    "al", "ak", "az", "ar", "ca", "co", "ct", "de", "fl", "ga", "hi", "id", "il", "in", "ia", "ks", "ky", "la", "me",
    "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh", "nj", "nm", "ny", "nc", "nd", "oh", "ok", "or", "pa",
    "ri", "sc", "sd", "tn", "tx", "ut", "vt", "va", "wa", "wv", "wi", "wy", "dc", "pr",
})
_WARD_LIST: Final = re.compile(r"(?i)^(?:only\s+)?wards?\s+(\d{1,2}(?:\s*(?:,|&|and)\s*\d{1,2})*)$")
_WARDS: Final = re.compile(r"(?i)\bwards\s+(\d{1,2}(?:\s*(?:,|&|and)\s*\d{1,2})+)\b")
_SPLIT: Final = re.compile(r"(?i)\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+")
_NOTE: Final = re.compile(r"\s*\([^()]*[A-Za-z][^()]*(?:\)|$)")  # "(Ward 5 has priority)", not "(202)"
_MAX_WORDS: Final = 5  # a piece longer than this is a phrase, not a place name
_CONNECTORS: Final = frozenset({"of", "the", "de", "del", "la", "du", "des", "y"})


def area_names(text: str) -> list[str]:
    """The area names in a coverage text, in order, each once (compared case-blind)."""
    whole = _tidy(_NOTE.sub(" ", text))
    wards = _WARDS.sub(lambda m: ", ".join(f"Ward {int(n)}" for n in re.findall(r"\d+", m[1])), text)
    names: list[str] = []
    for part in wards.split(";"):
        found = _part_names(_tidy(_NOTE.sub(" ", part)))
        if found is None:
            return [whole] if whole else []
        names += found
    out: dict[str, str] = {}
    for name in names:
        out.setdefault(name.casefold(), name)
    return list(out.values())


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" .,:;-\u201c\u201d\"'")


def _part_names(text: str) -> list[str] | None:
    """The names in one ";"-part of a list, or None when the part is a phrase (the whole text
    then stays one name)."""
    if not text:
        return []
    wards = _WARD_LIST.match(text)
    if wards:
        return [f"Ward {int(n)}" for n in re.findall(r"\d+", wards[1])]
    pieces = [_tidy(p) for p in _SPLIT.split(text)]
    if not all(_name_like(p) for p in pieces):
        return None
    if len(pieces) == 1 or _qualified(pieces):
        return [text]
    out: list[str] = []
    for piece in pieces:
        wards = _WARD_LIST.match(piece)
        out += [f"Ward {int(n)}" for n in re.findall(r"\d+", wards[1])] if wards else [piece]
    return out


def _name_like(piece: str) -> bool:
    """A short name: capitalised words ("Mt. Pleasant", "West of the River", "20009"), not a phrase
    ("Shaw areas", "6 between New York Avenue") nor a bare small number ("parts of 2")."""
    words = piece.split()
    return (0 < len(words) <= _MAX_WORDS and not re.fullmatch(r"\d{1,3}", piece)
            and (piece[0].isupper() or piece[0].isdigit())
            and all(w[0].isupper() or not w[0].isalpha() or w in _CONNECTORS for w in words))


def _qualified(pieces: list[str]) -> bool:
    """"Washington, DC", "Montgomery County, Maryland", "Washington, DC Metro Area": a place and
    the state it is in, not two places (unless the first is a state itself: "DC, Maryland")."""
    first = pieces[0].casefold()
    if len(pieces) != 2 or (first in _STATES and first != "washington"):
        return False
    head = pieces[1].casefold()
    return any(head == state or head.startswith(state + " ") for state in _STATES)
