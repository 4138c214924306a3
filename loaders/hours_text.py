"""Opening hours written as text ("Mon-Fri 9am-5pm", "9:00 am - 5:00 pm, Monday - Friday; Open 24
hours") -> Schedule properties the opening-hours check reads (domain.opening): WEEKLY (or
MONTHLY for "2nd and 4th Saturday") `byday`, `opensAt`/`closesAt` as `HH:MM`.

Directories write hours every way people do, so the text is read as a sequence of day
expressions and time ranges, and each time range is paired with the days beside it: after them
when the text starts with days ("Mon - Fri 3:30pm - 9:00pm; Sat 10am - 4pm"), before them when it
starts with a time ("9:00 am - 5:00 pm, Monday - Friday"). "24 hours" and "24/7" alone mean every
day around the clock (00:00-23:59, which the check reads as open all day).

What the slots cannot say is left out rather than guessed, and the reading is marked incomplete:
seasons and dates ("(Summer)", "September - June", "school year"), "every other week", closures
within the hours ("closed for lunch 12-1"), times in parenthetical notes, times with no days
("9:00 am - 5:00 pm"). A text with no slot at all is not understood: the caller keeps it as a
schedule in words (description only), which the check never counts as open. Missing am/pm is
inferred the way people read it: "8:30-4:30" is 08:30-16:30, "6-8pm" 18:00-20:00.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ALL_WEEK: Final = frozenset(range(7))
AROUND_THE_CLOCK: Final = ("00:00", "23:59")

# --- vocabulary -------------------------------------------------------------------------------------

_DAY_WORDS: Final = (  # per weekday, longest spelling first; matched case-insensitively
    ("mondays", "monday", "mon"),
    ("tuesdays", "tuesday", "tues", "tue"),
    ("wednesdays", "wednesday", "wednsday", "wendsday", "wednes", "weds", "wed"),
    ("thursdays", "thursday", "thurs", "thur", "thu"),
    ("fridays", "friday", "fri"),
    ("saturdays", "saturday", "sat"),
    ("sundays", "sunday", "sun"),
)
_WORD_DAY: Final = {word: day for day, words in enumerate(_DAY_WORDS) for word in words}
_WORD: Final = "|".join(sorted(_WORD_DAY, key=len, reverse=True))
# Letters and two-letter forms, case-sensitive so that "we", "sat" as a verb and such stay words:
# "M-F", "MWF", "TTh", "MTWRF", "Sa", "Su".
_LETTERS: Final = r"(?:Mo|Fr|Th|Tu|Sa|Su|M|T|W|R|F|S)+"
_DAY: Final = rf"(?:(?i:(?<![a-z])(?:{_WORD})(?![a-z]))\.?|(?<![A-Za-z]){_LETTERS}(?![A-Za-z]))"
_DAY_RANGE_SEP: Final = r"\s*(?:-+|(?i:to|through|thru|till|until)\b)\s*"
_DAY_ITEM: Final = rf"{_DAY}(?:{_DAY_RANGE_SEP}{_DAY})?"
_DAY_LIST_SEP: Final = r"(?:\s*(?:,|&|\+|/|(?i:and|or)\b)\s*)+|\s+"
_DAY_LIST: Final = rf"{_DAY_ITEM}(?:(?:{_DAY_LIST_SEP}){_DAY_ITEM})*"
_DAY_PHRASES: Final = (  # phrase -> weekdays
    (r"weekdays?|business days", frozenset(range(5))),
    (r"week-?ends?", frozenset({5, 6})),
    (r"daily|every\s*day(?:\s+of\s+the\s+week)?|each day|nightly|every night|all week"
     r"|(?:7|seven)\s+days(?:\s+(?:a|per|of the)\s+week)?", ALL_WEEK),
)
_ORDINALS: Final = {"1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3, "4th": 4, "fourth": 4,
                    "5th": 5, "fifth": 5, "last": -1}
_ORDINAL: Final = "|".join(_ORDINALS)
_MONTHLY: Final = (rf"(?i:(?:{_ORDINAL})(?:\s*(?:,|&|and)\s*(?:{_ORDINAL}))*)\s+{_DAY}"
                   r"(?i:\s+(?:of\s+)?(?:the|each|every)\s+month)?")

_ALL_DAY: Final = (r"(?i:24\s*/\s*7|24\s*[-/]?\s*(?:hours?|hrs?)(?:\s*(?:a|per)\s*day)?"
                   r"(?:\s*[,/]?\s*(?:7|seven)\s*days(?:\s*(?:a|per)\s*week)?)?|around the clock)")


def _time(n: str) -> str:
    """One clock reading, its groups suffixed with `n`: `9`, `9:30`, `9:30:00`, `6:pm`, `900am`."""
    return (rf"(?<![\d:])(?:(?P<h{n}>\d{{1,2}})(?:\s?:\s?(?P<m{n}>\d{{2}})(?::\d{{2}})?|:)?"
            rf"|(?P<ch{n}>\d{{1,2}})(?P<cm{n}>\d{{2}})(?=\s?[ap]m))(?!\d)(?:\s?(?P<ap{n}>[ap]m)(?![a-z]))?")


_RANGE_SEP: Final = r"\s*(?:-+|(?i:to|until|till|thru|through)\b)\s*"
# "9:00 am 5:00 pm": a range without a dash only when both ends say am or pm
_RANGE: Final = rf"{_time('1')}(?:{_RANGE_SEP}|(?(ap1)\s+(?=\d[\d:]*\s?[ap]m)|(?!))){_time('2')}"
_ZONES: Final = (  # standard-time UTC offsets (hours)
    (r"e[sd]?t|eastern(?:\s+(?:standard|daylight))?\s+time", -5),
    (r"c[sd]t|central(?:\s+(?:standard|daylight))?\s+time", -6),
    (r"m[sd]t|mountain(?:\s+(?:standard|daylight))?\s+time", -7),
    (r"p[sd]t|pacific(?:\s+(?:standard|daylight))?\s+time", -8),
)
_ZONE: Final = "|".join(rf"(?P<zone{i}>{pattern})" for i, (pattern, _) in enumerate(_ZONES))
_PHRASE: Final = "|".join(rf"(?P<phrase{i}>{pattern})" for i, (pattern, _) in enumerate(_DAY_PHRASES))

_TOKEN: Final = re.compile(
    rf"(?P<zone>(?i:(?<![a-z])(?:{_ZONE})(?![a-z])))"
    rf"|(?P<allday>{_ALL_DAY})"
    rf"|(?P<range>{_RANGE})"
    rf"|(?P<monthly>{_MONTHLY})"
    rf"|(?P<phrase>(?i:(?<![a-z])(?:{_PHRASE})(?![a-z])))"
    rf"|(?P<days>{_DAY_LIST})"
    rf"|(?P<single>{_time('0')})"
)
_DAY_IN_LIST: Final = re.compile(_DAY)
_RANGE_BETWEEN: Final = re.compile(rf"^{_DAY_RANGE_SEP}$")
_LETTER: Final = re.compile(r"Mo|Fr|Th|Tu|Sa|Su|M|T|W|R|F|S")
_LETTER_DAY: Final = {"Mo": 0, "M": 0, "Tu": 1, "W": 2, "Th": 3, "R": 3, "Fr": 4, "F": 4, "Sa": 5, "Su": 6}

# Words that make a part of the text about a season, dates or a rhythm the slots cannot hold.
_SEASON: Final = re.compile(
    r"(?i:\b(?:january|february|march|april|june|july|august|september|october|november|december"
    r"|jan|feb|apr|jun|jul|aug|sept?|oct|nov|dec)\b\.?"
    r"|\bmay\b(?=\s*(?:\d|-|through|to\b))|(?<=-)\s*may\b"
    r"|\b(?:summer|winter|spring|fall|autumn|semesters?|academic year|seasonal|season)\b"
    r"|\bschool\s+(?:year|days?|hours|session)\b|\bduring\s+(?:the\s+)?school\b"
    r"|\bevery\s+(?:other|two|2)\b|\balternat\w*\b|\bbi-?weekly\b|\bquarterly\b"
    r"|\b(?!24/7\b)\d{1,2}/\d{1,2}\b)"
)
_EXCEPTION: Final = re.compile(r"(?i)\b(?:closed?|except|excluding|not open)\b")
_CLOSED_DAYS: Final = re.compile(rf"(?:{_DAY_LIST})\s*[:,-]?\s*$")
_ONLY_CLOSED: Final = re.compile(r"(?i)[\s.,:-]*(?:closed?[\s.,:-]*)*")
_PARENTHETICAL: Final = re.compile(r"\(([^()]*)(?:\)|$)")
_SEGMENT: Final = re.compile(r"[;\n]")


@dataclass(frozen=True)
class Slot:
    """Open from `opens` to `closes` (HH:MM; a close before the open runs past midnight) on `days`:
    weekdays ("MO") for a weekly slot, n-th weekdays of the month ("2SA", "-1FR") for a monthly one."""

    days: tuple[str, ...]
    opens: str
    closes: str
    monthly: bool = False

    def properties(self) -> dict[str, Any]:
        return {"freq": "MONTHLY" if self.monthly else "WEEKLY", "byday": ",".join(self.days),
                "opensAt": self.opens, "closesAt": self.closes}


@dataclass(frozen=True)
class HoursText:
    """What an hours text says: its slots, and whether every part of it was read into them."""

    text: str
    slots: tuple[Slot, ...]
    complete: bool
    timezone: int | None = None  # a UTC offset the text names ("EST": -5)

    @property
    def understood(self) -> bool:
        return bool(self.slots)

    def schedules(self) -> list[dict[str, Any]]:
        """Schedule properties, one per slot, each keeping the text as its description; a text
        with no slot is one schedule in words."""
        if not self.slots:
            return [{"description": self.text}] if self.text else []
        zone = {"timezone": self.timezone} if self.timezone is not None else {}
        return [{**slot.properties(), **zone, "description": self.text} for slot in self.slots]


# --- tokens -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Days:
    weekly: frozenset[int]
    monthly: tuple[str, ...] = ()  # "2SA"


@dataclass(frozen=True)
class _Times:
    ranges: tuple[tuple[str, str], ...]
    all_day: bool = False  # "24 hours": every day unless days are named beside it


_Token = _Days | _Times


@lru_cache(maxsize=4096)
def read_hours(text: str) -> HoursText:
    """Read an hours text (see the module's note). Never raises: what cannot be read is left out.
    Directories repeat a few texts thousands of times, so readings are cached."""
    original = " ".join(text.split())
    if not original:
        return HoursText("", (), True)
    work, noted = _drop_parentheticals(_normalise(original))
    complete = not noted
    timezone: int | None = None
    parts: list[list[_Token] | None] = []  # the tokens of each part between ";", None for a skipped part
    for segment in _SEGMENT.split(work):
        if _SEASON.search(segment):
            complete = False
            parts.append(None)
            continue
        cut = _EXCEPTION.search(segment)
        if cut:
            if any(_is_time(m) for m in _TOKEN.finditer(segment, cut.start())):
                complete = False  # a closure within the hours: the slots cannot subtract it
            before = segment[:cut.start()]
            if cut[0].lower().startswith("close") and _ONLY_CLOSED.fullmatch(segment[cut.end():]):
                before = _CLOSED_DAYS.sub("", before)  # "Sunday: Closed" names a day it is not open
            segment = before
        tokens: list[_Token] = []
        for match in _TOKEN.finditer(segment):
            kind = match.lastgroup
            if kind == "zone":
                timezone = _zone(match)
            elif kind == "single":
                complete = complete and not _is_time(match)
            elif (token := _token(match)) is not None:
                tokens.append(token)
            else:
                complete = False
        parts.append(tokens)
    pairs, leftovers = _best_pairing(parts)
    slots = _slots(pairs)
    return HoursText(original, slots, complete and not leftovers and bool(slots), timezone if slots else None)


def _best_pairing(parts: list[list[_Token] | None]) -> tuple[list[tuple[_Days, _Times]], int]:
    """Pair within each part (each with its own order: "11am-8pm, Tue-Fri; Medical: Tue-Fri,
    8am-4:30pm"), unless reading the whole text in one order leaves fewer days or times unpaired
    ("M, W, Th, F, S; 9:00am-5:00pm, T, 11:00am-7:00pm")."""
    local: list[tuple[_Days, _Times]] = []
    local_left = 0
    for tokens in parts:
        if tokens:
            pairs, left = _pair(_runs(tokens, across_parts=False))
            local += pairs
            local_left += left
    items: list[_Token | str] = []
    for part in parts:
        items += [*part, "soft"] if part is not None else ["hard"]
    whole, whole_left = _pair(_runs(items, across_parts=True))
    return (local, local_left) if local_left <= whole_left else (whole, whole_left)


def _is_time(match: re.Match[str]) -> bool:
    """Whether a token is a time: a range, "24 hours", or a single reading with minutes or am/pm
    ("7:00 pm", not the "2" of "Ward 2")."""
    if match.lastgroup == "single":
        return bool(match["m0"] or match["cm0"] or match["ap0"])
    return match.lastgroup in ("range", "allday")


def _normalise(text: str) -> str:
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"(?i)\b12\s*noon\b|\bnoon\b", "12:00 pm", text)
    text = re.sub(r"(?i)\b12\s*midnight\b|\bmidnight\b", "12:00 am", text)
    text = re.sub(r"(\d:?)\s*([aApP])(?:\.\s?)?[mM]\.?(?![a-z])", lambda m: f"{m[1]} {m[2].lower()}m ", text)
    text = re.sub(r"(\d)\s?([ap])(?=[\s,;-]|$)", r"\1 \2m", text)
    return " ".join(text.split())


def _drop_parentheticals(text: str) -> tuple[str, bool]:
    """The text without its parenthetical notes; True when a note held times (which a slot would
    then miss). A note about a season makes its part of the text seasonal."""
    noted = False

    def replace(match: re.Match[str]) -> str:
        nonlocal noted
        inner = match[1]
        if _SEASON.search(inner):
            return " summer "
        if not _EXCEPTION.search(inner) and any(
            m.lastgroup in ("range", "allday", "monthly") for m in _TOKEN.finditer(inner)
        ):
            noted = True
        return " "

    return _PARENTHETICAL.sub(replace, text), noted


def _zone(match: re.Match[str]) -> int:
    return next(offset for i, (_, offset) in enumerate(_ZONES) if match[f"zone{i}"])


def _token(match: re.Match[str]) -> _Token | None:
    kind = match.lastgroup
    if kind == "allday":
        return _Times((AROUND_THE_CLOCK,), all_day=True)
    if kind == "range":
        span = _clock_range(match)
        return _Times((span,)) if span else None
    if kind == "phrase":
        return _Days(next(days for i, (_, days) in enumerate(_DAY_PHRASES) if match[f"phrase{i}"]))
    if kind == "monthly":
        return _monthly(match[0])
    days = _day_list(match[0])
    return _Days(days) if days else None


def _monthly(text: str) -> _Days | None:
    day_match = list(_DAY_IN_LIST.finditer(text))
    ordinals = re.findall(rf"(?i)\b(?:{_ORDINAL})\b", text)
    if not day_match:
        return None
    days = _day_names(day_match[0][0])
    if len(days) != 1:
        return None
    code = WEEKDAYS[days[0]]
    return _Days(frozenset(), tuple(f"{_ORDINALS[o.lower()]}{code}" for o in ordinals))


def _day_names(word: str) -> list[int]:
    """The weekdays a day word or letter run names, in order."""
    key = word.rstrip(".").lower()
    if key in _WORD_DAY:
        return [_WORD_DAY[key]]
    out: list[int] = []
    for letter in _LETTER.findall(word):
        if letter == "T":  # Tuesday, unless a Tuesday or Wednesday came before it (MTWTF)
            out.append(3 if any(d in (1, 2) for d in out) else 1)
        elif letter == "S":  # Saturday, or Sunday after a Saturday (SS)
            out.append(6 if 5 in out else 5)
        else:
            out.append(_LETTER_DAY[letter])
    return out


def _day_list(text: str) -> frozenset[int]:
    matches = list(_DAY_IN_LIST.finditer(text))
    days: set[int] = set()
    i = 0
    while i < len(matches):
        first = _day_names(matches[i][0])
        if i + 1 < len(matches) and _RANGE_BETWEEN.match(text[matches[i].end():matches[i + 1].start()]):
            last = _day_names(matches[i + 1][0])
            if first and last:
                start, end = first[0], last[-1]
                days.update((start + k) % 7 for k in range((end - start) % 7 + 1))
            i += 2
            continue
        days.update(first)
        i += 1
    return frozenset(days)


# --- clock ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int
    meridiem: str | None  # "am" | "pm"
    bare: bool  # no minutes and no meridiem ("9" in "9-5")

    @property
    def twenty_four(self) -> bool:
        return self.hour > 12 or self.hour == 0

    def at(self, meridiem: str) -> int:
        """Minutes after midnight read with `meridiem` (12 am is midnight, 12 pm noon)."""
        return (self.hour % 12 + (12 if meridiem == "pm" else 0)) * 60 + self.minute


def _clock(match: re.Match[str], n: str) -> _Clock | None:
    hour_text = match[f"h{n}"] or match[f"ch{n}"]
    minute_text = match[f"m{n}"] or match[f"cm{n}"]
    meridiem = match[f"ap{n}"]
    hour, minute = int(hour_text), int(minute_text or 0)
    if hour > 24 or minute > 59 or (meridiem and not 1 <= hour <= 12):
        return None
    return _Clock(hour, minute, meridiem, bare=minute_text is None and meridiem is None)


def _clock_range(match: re.Match[str]) -> tuple[str, str] | None:
    """(opensAt, closesAt) of a time range, am/pm inferred where missing; None when unreadable."""
    first, second = _clock(match, "1"), _clock(match, "2")
    if first is None or second is None or (first.bare and second.bare and (first.hour > 12 or second.hour > 12)):
        return None
    closes = _known(second)
    opens = _known(first)
    if opens is None:
        if closes is not None:
            same = first.at(second.meridiem) if second.meridiem else first.hour * 60 + first.minute
            opens = same if same < closes or first.hour == 12 else first.at("am")
        else:  # neither says: 7-11 morning, 12 noon, 1-6 afternoon
            opens = first.at("am" if 7 <= first.hour <= 11 else "pm")
    if closes is None:
        later = [m for m in (second.at("am"), second.at("pm")) if m > opens]
        closes = min(later) if later else second.at("am")
    if first.meridiem == "pm" and second.meridiem == "pm" and closes < opens:
        return None  # "9:00 pm - 5:00 pm": a slip, not a night shift
    return _hhmm(opens), _hhmm(closes, closing=True)


def _known(clock: _Clock) -> int | None:
    if clock.meridiem:
        return clock.at(clock.meridiem)
    if clock.twenty_four:
        return (clock.hour % 24) * 60 + clock.minute
    return None


def _hhmm(minutes: int, *, closing: bool = False) -> str:
    if closing and minutes % (24 * 60) == 0:
        return "23:59"  # until midnight
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


# --- pairing ----------------------------------------------------------------------------------------

def _runs(items: list[_Token] | list[_Token | str], *, across_parts: bool) -> list[_Token]:
    """Tokens in order, consecutive time ranges merged into one run ("9-12 and 1-5"). Across a
    ";" ("soft") they merge only in a text that names days first ("Mon 9-12; 1-5 Tue 9-12;
    1-5"): in one that names times first, "9-5; 10-2, Sat" is two slots. Nothing merges across
    a skipped part ("hard")."""
    first = next((item for item in items if not isinstance(item, str)), None)
    merge_soft = across_parts and isinstance(first, _Days)
    out: list[_Token] = []
    pending: str | None = None
    for item in items:
        if isinstance(item, str):
            pending = "hard" if "hard" in (item, pending) else item
            continue
        previous = out[-1] if out else None
        if (isinstance(item, _Times) and isinstance(previous, _Times)
                and (pending is None or (pending == "soft" and merge_soft))):
            out[-1] = _Times(previous.ranges + item.ranges, previous.all_day and item.all_day)
        else:
            out.append(item)
        pending = None
    return out


def _pair(tokens: list[_Token]) -> tuple[list[tuple[_Days, _Times]], int]:
    """Each run of times with its days (after them when the tokens start with days, before them
    when they start with a time), then leftovers with their other neighbour; and how many days
    or times stayed unpaired ("24 hours" alone is every day)."""
    days_first = bool(tokens) and isinstance(tokens[0], _Days)
    used: set[int] = set()
    pairs: list[tuple[int, _Days, _Times]] = []

    def take(i: int, j: int) -> bool:
        if 0 <= j < len(tokens) and j not in used and isinstance(tokens[j], _Days):
            used.update((i, j))
            pairs.append((i, tokens[j], tokens[i]))  # type: ignore[arg-type]
            return True
        return False

    for i, token in enumerate(tokens):
        if isinstance(token, _Times) and i not in used:
            take(i, i - 1 if days_first else i + 1)
    for i, token in enumerate(tokens):
        if isinstance(token, _Times) and i not in used:
            take(i, i + 1 if days_first else i - 1)
    leftover = 0
    for i, token in enumerate(tokens):
        if i in used:
            continue
        if isinstance(token, _Times) and token.all_day:
            pairs.append((i, _Days(ALL_WEEK), token))
        else:
            leftover += 1
    pairs.sort(key=lambda p: p[0])
    return [(d, t) for _, d, t in pairs], leftover


def _slots(pairs: list[tuple[_Days, _Times]]) -> tuple[Slot, ...]:
    """Slots with equal times merged: "Mon 9-5; Tue 9-5" is one slot on MO,TU."""
    weekly: dict[tuple[str, str], set[int]] = {}
    monthly: dict[tuple[str, str], list[str]] = {}
    for days, times in pairs:
        for span in times.ranges:
            if days.monthly:
                codes = monthly.setdefault(span, [])
                codes.extend(c for c in days.monthly if c not in codes)
            if days.weekly:
                weekly.setdefault(span, set()).update(days.weekly)
    out = [Slot(tuple(WEEKDAYS[d] for d in sorted(ds)), o, c) for (o, c), ds in weekly.items()]
    out += [Slot(tuple(codes), o, c, monthly=True) for (o, c), codes in monthly.items()]
    return tuple(sorted(out, key=_slot_order))


def _slot_order(slot: Slot) -> tuple[bool, int, str, str]:
    first = slot.days[0][-2:] if slot.days else "MO"
    return slot.monthly, WEEKDAYS.index(first), slot.opens, slot.closes

