"""Weekly (and a few monthly) opening patterns, and their plain-English descriptions.

Times are local (America/Toronto, written as UTC offset -5 in the `timezone` column) in HH:MM.
A slot whose `closes` is earlier than its `opens` runs past midnight into the next day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

WEEKDAYS: Final = "MO,TU,WE,TH,FR"
EVERY_DAY: Final = "MO,TU,WE,TH,FR,SA,SU"
_DAY_ORDER: Final[tuple[str, ...]] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES: Final[dict[str, str]] = {
    "MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday", "SA": "Saturday",
    "SU": "Sunday",
}
_ORDINALS: Final[dict[str, str]] = {"1": "First", "2": "Second", "3": "Third", "4": "Fourth", "-1": "Last"}
TWENTY_FOUR_SEVEN: Final = "Open 24 hours a day, 7 days a week (24/7)."


@dataclass(frozen=True)
class Slot:
    byday: str
    opens: str
    closes: str
    freq: str = "WEEKLY"
    interval: int = 1
    dtstart: str = ""
    valid_from: str = ""
    valid_to: str = ""
    notes: str = ""

    @property
    def always_open(self) -> bool:
        return self.byday == EVERY_DAY and self.opens == "00:00" and self.closes == "23:59"

    @property
    def overnight(self) -> bool:
        return self.closes < self.opens

    @property
    def shiftable(self) -> bool:
        """Whether the generator may nudge the times (only ordinary same-day slots)."""
        return not self.always_open and not self.overnight and self.freq == "WEEKLY"



SCHEDULE_KINDS: Final[dict[str, tuple[Slot, ...]]] = {
    "office": (Slot(WEEKDAYS, "09:00", "17:00"),),
    "office_830": (Slot(WEEKDAYS, "08:30", "16:30"),),
    "extended": (Slot("MO,TU,WE,TH", "09:00", "20:00"), Slot("FR", "09:00", "17:00")),
    "weekend": (Slot(WEEKDAYS, "10:00", "18:00"), Slot("SA,SU", "10:00", "16:00")),
    "evening": (Slot("TU,TH", "18:00", "21:00"),),
    "after_school": (Slot(WEEKDAYS, "15:00", "21:00"), Slot("SA", "12:00", "17:00")),
    "meals_lunch": (Slot(WEEKDAYS, "11:30", "13:30"),),
    "meals_dinner": (Slot(EVERY_DAY, "17:00", "18:30"),),
    "breakfast": (Slot(WEEKDAYS, "07:30", "09:00", valid_from="2026-09-02", valid_to="2027-06-25",
                       notes="School days only."),),
    "food_bank": (Slot("TU,TH", "10:00", "15:00"), Slot("WE", "16:00", "19:00")),
    "walk_in_clinic": (Slot("TU,TH", "12:00", "19:00"), Slot("SA", "10:00", "14:00")),
    "seniors_day": (Slot(WEEKDAYS, "09:30", "15:30"),),
    "overnight_intake": (
        Slot(EVERY_DAY, "20:00", "02:00", notes="Intake starts at 8 p.m.; beds are held until 2 a.m."),
    ),
    "overnight": (Slot(EVERY_DAY, "22:00", "07:00"),),
    "late_outreach": (Slot("TH,FR,SA", "19:00", "01:00"),),
    "co_response": (Slot(EVERY_DAY, "10:00", "02:00", notes="Outside these hours the mobile crisis team responds."),),
    "24_7": (Slot(EVERY_DAY, "00:00", "23:59"),),
    "winter": (
        Slot(EVERY_DAY, "19:00", "07:00", valid_from="2026-11-01", valid_to="2027-03-31",
             notes="Open every night from November 1 to March 31, and on extreme cold alert days."),
    ),
    "tax_season": (Slot("MO,WE,SA", "10:00", "16:00", valid_from="2026-02-16", valid_to="2026-04-30"),),
    "summer": (
        Slot("SA", "09:00", "12:00", valid_from="2026-05-01", valid_to="2026-10-31"),
        Slot("WE", "17:00", "20:00", valid_from="2026-05-01", valid_to="2026-10-31"),
    ),
    "monthly": (Slot("2TU", "18:00", "20:00", freq="MONTHLY"),),
    "biweekly": (Slot("WE", "13:00", "16:00", interval=2, dtstart="2026-01-07"),),
}


@lru_cache(maxsize=1024)
def shift(hhmm: str, minutes: int) -> str:
    h, m = divmod(int(hhmm[:2]) * 60 + int(hhmm[3:]) + minutes, 60)
    return f"{h:02d}:{m:02d}"


def _clock(hhmm: str) -> str:
    h, m = int(hhmm[:2]), int(hhmm[3:])
    if (h, m) == (0, 0):
        return "midnight"
    if (h, m) == (12, 0):
        return "noon"
    suffix = "a.m." if h < 12 else "p.m."
    h12 = h % 12 or 12
    return f"{h12} {suffix}" if m == 0 else f"{h12}:{m:02d} {suffix}"


def _days(byday: str) -> str:
    days = byday.split(",")
    if byday == EVERY_DAY:
        return "Every day"
    idx = [_DAY_ORDER.index(d) for d in days]
    if len(idx) >= 3 and idx == list(range(idx[0], idx[0] + len(idx))):
        return f"{_DAY_NAMES[days[0]]} to {_DAY_NAMES[days[-1]]}"
    names = [_DAY_NAMES[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d:%B} {d.day}, {d.year}"


@lru_cache(maxsize=1024)
def describe(slot: Slot, opens: str, closes: str) -> str:
    """A plain-English sentence, e.g. "Monday to Friday, 9 a.m. to 5 p.m."."""
    if slot.always_open:
        return TWENTY_FOUR_SEVEN
    if slot.freq == "MONTHLY":
        ordinal, day = slot.byday[:-2], slot.byday[-2:]
        days = f"{_ORDINALS.get(ordinal, ordinal)} {_DAY_NAMES[day]} of every month"
    elif slot.interval == 2:
        days = f"Every second {_DAY_NAMES[slot.byday]}"
    else:
        days = _days(slot.byday)
    text = f"{days}, {_clock(opens)} to {_clock(closes)}"
    if closes < opens:
        text += " (overnight, closing the next morning)"
    if slot.valid_from and slot.valid_to:
        text += f", from {_date(slot.valid_from)} to {_date(slot.valid_to)}"
    return text if text.endswith(".") else text + "."
