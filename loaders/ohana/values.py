"""Cell values of the Ohana format read into graph values: times, weekdays, dates, years,
coordinates, lists. Each reader returns None for a value it cannot read (the caller reports it)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Final

WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY_NAMES: Final = {
    name: code
    for code, full in zip(WEEKDAYS, ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
                          strict=True)
    for name in (full, full[:3], full[:2])
} | {"tues": "TU", "thur": "TH", "thurs": "TH", "weds": "WE"}
_CLOCK: Final = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?\s*(?:([ap])\.?\s*m?\.?)?$", re.IGNORECASE)
_DATE_FORMATS: Final = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y",
                        "%d %B %Y", "%d %b %Y")
_YEAR: Final = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
_LIST_SEPARATOR: Final = re.compile(r"\s*[,;]\s*")


def weekday(text: str) -> str | None:
    """`Monday`, `mon`, `MO` or Ohana's number (1 = Monday … 7 = Sunday) -> `MO`."""
    value = text.strip().lower().rstrip(".")
    if value.isdigit():
        n = int(value)
        return WEEKDAYS[n - 1] if 1 <= n <= 7 else None
    return _WEEKDAY_NAMES.get(value)


def clock(text: str) -> str | None:
    """`9am`, `4:00 PM`, `08:00`, `17:00:00`, `noon`, `midnight` -> `HH:MM` (24-hour)."""
    value = text.strip().lower()
    if value == "noon":
        return "12:00"
    if value == "midnight":
        return "00:00"
    match = _CLOCK.match(value)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(4) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    elif match.group(2) is None:
        return None  # a bare number is no time
    if hour == 24 and minute == 0:
        return "24:00"
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def calendar_date(text: str) -> str | None:
    """`2024-01-15`, `1/15/2024`, `January 15, 2024`, `15 Jan 2024` -> `2024-01-15`."""
    value = " ".join(text.split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None




def year(text: str, today: date | None = None) -> int | None:
    """The year of a date of incorporation (`1987`, `3/1/1987`, `March 1987`); None if there is
    none or it is in the future."""
    match = _YEAR.search(text)
    if match is None:
        return None
    found = int(match.group(1))
    return found if found <= (today or date.today()).year else None


def coordinate(text: str, limit: float) -> float | None:
    """A latitude (limit 90) or longitude (limit 180) in decimal degrees."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and -limit <= value <= limit else None


def items(text: str) -> list[str]:
    """The distinct entries of a comma- or semicolon-separated list, in order."""
    seen: dict[str, None] = {}
    for part in _LIST_SEPARATOR.split(text.strip()):
        if part:
            seen.setdefault(part, None)
    return list(seen)
