"""Whether a service is open at an instant, from its HSDS 3.0 schedules (RFC 5545 rules, as HSDS uses them).

A schedule is a daily slot (`opensAt`–`closesAt`, local wall-clock time) on the days its rule
picks: WEEKLY `byday` weekdays, MONTHLY `byday` ("MO", "2TU", "-1FR") and/or `bymonthday` ("1",
"-1"), or DAILY; every `interval`-th week/month/day counted from `dtstart`; bounded by
`dtstart`, `until`, `count` and HSDS's `validFrom`/`validTo` (all dates, inclusive).

- A slot whose closing time is earlier than its opening runs into the next morning; it belongs to
  the day it opens on (that day's rule, validity and count decide it).
- Closing at 23:59 (or 24:00) means until midnight, so 00:00–23:59 every day is open around the
  clock; equal opening and closing times mean 24 hours from the opening time.
- `timezone` is a UTC offset in hours. When it (or an offset written on `opensAt`, which wins)
  is one of the deployment zone's two offsets, the times are that zone's wall clock — so a -5
  schedule in Toronto still opens at 09:00 local in July; any other offset is taken as fixed.
- A schedule that cannot be determined — no opening or closing time, no days to go by, an
  unreadable value, an interval without `dtstart`, a frequency other than WEEKLY/MONTHLY/DAILY —
  never counts as open. `byweekno`, `byyearday`, `description` and `notes` (holiday closures in
  words) are not read.
- At the ends of the calendar (year 1, year 9999) a day whose local date, the day before it or its
  week falls outside what Python's dates can hold never counts as open (nothing is raised).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo

DAY_SECONDS: Final = 86_400
_ONE_DAY: Final = timedelta(days=1)
_WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY: Final = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_FREQS: Final = frozenset({"WEEKLY", "MONTHLY", "DAILY"})
_FIELDS: Final = (
    "freq", "interval", "byday", "bymonthday", "opensAt", "closesAt", "validFrom", "validTo", "dtstart", "until",
    "count", "wkst", "timezone",
)
Key = tuple[Any, ...]


def is_open(schedules: Sequence[Mapping[str, Any]], at: datetime, default_zone: str = "America/Toronto") -> bool | None:
    """True if any schedule is open at `at`, False if none is, None when there are no schedules."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at must be timezone-aware, e.g. datetime(2026, 11, 26, 21, 30, tzinfo=ZoneInfo(...))")
    ZoneInfo(default_zone)  # an unknown zone name is the caller's error, whatever the schedules
    if not schedules:
        return None
    for schedule in schedules:
        rule = _rule(tuple(_hashable(schedule.get(name)) for name in _FIELDS))
        if rule is not None and rule.open_at(at, default_zone):
            return True
    return False


@dataclass(frozen=True)
class _Rule:
    opens: float  # seconds after the local midnight starting the day the slot opens
    closes: float  # > opens; beyond DAY_SECONDS when the slot runs into the next day
    offset: timedelta | None  # the schedule's UTC offset; None: the default zone
    freq: str
    interval: int
    days: tuple[tuple[int, int], ...]  # (n, weekday 0=Monday): n-th in the month, 0 = every such weekday
    monthdays: tuple[int, ...]  # MONTHLY only; negative counts from the month's end
    start: date | None  # dtstart
    first: date | None  # the latest of dtstart and validFrom
    last: date | None  # the earliest of until and validTo
    count: int | None
    wkst: int

    def open_at(self, at: datetime, default_zone: str) -> bool:
        try:
            local = at.astimezone(_zone(self.offset, default_zone, at.year))
        except OverflowError:
            return False  # its local time falls before year 1 or after 9999
        seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        # today's slot, or yesterday's running past midnight
        return any(
            self.opens <= seconds + back * DAY_SECONDS < self.closes and self._opens_on(local.date(), back)
            for back in (0, 1)
        )

    def _opens_on(self, day: date, back: int) -> bool:
        """Whether a slot opens `back` days before `day` (never when that, or reckoning it, leaves the calendar)."""
        try:
            return self.occurs_on(day - back * _ONE_DAY)
        except OverflowError:
            return False

    def occurs_on(self, day: date) -> bool:
        if (self.first and day < self.first) or (self.last and day > self.last) or not self._matches(day):
            return False
        return self.count is None or self.start is None or self._ordinal(day) <= self.count

    def _matches(self, day: date) -> bool:
        """Whether the rule's pattern picks the day (bounds and count aside)."""
        if not self._on_interval(day):
            return False
        if self.freq != "MONTHLY":
            return not self.days or day.weekday() in {weekday for _, weekday in self.days}
        last_day = calendar.monthrange(day.year, day.month)[1]
        if self.monthdays and not any(day.day == (n if n > 0 else last_day + 1 + n) for n in self.monthdays):
            return False
        return not self.days or any(_nth_weekday(day, n, weekday, last_day) for n, weekday in self.days)

    def _on_interval(self, day: date) -> bool:
        """Every `interval`-th day, week (weeks start on `wkst`) or month from dtstart's."""
        if self.interval == 1 or self.start is None:
            return True
        if self.freq == "MONTHLY":
            periods = (day.year - self.start.year) * 12 + day.month - self.start.month
        elif self.freq == "WEEKLY":
            periods = (_week_start(day, self.wkst) - _week_start(self.start, self.wkst)).days // 7
        else:
            periods = (day - self.start).days
        return periods % self.interval == 0

    def _ordinal(self, day: date) -> int:
        """The day's occurrence number counted from dtstart, stopping once past `count`."""
        assert self.start is not None and self.count is not None
        seen, current = 0, self.start
        while current <= day and seen <= self.count:
            seen += self._matches(current)
            current += _ONE_DAY
        return seen


def _nth_weekday(day: date, n: int, weekday: int, last_day: int) -> bool:
    if day.weekday() != weekday:
        return False
    if n > 0:
        return (day.day - 1) // 7 + 1 == n
    return n == 0 or (last_day - day.day) // 7 + 1 == -n


def _week_start(day: date, wkst: int) -> date:
    return day - timedelta(days=(day.weekday() - wkst) % 7)


@lru_cache(maxsize=128)
def _default_offsets(zone_name: str, year: int) -> frozenset[timedelta | None]:
    """The zone's standard and daylight UTC offsets that year (January and July)."""
    zone = ZoneInfo(zone_name)
    return frozenset(datetime(year, month, 1, 12, tzinfo=zone).utcoffset() for month in (1, 7))


def _zone(offset: timedelta | None, default_zone: str, year: int) -> tzinfo:
    if offset is None or offset in _default_offsets(default_zone, year):
        return ZoneInfo(default_zone)
    return timezone(offset)


def _hashable(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | date | time) else str(value)


@lru_cache(maxsize=4096)
def _rule(key: Key) -> _Rule | None:
    """The schedule's rule, or None when it cannot be determined (few distinct schedules repeat a lot)."""
    try:
        return _parse(dict(zip(_FIELDS, key, strict=True)))
    except (ValueError, TypeError, OverflowError):
        return None


def _parse(s: dict[str, Any]) -> _Rule:
    opens, opens_offset = _clock(s["opensAt"], closing=False)
    closes, _ = _clock(s["closesAt"], closing=True)
    if closes <= opens:
        closes += DAY_SECONDS
    freq = (_text(s["freq"]) or "WEEKLY").upper()
    if freq not in _FREQS:
        raise ValueError(f"frequency {freq} is not supported")
    interval = _whole(s["interval"]) or 1
    start = _date(s["dtstart"])
    if interval < 1 or (interval > 1 and start is None):
        raise ValueError("an interval needs dtstart to count from")
    days = _days(_text(s["byday"]) or "", monthly=freq == "MONTHLY")
    monthdays = _monthdays(_text(s["bymonthday"]) or "") if freq == "MONTHLY" else ()
    if not days and not monthdays and freq != "DAILY":  # RFC 5545: dtstart's weekday / day of month
        if start is None:
            raise ValueError("no days to go by")
        if freq == "WEEKLY":
            days = ((0, start.weekday()),)
        else:
            monthdays = (start.day,)
    count = _whole(s["count"])
    wkst = _text(s["wkst"])
    return _Rule(
        opens=opens, closes=closes, offset=opens_offset if opens_offset is not None else _offset(s["timezone"]),
        freq=freq, interval=interval, days=days, monthdays=monthdays, start=start,
        first=_latest(start, _date(s["validFrom"])), last=_earliest(_date(s["until"]), _date(s["validTo"])),
        count=count if count is not None and count >= 0 else None,
        wkst=_WEEKDAYS.index(wkst.upper()) if wkst else 0,
    )


def _text(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _clock(value: Any, *, closing: bool) -> tuple[float, timedelta | None]:
    """Seconds after midnight and the time's own UTC offset; closing at 23:59 or 24:00 means midnight."""
    text = _text(value)
    if text is None:
        raise ValueError("no time")
    if closing and text.startswith("24:00"):
        return DAY_SECONDS, None
    if len(text) > 1 and text[1] == ":":  # 9:00
        text = "0" + text
    t = time.fromisoformat(text)
    if closing and (t.hour, t.minute) == (23, 59):
        return DAY_SECONDS, t.utcoffset()
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6, t.utcoffset()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    return date.fromisoformat(text[:10]) if text else None


def _whole(value: Any) -> int | None:
    text = _text(value)
    if text is None:
        return None
    number = float(text)
    if not number.is_integer():
        raise ValueError(f"{text} is not a whole number")
    return int(number)


def _offset(value: Any) -> timedelta | None:
    text = _text(value)
    if text is None:
        return None
    hours = float(text)
    if not -24 < hours < 24:
        raise ValueError(f"UTC offset {text} is out of range")
    return timedelta(minutes=round(hours * 60))


def _days(text: str, *, monthly: bool) -> tuple[tuple[int, int], ...]:
    days = []
    for token in (t.strip().upper() for t in text.split(",") if t.strip()):
        match = _BYDAY.fullmatch(token)
        if not match:
            raise ValueError(f"{token} is not a day")
        n = int(match[1] or 0)
        if (n and not monthly) or not -5 <= n <= 5 or (match[1] and n == 0):
            raise ValueError(f"{token}: an n-th weekday needs MONTHLY and 1 ≤ |n| ≤ 5")
        days.append((n, _WEEKDAYS.index(match[2])))
    return tuple(days)


def _monthdays(text: str) -> tuple[int, ...]:
    days = tuple(int(t) for t in text.split(",") if t.strip())
    if any(not 1 <= abs(d) <= 31 for d in days):
        raise ValueError("a day of the month is 1..31 or -31..-1")
    return days


def _latest(a: date | None, b: date | None) -> date | None:
    return max(a, b) if a and b else a or b


def _earliest(a: date | None, b: date | None) -> date | None:
    return min(a, b) if a and b else a or b
