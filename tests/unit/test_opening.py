"""Opening hours from HSDS 3.0 schedules: `domain.opening.is_open`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from demo.schedules import SCHEDULE_KINDS, Slot
from domain.opening import is_open

TORONTO = ZoneInfo("America/Toronto")
WEEKDAYS = "MO,TU,WE,TH,FR"
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"


def schedule(**fields: Any) -> dict[str, Any]:
    """A schedule as the loader stores it (camelCase), by default weekdays 09:00–17:00 at UTC-5."""
    return {"freq": "WEEKLY", "interval": 1, "byday": WEEKDAYS, "opensAt": "09:00", "closesAt": "17:00",
            "timezone": -5} | fields


def toronto(day: str, clock: str) -> datetime:
    """An instant given as Toronto wall-clock time, e.g. toronto("2026-11-23", "09:00")."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TORONTO)


def open_at(s: dict[str, Any], day: str, clock: str) -> bool | None:
    return is_open([s], toronto(day, clock))


# ---------------------------------------------------------------- the answer's shape

def test_no_schedules_means_unknown() -> None:
    assert is_open([], toronto("2026-11-23", "12:00")) is None


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open([schedule()], datetime(2026, 11, 23, 12, 0))


def test_a_naive_instant_is_refused_even_without_schedules() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open([], datetime(2026, 11, 23, 12, 0))


def test_any_open_schedule_makes_the_service_open() -> None:
    closed_now = schedule(byday="SA,SU")
    open_now = schedule(byday="MO")
    at = toronto("2026-11-23", "10:00")  # a Monday
    assert is_open([closed_now], at) is False
    assert is_open([closed_now, open_now], at) is True
    assert is_open([open_now, closed_now], at) is True


# ---------------------------------------------------------------- weekly slots and times

def test_weekly_slot_opens_inclusive_and_closes_exclusive() -> None:
    s = schedule()
    assert open_at(s, "2026-11-23", "08:59:59") is False  # Monday
    assert open_at(s, "2026-11-23", "09:00") is True
    assert open_at(s, "2026-11-23", "16:59:59") is True
    assert open_at(s, "2026-11-23", "17:00") is False


def test_weekly_slot_is_closed_on_days_not_listed() -> None:
    s = schedule()
    assert open_at(s, "2026-11-27", "12:00") is True  # Friday
    assert open_at(s, "2026-11-28", "12:00") is False  # Saturday
    assert open_at(s, "2026-11-29", "12:00") is False  # Sunday


def test_times_with_seconds_are_read() -> None:
    s = schedule(opensAt="10:00:00", closesAt="18:00:30")
    assert open_at(s, "2026-11-23", "09:59:59") is False
    assert open_at(s, "2026-11-23", "10:00") is True
    assert open_at(s, "2026-11-23", "18:00:15") is True
    assert open_at(s, "2026-11-23", "18:00:30") is False


def test_byday_is_read_case_insensitively_and_with_spaces() -> None:
    assert open_at(schedule(byday=" mo , we"), "2026-11-23", "10:00") is True
    assert open_at(schedule(byday=" mo , we"), "2026-11-24", "10:00") is False


def test_missing_frequency_means_weekly() -> None:
    s = schedule()
    del s["freq"], s["interval"]
    assert open_at(s, "2026-11-23", "10:00") is True
    assert open_at(s, "2026-11-28", "10:00") is False


def test_values_stored_as_text_are_read_like_numbers() -> None:
    s = schedule(interval="2", timezone="-5", dtstart="2026-01-07", byday="WE")
    assert open_at(s, "2026-01-21", "10:00") is True
    assert open_at(s, "2026-01-14", "10:00") is False


# ---------------------------------------------------------------- past midnight and around the clock

def test_overnight_slot_is_open_late_evening_and_early_next_morning_but_not_at_noon() -> None:
    s = schedule(byday=EVERY_DAY, opensAt="20:00", closesAt="02:00")
    assert open_at(s, "2026-11-23", "23:30") is True
    assert open_at(s, "2026-11-24", "01:30") is True
    assert open_at(s, "2026-11-24", "12:00") is False
    assert open_at(s, "2026-11-24", "02:00") is False
    assert open_at(s, "2026-11-24", "19:59") is False


def test_overnight_slot_belongs_to_the_day_it_opens() -> None:
    s = schedule(byday="TH,FR,SA", opensAt="19:00", closesAt="01:00")
    assert open_at(s, "2026-11-29", "00:30") is True  # Sunday morning: Saturday's slot
    assert open_at(s, "2026-11-30", "00:30") is False  # Monday morning: Sunday has no slot
    assert open_at(s, "2026-11-26", "00:30") is False  # Thursday morning: Wednesday has no slot


def test_overnight_slot_wraps_from_sunday_into_monday() -> None:
    s = schedule(byday="SU", opensAt="22:00", closesAt="07:00")
    assert open_at(s, "2026-11-29", "22:30") is True  # Sunday
    assert open_at(s, "2026-11-30", "06:59") is True  # Monday
    assert open_at(s, "2026-11-30", "07:00") is False
    assert open_at(s, "2026-11-29", "06:30") is False  # Sunday morning: Saturday has no slot
    assert open_at(s, "2026-11-30", "22:30") is False  # Monday evening


def test_around_the_clock_schedule_is_open_in_the_last_minute_of_the_day() -> None:
    s = schedule(byday=EVERY_DAY, opensAt="00:00", closesAt="23:59")
    assert open_at(s, "2026-11-29", "23:59:30") is True
    assert open_at(s, "2026-11-29", "23:59:59.999999") is True
    assert open_at(s, "2026-11-30", "00:00") is True
    assert open_at(s, "2026-07-15", "03:17") is True


def test_closing_at_24_00_means_midnight() -> None:
    s = schedule(opensAt="18:00", closesAt="24:00")
    assert open_at(s, "2026-11-23", "23:59:59") is True
    assert open_at(s, "2026-11-24", "00:00:01") is False  # not Tuesday's slot


def test_equal_opening_and_closing_times_mean_twenty_four_hours() -> None:
    s = schedule(byday="MO", opensAt="08:00", closesAt="08:00")
    assert open_at(s, "2026-11-23", "07:59") is False
    assert open_at(s, "2026-11-23", "08:00") is True
    assert open_at(s, "2026-11-24", "07:59") is True
    assert open_at(s, "2026-11-24", "08:00") is False


# ---------------------------------------------------------------- time zones

def test_minus_five_means_toronto_wall_clock_in_summer_too() -> None:
    s = schedule()
    # 2026-07-15 is a Wednesday; Toronto is at UTC-4 (daylight time)
    assert is_open([s], datetime(2026, 7, 15, 13, 0, tzinfo=UTC)) is True  # 09:00 in Toronto
    assert is_open([s], datetime(2026, 7, 15, 12, 59, tzinfo=UTC)) is False  # 08:59
    assert is_open([s], datetime(2026, 7, 15, 21, 30, tzinfo=UTC)) is False  # 17:30 (16:30 at a fixed -5)


def test_minus_five_is_toronto_standard_time_in_winter() -> None:
    s = schedule()
    assert is_open([s], datetime(2026, 1, 14, 14, 0, tzinfo=UTC)) is True  # 09:00 EST
    assert is_open([s], datetime(2026, 1, 14, 13, 30, tzinfo=UTC)) is False


def test_the_daylight_offset_also_means_the_default_zone() -> None:
    s = schedule(timezone=-4)
    assert is_open([s], datetime(2026, 1, 14, 14, 0, tzinfo=UTC)) is True  # 09:00 in Toronto
    assert is_open([s], datetime(2026, 1, 14, 13, 30, tzinfo=UTC)) is False  # 09:30 at a fixed -4


def test_a_foreign_offset_is_a_fixed_offset() -> None:
    s = schedule(timezone=1)  # Central European Time, read as a fixed UTC+1 all year
    assert is_open([s], datetime(2026, 7, 15, 8, 30, tzinfo=UTC)) is True  # 09:30 at +1
    assert is_open([s], datetime(2026, 7, 15, 7, 30, tzinfo=UTC)) is False  # 08:30 at +1 (09:30 in Paris)
    assert is_open([s], datetime(2026, 7, 15, 16, 30, tzinfo=UTC)) is False  # 17:30 at +1


def test_a_fractional_offset_is_read_in_minutes() -> None:
    s = schedule(timezone=5.5)  # India
    assert is_open([s], datetime(2026, 7, 15, 3, 30, tzinfo=UTC)) is True  # 09:00 at +5:30
    assert is_open([s], datetime(2026, 7, 15, 3, 29, tzinfo=UTC)) is False


def test_no_timezone_means_the_default_zone() -> None:
    s = schedule()
    del s["timezone"]
    at = datetime(2026, 7, 15, 13, 30, tzinfo=UTC)  # 09:30 in Toronto, 06:30 in Vancouver
    assert is_open([s], at) is True
    assert is_open([s], at, "America/Vancouver") is False
    assert is_open([s], datetime(2026, 7, 15, 16, 30, tzinfo=UTC), "America/Vancouver") is True


def test_the_default_zone_decides_which_offsets_are_local() -> None:
    s = schedule(timezone=-8)
    at = datetime(2026, 7, 15, 16, 30, tzinfo=UTC)  # 09:30 in Vancouver (UTC-7 in July), 08:30 at a fixed -8
    assert is_open([s], at, "America/Vancouver") is True
    assert is_open([s], at) is False


def test_an_offset_written_on_the_time_wins_over_the_timezone_field() -> None:
    s = schedule(opensAt="14:00Z", closesAt="22:00Z")
    assert is_open([s], datetime(2026, 1, 14, 14, 30, tzinfo=UTC)) is True  # 09:30 in Toronto
    assert is_open([s], datetime(2026, 1, 14, 13, 30, tzinfo=UTC)) is False


def test_the_instant_may_be_given_in_any_zone() -> None:
    s = schedule()
    at = datetime(2026, 11, 23, 15, 30, tzinfo=ZoneInfo("Europe/Paris"))  # 09:30 in Toronto
    assert is_open([s], at) is True


def test_an_unknown_default_zone_is_an_error() -> None:
    with pytest.raises(Exception, match="Nowhere/Special"):
        is_open([schedule()], toronto("2026-11-23", "10:00"), "Nowhere/Special")


# ---------------------------------------------------------------- validity and bounds

def test_valid_from_and_valid_to_are_inclusive_dates() -> None:
    s = schedule(byday=EVERY_DAY, validFrom="2026-05-01", validTo="2026-10-31")
    assert open_at(s, "2026-04-30", "10:00") is False
    assert open_at(s, "2026-05-01", "10:00") is True
    assert open_at(s, "2026-10-31", "16:59") is True
    assert open_at(s, "2026-11-01", "10:00") is False


def test_an_overnight_slot_on_the_last_valid_day_runs_into_the_next_morning() -> None:
    s = schedule(byday=EVERY_DAY, opensAt="19:00", closesAt="07:00", validFrom="2026-11-01", validTo="2027-03-31")
    assert open_at(s, "2027-04-01", "06:00") is True  # the night of March 31
    assert open_at(s, "2027-04-01", "20:00") is False
    assert open_at(s, "2026-11-01", "06:00") is False  # the night of October 31 is not in season
    assert open_at(s, "2026-11-01", "19:00") is True


def test_dates_may_be_date_objects() -> None:
    s = schedule(byday=EVERY_DAY, validFrom=date(2026, 5, 1), validTo=date(2026, 10, 31))
    assert open_at(s, "2026-05-01", "10:00") is True
    assert open_at(s, "2026-04-30", "10:00") is False


def test_until_is_an_inclusive_last_day_even_written_as_a_date_time() -> None:
    s = schedule(until="2026-11-25T00:00:00")
    assert open_at(s, "2026-11-25", "16:00") is True  # Wednesday
    assert open_at(s, "2026-11-26", "10:00") is False


def test_nothing_happens_before_dtstart() -> None:
    s = schedule(byday="TU", dtstart="2026-11-10")
    assert open_at(s, "2026-11-03", "10:00") is False
    assert open_at(s, "2026-11-10", "10:00") is True


def test_the_later_start_and_the_earlier_end_bound_the_schedule() -> None:
    late_valid = schedule(dtstart="2026-11-02", validFrom="2026-11-09", until="2026-11-27", validTo="2026-11-30")
    assert open_at(late_valid, "2026-11-06", "10:00") is False  # after dtstart, before validFrom
    assert open_at(late_valid, "2026-11-09", "10:00") is True
    assert open_at(late_valid, "2026-11-30", "10:00") is False  # before validTo, after until
    early_valid = schedule(dtstart="2026-11-09", validFrom="2026-11-02", until="2026-11-30", validTo="2026-11-27")
    assert open_at(early_valid, "2026-11-06", "10:00") is False  # after validFrom, before dtstart
    assert open_at(early_valid, "2026-11-27", "10:00") is True
    assert open_at(early_valid, "2026-11-30", "10:00") is False  # before until, after validTo


def test_count_limits_the_number_of_occurrences_from_dtstart() -> None:
    s = schedule(byday="TU", dtstart="2026-11-03", count=2)
    assert open_at(s, "2026-11-03", "10:00") is True
    assert open_at(s, "2026-11-10", "10:00") is True
    assert open_at(s, "2026-11-17", "10:00") is False


# ---------------------------------------------------------------- monthly and every other week

def test_monthly_nth_weekday() -> None:
    s = schedule(freq="MONTHLY", byday="2TU", opensAt="18:00", closesAt="20:00")
    assert open_at(s, "2026-11-10", "19:00") is True  # second Tuesday of November
    assert open_at(s, "2026-11-03", "19:00") is False
    assert open_at(s, "2026-11-17", "19:00") is False
    assert open_at(s, "2026-12-08", "19:00") is True


def test_monthly_last_weekday_counts_from_the_end() -> None:
    s = schedule(freq="MONTHLY", byday="-1FR,1MO")
    assert open_at(s, "2026-11-27", "10:00") is True  # last Friday
    assert open_at(s, "2026-11-20", "10:00") is False
    assert open_at(s, "2026-11-02", "10:00") is True  # first Monday
    assert open_at(s, "2026-11-09", "10:00") is False


def test_monthly_plain_weekday_means_every_such_weekday() -> None:
    s = schedule(freq="MONTHLY", byday="TU")
    assert open_at(s, "2026-11-03", "10:00") is True
    assert open_at(s, "2026-11-24", "10:00") is True
    assert open_at(s, "2026-11-25", "10:00") is False


def test_monthly_by_month_day_including_the_last_day() -> None:
    s = schedule(freq="MONTHLY", byday=None, bymonthday="15,-1")
    assert open_at(s, "2026-11-15", "10:00") is True
    assert open_at(s, "2026-11-30", "10:00") is True
    assert open_at(s, "2026-11-29", "10:00") is False
    assert open_at(s, "2027-02-28", "10:00") is True


def test_monthly_by_month_day_and_weekday_must_both_match() -> None:
    s = schedule(freq="MONTHLY", byday="MO", bymonthday="1,2,3,4,5,6,7")  # the first Monday
    assert open_at(s, "2026-11-02", "10:00") is True
    assert open_at(s, "2026-11-03", "10:00") is False
    assert open_at(s, "2026-11-09", "10:00") is False


def test_every_other_month_counts_from_dtstart() -> None:
    s = schedule(freq="MONTHLY", interval=2, dtstart="2026-01-01", byday="1MO")
    assert open_at(s, "2026-11-02", "10:00") is True  # November is 10 months on
    assert open_at(s, "2026-12-07", "10:00") is False


def test_every_other_week_counts_from_dtstart() -> None:
    s = schedule(byday="WE", interval=2, dtstart="2026-01-07", opensAt="13:00", closesAt="16:00")
    assert open_at(s, "2026-01-07", "14:00") is True
    assert open_at(s, "2026-01-14", "14:00") is False
    assert open_at(s, "2026-01-21", "14:00") is True
    assert open_at(s, "2026-11-25", "14:00") is True  # 46 weeks on
    assert open_at(s, "2025-12-24", "14:00") is False  # in step, but before dtstart


def test_every_other_week_uses_the_week_start() -> None:
    # dtstart Sunday 2026-11-01; Monday-start weeks put Monday 11-02 in the next week, Sunday-start weeks do not
    monday_weeks = schedule(byday="MO,SU", interval=2, dtstart="2026-11-01")
    sunday_weeks = monday_weeks | {"wkst": "SU"}
    assert open_at(monday_weeks, "2026-11-02", "10:00") is False
    assert open_at(sunday_weeks, "2026-11-02", "10:00") is True


def test_daily_frequency_with_an_interval() -> None:
    s = schedule(freq="DAILY", byday=None, interval=3, dtstart="2026-11-01")
    assert open_at(s, "2026-11-04", "10:00") is True
    assert open_at(s, "2026-11-05", "10:00") is False


def test_weekly_without_days_falls_on_dtstart_weekday() -> None:
    s = schedule(byday=None, dtstart="2026-11-03")
    assert open_at(s, "2026-11-10", "10:00") is True  # Tuesday
    assert open_at(s, "2026-11-11", "10:00") is False


# ---------------------------------------------------------------- what cannot be determined

@pytest.mark.parametrize("fields", [
    {"opensAt": None, "closesAt": None},
    {"opensAt": None},
    {"closesAt": ""},
    {"byday": None},  # weekly, no days and no dtstart
    {"interval": 2},  # no dtstart to count from
    {"freq": "YEARLY"},
    {"byday": "2MO"},  # an n-th weekday needs MONTHLY
    {"byday": "MON"},
    {"opensAt": "9 a.m."},
    {"timezone": 30},
    {"validFrom": "May 1"},
], ids=lambda f: repr(f))
def test_a_schedule_that_cannot_be_determined_never_counts_as_open(fields: dict[str, Any]) -> None:
    assert open_at(schedule(**fields), "2026-11-23", "10:00") is False  # a Monday in the usual hours


def test_an_undeterminable_schedule_does_not_hide_an_open_one() -> None:
    at = toronto("2026-11-23", "10:00")
    assert is_open([schedule(opensAt=None, closesAt=None), schedule()], at) is True


# ---------------------------------------------------------------- every form the demo generator writes

def _stored(slot: Slot) -> dict[str, Any]:
    """The slot as the demo's schedules.csv row ends up on a Schedule node."""
    fields = {"freq": slot.freq, "interval": slot.interval, "byday": slot.byday, "opensAt": slot.opens,
              "closesAt": slot.closes, "timezone": -5, "wkst": "MO", "validFrom": slot.valid_from,
              "validTo": slot.valid_to, "dtstart": slot.dtstart}
    return {k: v for k, v in fields.items() if v != ""}


@pytest.mark.parametrize("kind", sorted(SCHEDULE_KINDS))
def test_every_demo_schedule_kind_opens_on_some_day_at_its_opening_time(kind: str) -> None:
    for slot in SCHEDULE_KINDS[kind]:
        first = date.fromisoformat(slot.valid_from or slot.dtstart or "2026-11-01")
        days = [first + timedelta(days=n) for n in range(62)]
        opened = [d for d in days if open_at(_stored(slot), d.isoformat(), slot.opens)]
        assert opened, f"{kind} {slot} never opens"


# ---------------------------------------------------------------- the ends of the calendar

EDGE_INSTANTS = ["0001-01-01T00:00:00-12:00", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00+00:00",
                 "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59+14:00"]
EDGE_SCHEDULES = [
    schedule(byday=EVERY_DAY, timezone=None),  # the default zone's wall clock
    schedule(byday=EVERY_DAY, opensAt="22:00", closesAt="06:00"),  # overnight: the day before is asked about
    schedule(freq="DAILY", interval=2, dtstart="0001-01-01", wkst="SU", opensAt="00:00", closesAt="23:59"),
    schedule(freq="WEEKLY", interval=2, dtstart="0001-01-01", wkst="SU", byday=EVERY_DAY),  # week start: year 0
    schedule(freq="DAILY", count=3, dtstart="9999-12-29", opensAt="00:00", closesAt="23:59", timezone=14),
    schedule(byday=EVERY_DAY, timezone=-12),
]


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
def test_an_instant_at_either_end_of_the_calendar_is_answered_without_an_overflow(instant: str) -> None:
    at = datetime.fromisoformat(instant)
    for s in EDGE_SCHEDULES:
        assert is_open([s], at) in (True, False), s


def test_a_schedule_open_around_the_clock_is_open_on_the_calendars_first_day_where_it_can_be_reckoned() -> None:
    at = datetime.fromisoformat("0001-01-01T12:00:00-12:00")
    assert is_open([schedule(byday=EVERY_DAY, opensAt="00:00", closesAt="23:59", timezone=-12)], at) is True
