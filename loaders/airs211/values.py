"""Single values of a 211 export read into graph values; each returns None when the text is no
such value, so the caller can warn and leave it out."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Final

_DATE_US: Final = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$")
_DATE_ISO: Final = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_EMAIL: Final = re.compile(r"^[^@\s;,<>()]+@[^@\s;,<>()]+\.[A-Za-z]{2,}$")
_DOMAIN: Final = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?[^\s/*@]+\.[a-z]{2,}(?:[/?#]\S*)?$", re.IGNORECASE)
_EXTENSION: Final = re.compile(r"\s*(?:,|;)?\s*(?:ext\.?|extension|x)\s*(\d{1,6})\s*$", re.IGNORECASE)


def _parts(text: str) -> tuple[date, tuple[int, int, int] | None] | None:
    """The date and the time of day (if written) of `M/D/YY[YY] [H:MM[:SS] [AM]]` or ISO 8601."""
    value = text.strip()
    if match := _DATE_US.match(value):
        month, day, year = int(match[1]), int(match[2]), int(match[3])
        if len(match[3]) == 2:
            year += 2000 if year < 69 else 1900  # as strptime's %y reads it
        clock = None
        if match[4]:
            hour = int(match[4])
            if match[7]:
                if not 1 <= hour <= 12:
                    return None
                hour = hour % 12 + (12 if match[7].lower() == "pm" else 0)
            clock = (hour, int(match[5]), int(match[6] or 0))
    elif match := _DATE_ISO.match(value):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        clock = (int(match[4]), int(match[5]), int(match[6] or 0)) if match[4] else None
    else:
        return None
    try:
        when = date(year, month, day)
        if clock is not None:
            datetime(year, month, day, *clock)
    except ValueError:
        return None
    return when, clock


def iso_date(text: str) -> str | None:
    """`12/6/11 0:00` or `2011-12-06` -> `2011-12-06`."""
    parts = _parts(text)
    return parts[0].isoformat() if parts else None


def iso_datetime(text: str) -> str | None:
    """`8/17/11 10:11` -> `2011-08-17T10:11:00`; a bare date stays a date."""
    parts = _parts(text)
    if parts is None:
        return None
    day, clock = parts
    if clock is None:
        return day.isoformat()
    return datetime(day.year, day.month, day.day, *clock).isoformat()


def coordinate(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None  # NaN and inf are no place


def year(text: str) -> int | None:
    value = text.strip()
    return int(value) if re.fullmatch(r"1[6-9]\d\d|2\d\d\d", value) else None


def emails(text: str) -> list[str]:
    """The e-mail addresses in a value (exports put several in one cell: "a@x.org; b@y.org")."""
    return [part for part in re.split(r"[\s;,]+", text.strip()) if _EMAIL.match(part)]


def web_addresses(text: str) -> list[str]:
    """The web addresses in a value, each with a scheme (`www.x.org` -> `http://www.x.org`):
    several may share a cell, and "http:// www.x.org" has a stray space."""
    value = re.sub(r"(?i)\b(https?://)\s+", r"\1", text.strip())
    out = []
    for part in re.split(r"[\s,;]+", value):
        part = part.rstrip(".")
        if _DOMAIN.match(part) and not part.startswith("*"):
            scheme = re.match(r"(?i)^([a-z][a-z0-9+.-]*)://", part)
            out.append(f"{scheme[1].lower()}{part[len(scheme[1]):]}" if scheme else f"http://{part}")
    return out


def phone_number(text: str) -> tuple[str, str | None]:
    """(number, extension): `202 745-7118 ext 260` -> (`202 745-7118`, `260`)."""
    value = " ".join(text.split())
    match = _EXTENSION.search(value)
    if match and match.start() > 0:
        return value[:match.start()].rstrip(" ,;"), match[1]
    return value, None


def single_line(text: str) -> str:
    return " ".join(text.split())
