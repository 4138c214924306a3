"""Opening hours written as text -> Schedule properties the opening-hours check reads."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.opening import is_open
from loaders.hours_text import read_hours

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
EVERY_DAY = (*WEEKDAYS, "SA", "SU")
ZONE = "America/New_York"


def slots(text: str) -> list[tuple[str, str, str]]:
    """(byday, opensAt, closesAt) of each slot, in the parser's order."""
    return [(s.properties()["byday"], s.opens, s.closes) for s in read_hours(text).slots]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the week of Monday 2 March 2026 (day 0 = Monday) in New York."""
    return datetime(2026, 3, 2 + day, hour, minute, tzinfo=ZoneInfo(ZONE))


@pytest.mark.parametrize(("text", "expected"), [
    ("Mon-Fri 9am-5pm", [("MO,TU,WE,TH,FR", "09:00", "17:00")]),
    ("M-F 8:30-4:30; Sat 10-2", [("MO,TU,WE,TH,FR", "08:30", "16:30"), ("SA", "10:00", "14:00")]),
    ("24 hours", [(",".join(EVERY_DAY), "00:00", "23:59")]),
    ("24/7", [(",".join(EVERY_DAY), "00:00", "23:59")]),
    ("Open 24 Hours (Residential Facility)", [(",".join(EVERY_DAY), "00:00", "23:59")]),
    ("Monday through Friday, 9:00 a.m. to 5:00 p.m.", [("MO,TU,WE,TH,FR", "09:00", "17:00")]),
    ("9:00 am - 5:00 pm, Monday - Friday", [("MO,TU,WE,TH,FR", "09:00", "17:00")]),
    ("MONDAY -FRIDAY 9:00 AM - 5:00 PM ONLINE APPLICATION ONLY", [("MO,TU,WE,TH,FR", "09:00", "17:00")]),
    ("9a-5p M-F", [("MO,TU,WE,TH,FR", "09:00", "17:00")]),
    ("MTWThF 9-5", [("MO,TU,WE,TH,FR", "09:00", "17:00")]),
    ("Tuesdays-Fridays 10:00-3:00", [("TU,WE,TH,FR", "10:00", "15:00")]),
    ("9:00 am - 5:00 pm, daily", [(",".join(EVERY_DAY), "09:00", "17:00")]),
    ("Weekdays 8am to 6pm, weekends 10-4", [("MO,TU,WE,TH,FR", "08:00", "18:00"), ("SA,SU", "10:00", "16:00")]),
    ("2:00 pm - 8:00 pm, Sunday - Friday", [("MO,TU,WE,TH,FR,SU", "14:00", "20:00")]),
])
def test_common_ways_of_writing_hours_become_weekly_slots(text: str, expected: list[tuple[str, str, str]]) -> None:
    hours = read_hours(text)
    assert slots(text) == expected
    assert hours.complete


def test_times_are_paired_with_the_days_before_or_after_them_as_the_text_runs() -> None:
    assert slots("Mon - Fri 3:30pm - 9:00pm; Sat 10:00am - 4:00pm (Closed Sun)") == [
        ("MO,TU,WE,TH,FR", "15:30", "21:00"), ("SA", "10:00", "16:00")]
    assert slots("9:00 am - 10:00 pm, Monday - Friday; 7:00 am - 7:00 pm, Saturday - Sunday") == [
        ("MO,TU,WE,TH,FR", "09:00", "22:00"), ("SA,SU", "07:00", "19:00")]
    assert slots("M, W, Th, F, S; 9:00am-5:00pm, T, 11:00am-7:00pm") == [
        ("MO,WE,TH,FR,SA", "09:00", "17:00"), ("TU", "11:00", "19:00")]
    # each part in its own order: "11am-8pm, Tues-Friday" then "Tues-Friday, 8am-4:30pm"
    assert slots("Adoption Hours: 11am-8pm, Tues-Friday; 11am-5pm, Sat-Sun; Medical Center Hours: "
                 "Tues-Friday, 8am-4:30pm; Sat 9am-1:30pm") == [
        ("TU,WE,TH,FR", "08:00", "16:30"), ("TU,WE,TH,FR", "11:00", "20:00"), ("SA", "09:00", "13:30"),
        ("SA,SU", "11:00", "17:00")]


def test_a_day_with_two_openings_and_days_with_equal_hours_merge_into_few_slots() -> None:
    text = ("Monday: 9 a.m.- 12 noon; 1 p.m.- 5 p.m Tuesday: 9 a.m.- 12 noon; 1 p.m.- 5 p.m "
            "Wednesday: 9 a.m.- 12 noon; 1 p.m.- 5 p.m")
    assert slots(text) == [("MO,TU,WE", "09:00", "12:00"), ("MO,TU,WE", "13:00", "17:00")]
    by_day = "Mon 9:00 am - 5:00 pm; Tue 9:00 am - 5:00 pm; Wed 9:00 am - 7:00 pm; Sun Close - Close;"
    assert slots(by_day) == [("MO,TU", "09:00", "17:00"), ("WE", "09:00", "19:00")]
    assert read_hours(by_day).complete


@pytest.mark.parametrize(("text", "expected"), [
    ("6-8pm Mon", ("18:00", "20:00")),  # one meridiem for both
    ("9-5 Mon", ("09:00", "17:00")),  # bare: morning to afternoon
    ("12:00 - 9:00 p.m. Mon", ("12:00", "21:00")),  # noon
    ("11:00 - 7:30 pm Mon", ("11:00", "19:30")),
    ("8:30 am - 11:30 Mon", ("08:30", "11:30")),
    ("5 pm - midnight Mon", ("17:00", "23:59")),  # until midnight
    ("13:00-17:30 Mon", ("13:00", "17:30")),  # 24-hour clock
    ("900am- 3:00pm Mon", ("09:00", "15:00")),
    ("8:00 am - 5 :00 pm Mon", ("08:00", "17:00")),
])
def test_missing_am_or_pm_is_read_the_way_people_mean_it(text: str, expected: tuple[str, str]) -> None:
    assert slots(text) == [("MO", *expected)]


def test_an_overnight_slot_closes_the_next_morning() -> None:
    hours = read_hours("7:00 pm - 7:00 am, Daily")
    assert slots("7:00 pm - 7:00 am, Daily") == [(",".join(EVERY_DAY), "19:00", "07:00")]
    schedules = hours.schedules()
    assert is_open(schedules, at(2, 2), ZONE) and not is_open(schedules, at(2, 12), ZONE)


def test_nth_weekdays_of_the_month_are_a_monthly_slot() -> None:
    hours = read_hours("10:00 am - Noon, 2nd and 4th Saturday of the month")
    assert [s.properties() for s in hours.slots] == [
        {"freq": "MONTHLY", "byday": "2SA,4SA", "opensAt": "10:00", "closesAt": "12:00"}]
    assert [s.properties()["byday"] for s in read_hours("last Friday of the month 6-9pm").slots] == ["-1FR"]
    schedules = hours.schedules()
    assert is_open(schedules, datetime(2026, 3, 14, 11, tzinfo=ZoneInfo(ZONE)), ZONE)  # the 2nd Saturday
    assert not is_open(schedules, datetime(2026, 3, 21, 11, tzinfo=ZoneInfo(ZONE)), ZONE)  # the 3rd


def test_a_named_time_zone_is_kept_as_its_utc_offset() -> None:
    assert read_hours("Mon-Fri 9-5 EST").timezone == -5
    assert read_hours("8:30 am - 5:30 pm, Monday - Friday, Central Standard Time").schedules()[0]["timezone"] == -6
    assert read_hours("Mon-Fri 9-5").timezone is None


@pytest.mark.parametrize("text", [
    "9:00 am - 5:00 pm, Monday - Friday (Summer)",  # a season the slots cannot bound
    "3:30 pm - 6:00 pm, Monday - Friday during school year",
    "June 27 – August 5, 9:00am – 4:00pm, Monday - Friday",
    "Every other Tuesday 6-8pm",
])
def test_hours_for_part_of_the_year_or_every_other_week_are_not_guessed(text: str) -> None:
    hours = read_hours(text)
    assert not hours.understood and not hours.complete
    assert hours.schedules() == [{"description": " ".join(text.split())}]


def test_what_the_slots_cannot_say_leaves_the_reading_incomplete_but_keeps_what_they_can() -> None:
    lunch = read_hours("8:30 am - 5:00 PM Monday - Friday; closed for lunch 12:00 pm - 1:00 pm")
    assert slots(lunch.text) == [("MO,TU,WE,TH,FR", "08:30", "17:00")] and not lunch.complete
    seasonal = read_hours("9:00 am - 1:00 pm, Saturdays; (April - October) 5:00 pm - 7:00 pm, Monday - Friday")
    assert slots(seasonal.text) == [("SA", "09:00", "13:00")] and not seasonal.complete
    no_days = read_hours("9:00 am - 5:00 pm, Monday - Friday; 10:00 am - 2:00 pm, Participant hours")
    assert slots(no_days.text) == [("MO,TU,WE,TH,FR", "09:00", "17:00")] and not no_days.complete
    closed_days = read_hours("9:30 am - 5:30 pm, Monday, Wednesday; Closed Sunday")
    assert closed_days.complete  # naming the closed day leaves nothing out


@pytest.mark.parametrize("text", ["Please inquire", "By appointment only", "9:00 am - 5:00 pm", "Evenings",
                                  "Open 7 days a week", "Mon; Tue; Wed; Thu; Fri; Sat; Sun;", "7-Sep"])
def test_text_without_both_days_and_times_is_kept_in_words_only(text: str) -> None:
    hours = read_hours(text)
    assert not hours.understood
    assert hours.schedules() == [{"description": text}]
    assert is_open(hours.schedules(), at(1, 10), ZONE) is False  # a schedule in words is never open


def test_each_schedule_keeps_the_original_text_as_its_description() -> None:
    text = "Mon - Fri  3:30pm - 9:00pm;  Sat 10:00am - 4:00pm"
    assert read_hours(text).schedules() == [
        {"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opensAt": "15:30", "closesAt": "21:00",
         "description": "Mon - Fri 3:30pm - 9:00pm; Sat 10:00am - 4:00pm"},
        {"freq": "WEEKLY", "byday": "SA", "opensAt": "10:00", "closesAt": "16:00",
         "description": "Mon - Fri 3:30pm - 9:00pm; Sat 10:00am - 4:00pm"},
    ]
    assert read_hours("   ").schedules() == []


def test_the_opening_check_reads_the_schedules_as_the_text_means() -> None:
    weekdays = read_hours("9:00 am - 5:00 pm, Monday - Friday; 10-2 Saturday").schedules()
    assert is_open(weekdays, at(1, 10), ZONE)  # Tuesday 10:00
    assert not is_open(weekdays, at(1, 17, 30), ZONE)
    assert is_open(weekdays, at(5, 13), ZONE) and not is_open(weekdays, at(5, 15), ZONE)
    assert not is_open(weekdays, at(6, 12), ZONE)  # Sunday
    always = read_hours("Open 24 hours").schedules()
    assert all(is_open(always, at(day, hour), ZONE) for day in range(7) for hour in (0, 3, 12, 23))


_PIECES = st.sampled_from([*"0123456789:-;,. ()/&", "am", "pm", "Mon", "Monday", "Sat", "T", "F", "M", "Th", "noon",
                           "24 hours", "24/7", " to ", "closed", "2nd", "EST", "daily", "Summer", "a.m.", "\u2013"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=25).map("".join))
def test_any_text_is_read_without_raising_into_schedules_the_check_accepts(text: str) -> None:
    hours = read_hours(text)
    for schedule in hours.schedules():
        assert set(schedule) <= {"freq", "byday", "opensAt", "closesAt", "timezone", "description"}
        if "opensAt" in schedule:
            assert len(schedule["opensAt"]) == 5 and len(schedule["closesAt"]) == 5 and schedule["byday"]
    assert is_open(hours.schedules(), at(2, 12), ZONE) in (True, False, None)
