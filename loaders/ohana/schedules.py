"""regular_schedules.csv and holiday_schedules.csv -> Schedule (Service|Location -HAS_SCHEDULE->).

A regular schedule is a weekly slot (`freq` WEEKLY, `byday`, `opensAt`, `closesAt`), the shape the
opening-hours check reads. A holiday schedule is bounded by `validFrom`/`validTo`: its own hours
every day of the holiday, or, when closed, no slot at all and the description "Closed" (the
opening-hours check does not subtract closures). Unreadable days, times or dates are a warning and
that schedule is left out.
"""

from __future__ import annotations

from typing import Any

from loaders.ohana.build import Build, owners
from loaders.ohana.files import CsvFile, Row
from loaders.ohana.ids import Known
from loaders.ohana.values import calendar_date, clock, weekday
from loaders.toolkit.yes_no import yes_no

_OWNERS = ("service_id", "location_id")
_TIME_HINT = "a time of day (09:00, 9am, 4:30 PM)"
_DATE_HINT = "a date (2024-12-25, 12/25/2024, December 25, 2024)"


def read_regular_schedules(table: CsvFile, build: Build) -> None:
    seen = Known("regular schedule")
    for row in table.rows:
        schedule = build.register(seen, "regular_schedule", table, row)
        if schedule is None:
            continue
        day = weekday(row.get("weekday") or "")
        if day is None:
            _skip(table, row, build, "weekday", "a weekday (Monday, Mon or 1 = Monday … 7 = Sunday)")
            continue
        hours = _hours(table, row, build)
        if hours is not None:
            _add(table, row, build, seen, schedule, {"freq": "WEEKLY", "byday": day, **hours})


def read_holiday_schedules(table: CsvFile, build: Build) -> None:
    seen = Known("holiday schedule")
    for row in table.rows:
        schedule = build.register(seen, "holiday_schedule", table, row)
        if schedule is None:
            continue
        dates = {}
        for column, prop in (("start_date", "validFrom"), ("end_date", "validTo")):
            dates[prop] = calendar_date(row.get(column) or "")
            if dates[prop] is None:
                _skip(table, row, build, column, _DATE_HINT)
                break
        else:
            if str(dates["validTo"]) < str(dates["validFrom"]):
                build.report.warning(table.name, row.number, "end_date", "before start_date; schedule skipped")
                continue
            closed = _closed(table, row, build)
            if closed is None:
                continue
            if closed:
                _add(table, row, build, seen, schedule, {**dates, "description": "Closed"})
            elif (hours := _hours(table, row, build)) is not None:
                _add(table, row, build, seen, schedule,
                     {**dates, "freq": "DAILY", **hours, "description": "Holiday hours"})


def _closed(table: CsvFile, row: Row, build: Build) -> bool | None:
    """The `closed` flag; when absent, closed unless hours are given."""
    text = row.get("closed")
    if text is None:
        return row.get("opens_at") is None and row.get("closes_at") is None
    closed = yes_no(text)
    if closed is None:
        _skip(table, row, build, "closed", "true or false")
    return closed


def _hours(table: CsvFile, row: Row, build: Build) -> dict[str, str] | None:
    out = {}
    for column, prop in (("opens_at", "opensAt"), ("closes_at", "closesAt")):
        value = clock(row.get(column) or "")
        if value is None:
            _skip(table, row, build, column, _TIME_HINT)
            return None
        out[prop] = value
    return out


def _skip(table: CsvFile, row: Row, build: Build, column: str, expected: str) -> None:
    text = row.get(column)
    found = "missing" if text is None else f"{text!r} is not {expected}"
    build.report.warning(table.name, row.number, column, f"{found}; schedule skipped")


def _add(table: CsvFile, row: Row, build: Build, seen: Known, schedule: str, props: dict[str, Any]) -> None:
    belongs = owners(build, table, row, _OWNERS, "schedule")
    if belongs:
        build.add(seen, "Schedule", row, schedule, props)
        for label, owner in belongs:
            build.plan.add_relationship((label, "HAS_SCHEDULE", "Schedule"), owner, schedule)
