"""Structured eligibility criteria read out of a 211 record's free text, precision first.

Most real records say who a service is for only in words ("Homeless women, 18 and older",
"Residents of Baltimore City"). `extract_criteria` reads the age limits, population groups
(`loaders.populations`) and places of residence a careful reader would, and nothing it is unsure
of: a wrong limit turns a resident away, a missing one only leaves the API saying UNKNOWN with the
text. So it reads the age of the person the service is for, not of their children ("parents with
children under 5"), volunteers or mentors; it drops what a sentence only hedges ("priority given
to seniors", "ex-offenders welcome"), illustrates ("including…") or negates ("no homeless
clients"); and it gives up on ages altogether when the text admits exceptions ("all ages",
"case by case", "if under 62…").

Conventions (tests/unit/test_eligibility_accuracy.py labels by the same ones): "over 18" and
"18+" mean 18 or older, "under 18" 17 or younger, "up to 21" and "21 and under" 21 or younger;
months and weeks become whole years (36 months → 3); a school grade g means the ages g+5 to g+6
(pre-school 3, pre-K 4, kindergarten 5); "adults" alone means 18 or older; several groups with
their own ages ("teenagers 13-18; adults 18 and over") give the youngest minimum and the oldest
maximum, and any group without an age limit removes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from loaders.populations import DEPENDANT_MODIFIERS, DEPENDANTS, PATTERNS, TERMS

MAX_AGE: Final = 120


@dataclass(frozen=True)
class Criteria:
    """What eligibility text says about who may use a service; None / () where it says nothing sure."""

    minimum_age: int | None = None
    maximum_age: int | None = None
    populations: tuple[str, ...] = ()  # population term ids (loaders.populations), in vocabulary order
    residency: tuple[str, ...] = ()  # place names as written ("Baltimore City", "Ward 7", "DC")


@lru_cache(maxsize=1 << 16)  # directories repeat their eligibility texts a lot (and residency asks again)
def extract_criteria(text: str) -> Criteria:
    """The criteria `text` states; see the module docstring for what is and is not read."""
    if _FLEXIBLE.search(text):
        return Criteria()  # "Eligibility flexible": nothing it names is a limit
    sentences = [_Sentence(s) for s in _sentences(_normalise(text))]
    if any(_OPEN.search(s.text) for s in sentences):
        # "Open to anyone. Camp is for ages 8-16.": the rest is about parts of the service, unless it
        # is a rule for all ("Must be 18 or older.")
        sentences = [s for s in sentences if _OPEN.search(s.text) or _RULE_FOR_ALL.match(s.text)]
    populations = _populations(sentences)
    low, high = _ages(sentences, populations)
    return Criteria(low, high, populations, _residency(sentences))


# ---------------------------------------------------------------- text preparation

_REPLACEMENTS: Final = (
    (re.compile(r"[\u2010-\u2015\u2212]"), "-"),
    (re.compile(r"\u00bd"), " 1/2"),
    (re.compile(r"[\u2018\u2019]"), "'"),
    (re.compile(r"\bD\.\s?C\.(?=\s+[a-z])"), "DC"),  # "D.C. residents": no sentence ends there
    (re.compile(r"\bD\.\s?C\.?"), "DC"),
    (re.compile(r"\bU\.\s?S\.(?=\s+[a-z])"), "US"),
    (re.compile(r"\bU\.\s?S\.?"), "US"),
    (re.compile(r"\bAIDS\b"), "hiv/aids"),  # upper case only: "hearing aids" is not AIDS
    (re.compile(r"\bminor,\s*dependent\b", re.I), "minor dependent"),
    (re.compile(r"(?<=[A-Za-z]),(?=\d)"), ", "),  # "Persons,18"
    (re.compile(r"(?<=[a-z]{2})(?=\d)"), " "),  # "Persons18", "ages16", "through12th"
    (re.compile(r"(?<=\d)(?=(?:yrs?|years?|or|and|months?|mos|weeks?|wks)\b)", re.I), " "),  # "18yrs", "21or"
    (re.compile(r"(?<=\d)-(?=(?:years?|yrs?|months?)\b)", re.I), " "),  # "21-years old"
)
_WARD_LIST: Final = re.compile(
    r"\b[Ww]ards?\s+(\d{1,2}(?:\s*(?:,\s*(?:and\s+)?|and|&|or)\s*(?:[Ww]ard\s+)?\d{1,2}\b)*)"
)


def _normalise(text: str) -> str:
    for pattern, replacement in _REPLACEMENTS:
        text = pattern.sub(replacement, text)
    text = _WARD_LIST.sub(lambda m: " or ".join(f"Ward {n}" for n in re.findall(r"\d+", m.group(1))), text)
    return " ".join(text.split())


def _sentences(text: str) -> list[str]:
    """The sentences of `text`; one that is only a parenthesis ("(60 & older.)") stays with the one before."""
    out: list[str] = []
    for part in re.split(r"(?<=[.!?;])\s+|;|\n", text):
        part = part.strip()
        if not part.strip(" .;"):
            continue
        if out and part.startswith("("):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


# A sentence saying anyone may come: what other sentences say then concerns only parts of the service.
_OPEN: Final = re.compile(
    r"\b(?:anyone|anybody|everyone|everybody|general public|open to (?:the )?public|open to all|all are welcome)\b"
)
_FLEXIBLE: Final = re.compile(r"\beligibility (?:is )?flexible\b", re.I)
_RULE_FOR_ALL: Final = re.compile(
    r"(?:(?:all )?(?:applicants?|clients?|participants?|patients?|persons?|individuals?|residents?)\s+)?must\b"
)
# "…, or other interested persons": the groups named before are examples, not limits.
_OR_ANYONE: Final = re.compile(
    r"\b(?:or|and)\s+(?:any\s+)?(?:other\s+)?interested\s+(?:persons?|people|individuals|others|parties)\b|"
    r"\bor anyone\b"
)
# What a clause only hedges, offers to others or admits as an exception: no firm criterion there.
_HEDGE: Final = re.compile(
    r"\b(?:priority|prioriti[sz]ed|preference|preferred|prefers?|primarily|primary|mainly|mostly|most|focus\w*|"
    r"particularly|specifically|especially|welcomed?|welcomes|also|exceptions?|case[- ]by[- ]case|may|some|"
    r"generally|typically|usually|interested|interest|encouraged|open to (?:the )?(?:general )?public|"
    r"referred to other|if|acception|by exception|information)\b"
)
_OTHERS: Final = re.compile(
    r"\b(?:volunteers?|mentors?|mentoring|providers?|tutors?|staff|accompanied|adopt\w*|guardians?|vendors?|"
    r"employers?|professionals|caregivers?\s+must)\b"
)
_NEGATION: Final = re.compile(
    r"\b(?:no|not|non|cannot|can't|never|except|excluding|excludes?|regardless of|other than|nor|without|"
    r"aren't|isn't|don't|doesn't|didn't|haven't|hasn't)(?!\w)"
    r"(?!\s+(?:exceed|more than|to exceed|limited to|only))"
)
_NEGATION_WINDOW: Final = 3  # words between a negation and what it negates
_CUT: Final = re.compile(r"\b(?:including|includes|such as|e\.g\.|for example|especially)\b")


@dataclass
class _Segment:
    start: int
    end: int
    hedged: bool
    others: bool


class _Sentence:
    """One sentence, lower-cased, cut before any "including…", with its comma segments."""

    def __init__(self, raw: str) -> None:
        cut = _CUT.search(raw.lower())
        self.raw = raw[: cut.start()] if cut else raw
        self.text = self.raw.lower()  # not casefold: offsets must stay those of `raw`
        self.segments: list[_Segment] = []
        start = 0
        for m in re.finditer(r"[,()]|$", self.text):
            piece = self.text[start:m.start()]
            self.segments.append(_Segment(start, m.start(), bool(_HEDGE.search(piece)), bool(_OTHERS.search(piece))))
            start = m.end()

    @property
    def unrelated(self) -> str:
        """The text with stretches about relatives of the client and agency names blanked out."""
        return _masked(_masked(self.text, _RELATIVES_OF), _AGENCY)

    def segment(self, at: int) -> _Segment:
        for seg in self.segments:
            if seg.start <= at <= seg.end:
                return seg
        return self.segments[-1]

    def firm(self, at: int) -> bool:
        """Whether a criterion found at offset `at` is stated firmly (not hedged, not about others)."""
        seg = self.segment(at)
        return not seg.hedged and not seg.others

    def negated(self, at: int) -> bool:
        """Whether a negation comes at most a few words before offset `at` in its segment."""
        before = self.text[self.segment(at).start:at]
        return any(len(before[m.end():].split()) <= _NEGATION_WINDOW for m in _NEGATION.finditer(before))


# ---------------------------------------------------------------- populations

# Text that names a group without it being who the service is for: masked before matching.
_MASKS: Final[dict[str, re.Pattern[str]]] = {
    "pop-children": re.compile(
        r"\b(?:with|of|against|their|his|her|whose|households?|household|have|has|having)\s+(?:no\s+)?"
        + DEPENDANT_MODIFIERS + DEPENDANTS + r"\b|"
        r"\bchild(?:ren)?(?:'s)?[- ]?(?:care|abuse|support|welfare|development|protective|custody|and family)\b|"
        r"\bchild's\b|\bday[- ]?care\b|\bminor,? dependent children\b|"
        r"\blost (?:a |one or more |their )?" + DEPENDANTS + r"\b"
    ),
    "pop-families": re.compile(
        r"\b(?:their|his|her|whose|from(?: a| their)?|immediate|nuclear)\s+(?:famil(?:y|ies)|parents?)\b|"
        r"\bfamil(?:y|ies)\s+(?:members?|size|law|resource|court|planning|services|matters?|violence)\b|"
        r"\bparent(?:al)?\s*(?:/|or)\s*guardian\b|\b(?:by|have|has|having) (?:a |their )?parents?\b|\bparental\b|"
        r"\bsingle parent homes?\b|\bhead of household\b|\bchild's parents?\b|\bfamily care ?giv\w*\b|"
        r"\bfoster parents?\b"
    ),
    "pop-seniors": re.compile(r"\b(?:high school|hs|college|school|graduating)\s+seniors\b|"
                              r"\bsenior (?:housing|centers?|apartments?|buildings?)\b"),
    "pop-students": re.compile(r"\bstudents (?:must|are required|will)\b"),
    "pop-youth": re.compile(r"\bby (?:a |an |the )?(?:juveniles?|youths?|minors?)\b"),
    "pop-homeless": re.compile(r"\b(?:at[- ]risk (?:of|for) (?:becoming )?|formerly )homeless(?:ness)?\b"),
}
# Whole stretches about somebody else's group ("families and friends of persons with…", "…and their
# families"): to the end of the sentence.
_RELATIVE: Final = r"(?:parents|famil(?:y|ies)|friends|relatives|loved ones|caregivers|care providers|spouses|partners)"
_RELATIVES_OF: Final = re.compile(
    r"\b" + _RELATIVE + r"(?:(?:,|,? and|,? or| and| or)\s+" + _RELATIVE + r")*\s+of\b"
    r"(?!\s+(?:(?:a|an|their|young|minor|multiple)\s+)*" + DEPENDANTS + r"\b).*|"
    r"\b(?:their|whose)\s+(?:parents?|famil(?:y|ies)|child|children|kids|friends|caregivers|relatives|spouses?|"
    r"partners?)\b.*"
)
# Adults named as a group: beside children or youth, every age is served.
_ADULTS_NAMED: Final = re.compile(r"(?<!young )\badults?\b(?! (?:charges|classes|education|day))")
# Agency names: "Child and Family Services Agency", "Dept. of Juvenile Services".
_AGENCY: Final = re.compile(
    r"\b(?:juvenile|youth|family|child(?:ren)?(?: and family)?|social|human|senior)\s+services\b"
)


def _masked(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _populations(sentences: list[_Sentence]) -> tuple[str, ...]:
    found: set[str] = set()
    for s in sentences:
        if _OR_ANYONE.search(s.text):
            continue
        base = s.unrelated
        for term_id, pattern in PATTERNS.items():
            text = _masked(base, _MASKS[term_id]) if term_id in _MASKS else base
            if any(s.firm(m.start()) and not s.negated(m.start()) for m in pattern.finditer(text)):
                found.add(term_id)
    if {"pop-women", "pop-men"} <= found:  # "men and women": no gender restriction
        found -= {"pop-women", "pop-men"}
    if found & {"pop-children", "pop-youth"} and any(_ADULTS_NAMED.search(s.text) for s in sentences):
        found -= {"pop-children", "pop-youth", "pop-seniors"}  # "children and adults": every age
    return tuple(t.id for t in TERMS if t.id in found)


# ---------------------------------------------------------------- ages

_N: Final = r"(\d{1,3})(?!\d)(?:\s*1/2)?"
_YEARS: Final = r"(?:years?|yrs?\.?|y/o)"
_UNIT: Final = r"(years?|yrs?\.?|y/o|months?|mos\.?|weeks?|wks\.?)"
_AFTER_NUMBER_NOT_AGE: Final = (
    r"(?!\s*(?:%|percent|degrees|days?|hours?|lbs|pounds|miles|dollars|people|persons|,\d|\.\d))"
)
_BEFORE_NUMBER_NOT_AGE: Final = r"(?<![\w$.,#/-])"
_OLD: Final = r"(?:\s*(?:old|of age))?"

# After "N years": words saying it is a duration ("1 year rental history", "a 2-4 year degree"), not an age.
_DURATION_WORDS: Final = (
    r"rental|history|experience|prior|clean|sober|ago|before|after|since|residen\w*|sobriety|employment|service|"
    r"to live|left|degree|program|college|university|course|period|lease"
)
_NOT_DURATION: Final = r"(?!\s*(?:(?:years?|yrs?|months?)[\s-]+)?(?:" + _DURATION_WORDS + r"|in\b|of (?!age)))"
_NOT_DURATION_RANGE: Final = r"(?!\s*(?:(?:years?|yrs?|months?)[\s-]+)?(?:" + _DURATION_WORDS + r"))"
_RANGE: Final = re.compile(
    r"(?P<pre>\bages?\s*:?\s*(?:of\s+)?|\baged\s+|\bage range\s+|\bbetween\s+(?:the\s+)?(?:ages?\s+(?:of\s+)?)?)?"
    + _BEFORE_NUMBER_NOT_AGE + r"(?:(?P<birth>birth|newborns?|infancy)|" + _N.replace("(", "(?P<a>", 1) + r")"
    r"\s*(?:" + _UNIT.replace("(", "(?P<ua>", 1) + r")?" + _OLD
    + r"\s*(?P<sep>-|to|through|thru|until|and|&)\s*(?:age\s+)?" + _N.replace("(", "(?P<b>", 1)
    + r"\s*(?:" + _UNIT.replace("(", "(?P<ub>", 1) + r")?" + _AFTER_NUMBER_NOT_AGE + _NOT_DURATION_RANGE
)
_OPEN_RANGE: Final = re.compile(
    r"(?:\bages?\s*)?" + _BEFORE_NUMBER_NOT_AGE + _N + r"\s*(?:" + _YEARS + r"\s*)?(?:-|to|through)\s*"
    r"(?:adulthood|adult|over|up|older)\b"
)
_MINIMUM: Final = re.compile(
    _BEFORE_NUMBER_NOT_AGE + _N + r"\s*(?:" + _YEARS + r")?" + _OLD + r"\s*(?:"
    r"\+|(?:and|or|&)\s+(?:older|over|up|above|beyond|more)|older and above|and above)"
)
_MINIMUM_PREFIX: Final = re.compile(
    r"\b(?:(?:be|aged?|ages?) at least|minimum age(?: of| is)?:?|min\.? age:?|over(?: the)?(?: age)?(?: of)?|"
    r"older than|above(?: the)?(?: age)?(?: of)?)\s+" + _N + r"(?:\s*" + _YEARS + r")?" + _OLD
    + r"(?!\s*(?:months?|mos|weeks?|wks))" + _AFTER_NUMBER_NOT_AGE + _NOT_DURATION
    + r"|\bat least\s+" + _N.replace("(", "(?P<least>", 1) + r"\s*" + _YEARS + r"\s*(?:old|of age)\b"
)
_MINIMUM_MUST: Final = re.compile(r"\b(?:must be|aged?)\s+" + _N + r"\s*" + _YEARS + r"\s*(?:old|of age)\b")
_MAXIMUM_UNDER: Final = re.compile(
    r"\b(?:under|younger than|less than|below)(?: the)?(?: age)?(?: of)?\s+" + _BEFORE_NUMBER_NOT_AGE + _N
    + r"(?:\s*(?:" + _YEARS + r")(?:\s*(?:old|of age))?|\s*(months?|mos\.?|weeks?|wks\.?)\s*(?:old|of age)|"
    r"(?!\s*(?:months?|mos|weeks?|wks)))" + _AFTER_NUMBER_NOT_AGE + _NOT_DURATION
)
_MAXIMUM_UP_TO: Final = re.compile(
    r"\b(?:up to|through|thru|until)(?: the)?\s+(?:(?:age|ages)(?: of)?\s+" + _N + r"(?:\s*" + _UNIT + r")?|"
    + _N + r"\s*" + _UNIT + _OLD + r")" + _AFTER_NUMBER_NOT_AGE + _NOT_DURATION
    + r"|(?<!prior )\bto(?: the)? age(?: of)?\s+" + _N.replace("(", "(?P<to>", 1)
)
_MAXIMUM_AND_UNDER: Final = re.compile(
    _BEFORE_NUMBER_NOT_AGE + _N + r"\s*(?:" + _UNIT + r")?" + _OLD + r"\s*(?:and|or|&)\s+(?:under|younger|below|less)\b"
)
_GRADE_NAME: Final = r"(pre-?\s?k|pk|ps|pre-?\s?school|k|kindergarten|\d{1,2}(?:st|nd|rd|th)?)"
_GRADES: Final = re.compile(
    r"\b(?:grades?\s+)?" + _GRADE_NAME + r"(?:\s*grade)?\s*(?:-|to|through|thru)\s*" + _GRADE_NAME + r"\s*grades?\b|"
    r"\bgrades?\s+" + _GRADE_NAME + r"\s*(?:-|to|through|thru)\s*" + _GRADE_NAME + r"\b"
)
_AGE_WORDS: Final = re.compile(r"\b(?:ages?|aged|years?|yrs?|old|teens|teenagers|children|youth|kids|adolescents)\b")
_BARE_RANGE: Final = re.compile(
    _BEFORE_NUMBER_NOT_AGE + r"(\d{1,2})\s*-\s*(\d{1,2})(?![\d%])(?!\s*(?:grade|months?|weeks?|days?|hours?|am|pm))"
    + _NOT_DURATION_RANGE
)
# Text admitting people outside any age limit it states: then no age limit is read at all.
_AGE_EXCEPTION: Final = re.compile(
    r"\b(?:any age|all ages|of all ages|no age (?:limits?|restrictions?|requirements?)|regardless of (?:\w+ )?age|"
    r"exceptions?|case[- ]by[- ]case|if (?:under|over|younger|older)|depending|with (?:parental )?consent)\b"
)
# Whose age: an age after these in a sentence is a child's or dependant's, not the client's.
_DEPENDANT_CUE: Final = re.compile(
    r"\b(?:with|of|has|have|having|households?|household|their)\s+" + DEPENDANT_MODIFIERS + DEPENDANTS + r"\b"
)
# After an age: another group joins the list ("60 and older and persons with low income", "(60+), people
# with disabilities"), so the age limit is one group's, not the service's.
_GROUP_NOUN: Final = (
    r"(?:persons?|people|individuals?|those|anyone|adults?|famil(?:y|ies)|children|youth|parents|women|men|seniors|"
    r"senior citizens|elderly|caregivers|teens)"
)
_ALTERNATIVE: Final = re.compile(
    r"\s*\)?\s*(?:,?\s*(?:and|or|&)\s+(?:(?!their\b|whose\b)[\w-]+\s+){0,2}?(?P<noun>" + _GROUP_NOUN + r"|disabled)|"
    r"(?<=\))\s*,\s*(?:(?:and|or)\s+)?(?P<noun2>" + _GROUP_NOUN + r"|disabled))\b"
)
# Before an age in its clause: "or" and another group ("…or are senior citizens age 60 and older",
# "disabled or at least 62"): the age is one alternative's.
_OR_BEFORE: Final = re.compile(
    r"\bor\s+(?:(?:are|be|is)\s+)?(?:[\w-]+\s+){0,3}?(?:seniors?|senior citizens|elderly)\b[^,;]*$|"
    r"(?<![\d)])\s+or\s+(?:(?:are|be|is)\s+)?$"
)
# "Pregnant women and infants up to 2": a child group added to a different group; the age is the children's.
_AND_CHILDREN_BEFORE: Final = re.compile(
    r"\b(?:women|woman|mothers|men|fathers|parents|adults|persons|people|pregnant|families|seniors)\b.*"
    r"\b(?:and|or|&)\s+(?:[\w-]+\s+){0,2}?(?:children|infants|kids|babies|toddlers|newborns)\s*,?\s*(?:ages?\s*)?$"
)
_ADULTS_AND_CHILDREN: Final = re.compile(
    r"\badults?\s+(?:and|or|&)\s+(?:children|youth|teens|adolescents|kids)\b|"
    r"\b(?:children|youth|teens|adolescents|kids)\s+(?:and|or|&)\s+adults?\b"
)
_ADULTS: Final = re.compile(
    r"(?<!older )(?<!young )\badults\b|\b(?:any|an)\s+adult\b|\badult\s+(?:men|women|males?|females?|persons?|"
    r"individuals?|learners?|residents?|patients?|clients?|latinos?|offenders?|inmates?|victims?|survivors?)\b"
)
_NOT_ADULTS_ONLY: Final = re.compile(
    r"\b(?:child\w*|adolescen\w*|teen\w*|youth\w*|infant\w*|kids?|juvenile\w*|minors?)\b"
)
_GRADE_AGES: Final = {"ps": 3, "preschool": 3, "pre school": 3, "prek": 4, "pre k": 4, "pk": 4, "k": 5,
                      "kindergarten": 5}


@dataclass(frozen=True)
class _Statement:
    low: int | None
    high: int | None
    start: int
    end: int


def _years(number: str, unit: str | None) -> int:
    """Whole years in `number` `unit` (months and weeks round down)."""
    n = int(number)
    u = (unit or "y").casefold()
    if u.startswith("m"):
        return n // 12
    if u.startswith("w"):
        return n // 52
    return n


def _grade_age(name: str) -> int | None:
    key = re.sub(r"[-\s]+", " ", name.casefold()).strip()
    if key.replace(" ", "") in _GRADE_AGES:
        return _GRADE_AGES[key.replace(" ", "")]
    if key in _GRADE_AGES:
        return _GRADE_AGES[key]
    digits = re.match(r"\d+", key)
    return int(digits.group(0)) + 5 if digits else None


def _statements(text: str) -> Iterator[_Statement]:
    """Every age statement in a sentence, longest forms first, none overlapping."""
    text = re.sub(r"\([^()\d]*\)", lambda m: " " * len(m.group(0)), text)  # "2 (potty trained) to 11"
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        if any(m.start() < b and a < m.end() for a, b in taken):
            return False
        taken.append((m.start(), m.end()))
        return True

    for m in _GRADES.finditer(text):
        names = [g for g in m.groups() if g]
        low, high = _grade_age(names[0]), _grade_age(names[1])
        if low is not None and high is not None and free(m):
            yield _Statement(low, high + 1, m.start(), m.end())
    for m in _RANGE.finditer(text):
        a_unit, b_unit = m.group("ua"), m.group("ub")
        named = bool(m.group("pre") or a_unit or b_unit or m.group("birth"))
        if m.group("sep") in ("and", "&") and not (m.group("pre") or b_unit):
            continue
        if not named and not _AGE_WORDS.search(text):
            continue
        low = 0 if m.group("birth") else _years(m.group("a"), a_unit or b_unit)
        high = _years(m.group("b"), b_unit)
        if low <= high and free(m):
            yield _Statement(low, high, m.start(), m.end())
    for m in _OPEN_RANGE.finditer(text):
        if free(m):
            yield _Statement(int(m.group(1)), None, m.start(), m.end())
    for m in _MAXIMUM_AND_UNDER.finditer(text):
        if free(m):
            yield _Statement(None, _years(m.group(1), m.group(2)), m.start(), m.end())
    for pattern in (_MINIMUM, _MINIMUM_PREFIX, _MINIMUM_MUST):
        for m in pattern.finditer(text):
            if free(m):
                yield _Statement(int(m.group(1) or m.group(2)), None, m.start(), m.end())
    for m in _MAXIMUM_UNDER.finditer(text):
        unit = m.group(2)
        n = int(m.group(1))
        high = (n - 1) // 12 if unit and unit[0] in "m" else (n - 1) // 52 if unit and unit[0] == "w" else n - 1
        if free(m):
            yield _Statement(None, high, m.start(), m.end())
    for m in _MAXIMUM_UP_TO.finditer(text):
        number = m.group(1) or m.group(3) or m.group("to")
        unit = m.group(2) or m.group(4)
        if free(m):
            yield _Statement(None, _years(number, unit), m.start(), m.end())
    if _AGE_WORDS.search(text) or taken:  # "13-18" counts in "teenagers, 13-18" or "over 18 or 14-17"
        for m in _BARE_RANGE.finditer(text):
            low, high = int(m.group(1)), int(m.group(2))
            if low < high and free(m):
                yield _Statement(low, high, m.start(), m.end())


def _ages(sentences: list[_Sentence], populations: tuple[str, ...]) -> tuple[int | None, int | None]:
    if any(_AGE_EXCEPTION.search(s.text) for s in sentences):
        return None, None
    kept: list[_Statement] = []
    seen_any = False
    for s in sentences:
        for st in _statements(s.text):
            seen_any = True
            seg = s.segment(st.start)
            if seg.hedged:
                return None, None  # an age in a hedged clause: some are served outside the limits
            if seg.others or s.negated(st.start) or _DEPENDANT_CUE.search(s.unrelated, 0, st.start):
                continue  # someone else's age: a volunteer's, a child's of the client
            if _OR_BEFORE.search(s.text, seg.start, st.start) or _AND_CHILDREN_BEFORE.search(s.text, 0, st.start):
                return None, None  # "limited income or seniors 60 and over", "pregnant women and infants under 2"
            alternative = _ALTERNATIVE.match(s.text, st.end)
            if alternative:  # another group joins: the union is sure only when it is adults (18 and over)
                if not (alternative.group("noun") or alternative.group("noun2") or "").startswith("adult"):
                    return None, None
                kept.append(_Statement(18, None, alternative.start(), alternative.end()))
            kept.append(st)
            if _ADULTS_AND_CHILDREN.search(s.text):
                kept.append(_Statement(18, None, st.start, st.end))  # "adults and children 5-13": 5 and over
    if kept and "pop-seniors" in populations and any(st.high is not None for st in kept):
        return None, None  # seniors with a maximum age: the limit is another group's
    if not kept:
        if not seen_any and _adults_only(sentences, populations):
            return 18, None
        return None, None
    low = None if any(st.low is None for st in kept) else min(st.low for st in kept if st.low is not None)
    high = None if any(st.high is None for st in kept) else max(st.high for st in kept if st.high is not None)
    if low is not None and not 0 <= low <= MAX_AGE:
        low = None
    if high is not None and not 0 <= high <= MAX_AGE:
        high = None
    if low is not None and high is not None and low > high:
        return None, None
    return low, high


def _adults_only(sentences: list[_Sentence], populations: tuple[str, ...]) -> bool:
    """Whether the text is for adults (18 or older) and names no younger group."""
    if {"pop-children", "pop-youth", "pop-families"} & set(populations):
        return False
    found = False
    for s in sentences:
        if _NOT_ADULTS_ONLY.search(_masked(s.text, _MASKS["pop-children"])):
            return False
        for m in _ADULTS.finditer(s.text):
            if s.firm(m.start()) and not s.negated(m.start()):
                found = True
    return found


# ---------------------------------------------------------------- residency

_GEO_SUFFIX: Final = r"(?:[Cc]ity|[Cc]ounty|[Aa]rea|[Rr]egion)"
_PLACE_WORD: Final = r"(?:[A-Z][\w'.-]*)"
_PLACE: Final = (
    r"(?:Ward \d{1,2}|zip code \d{5}|" + _PLACE_WORD + r"(?:\s+(?:of\s+(?:the\s+)?)?" + _PLACE_WORD + r"){0,4}"
    r"(?:\s+" + _GEO_SUFFIX + r")?)"
)
_PLACE_LIST: Final = _PLACE + r"(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+)" + _PLACE + r")*"
_RESIDENT_WORD: Final = r"(?i:residents?|residency|residens|residend|resident's)"
# (pattern, whether each name must look like a place on its own): "residents of X", "X residents",
# "from X" (weak: "from Ward 5" is a place, "from Dept. of…" is not), "in the District of Columbia".
_RESIDENCY: Final = (
    (re.compile(r"(?<![\w-])(?i:" + _RESIDENT_WORD + r"|residing|resides?|reside|live|lives|living)\s+"
                r"(?i:of|in|within)\s+(?i:the\s+)?(?P<places>" + _PLACE_LIST + r")"), False),
    (re.compile(r"(?P<places>" + _PLACE_LIST + r")\s+" + _RESIDENT_WORD + r"\b"), False),
    (re.compile(r"\bfrom\s+(?:the\s+)?(?P<places>" + _PLACE_LIST + r")"), True),
    (re.compile(r"\b(?:in|of)\s+the\s+(?P<places>District of Columbia)\b"), False),
)
_FROM_PLACE: Final = re.compile(r"^(?:Ward \d+|District of Columbia|DC|Maryland|Virginia|.*\s" + _GEO_SUFFIX + r")$")
_NOT_RESIDENCY: Final = re.compile(
    r"\b(?:or work|/work|or employees?|potential|prospective|non-?residents?|discrimination|occurred|tak(?:en|e) place|"
    r"licensed|providers?|employers?|vendors?|case must)\b", re.I
)
# Capitalised words that are not places ("Low-income, DC residents", "Adult Latino residents").
_STOP: Final = frozenset({
    "low", "income", "low-income", "adult", "adults", "senior", "seniors", "latino", "latinos", "latina", "latinas",
    "hispanic", "jewish", "asian", "african", "black", "white", "korean", "chinese", "vietnamese", "spanish",
    "public", "housing", "all", "any", "open", "resident", "residents", "homeless", "women", "men", "youth",
    "children", "families", "persons", "people", "individuals", "must", "veteran", "veterans", "military", "student",
    "students", "disabled", "elderly", "medicare", "medicaid", "tanf", "ssi", "parents", "single", "new",
    "uninsured", "legal", "permanent", "eligible", "serves", "the", "and", "or", "no", "non", "dept", "department",
    "agency", "center", "services", "program", "referral", "community", "neighborhood", "local", "target",
    "catchment", "service",
})
_GEO: Final = frozenset({"city", "county", "area", "region"})
_QUADRANTS: Final = frozenset({"nw", "ne", "sw", "se"})


def _places(found: str) -> list[str] | None:
    """The place names of a matched list, or None when it is not a list of places at all."""
    city_and_county = re.fullmatch(r"(\w+) City and County", found)
    if city_and_county:
        return [f"{city_and_county.group(1)} City", f"{city_and_county.group(1)} County"]
    out: list[str] = []
    for name in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+", found):
        zip_code = re.fullmatch(r"zip code (\d{5})", name.strip())
        words = name.strip(" ,.").split()
        if {w.lower().strip(".'") for w in words} & _QUADRANTS:
            return None
        while words and words[0].lower().strip(".'") in _STOP | _GEO:  # "All DC", "Low-income", "City Public…"
            words.pop(0)
        while words and words[-1].lower().strip(".'") in _STOP:
            words.pop()
        if zip_code:
            out.append(zip_code.group(1))
        elif words:
            out.append(" ".join(words))
    return out


def _residency(sentences: list[_Sentence]) -> tuple[str, ...]:
    out: list[str] = []
    for s in sentences:
        if _NOT_RESIDENCY.search(s.raw):
            continue
        for pattern, strict in _RESIDENCY:
            for m in pattern.finditer(s.raw):
                if not s.firm(m.start("places")) or s.negated(m.start()):
                    continue
                names = _places(m.group("places")) or []
                out.extend(n for n in names if n not in out and (not strict or _FROM_PLACE.match(n)))
    return tuple(out)
