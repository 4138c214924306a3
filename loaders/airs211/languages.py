"""Language names in a 211 export's `LanguagesOffered` text -> ISO 639 codes, the ids of the
shared Language nodes.

Centres fill the column as a list ("English; Spanish") or as prose ("English, Spanish (limited)",
"American Sign Language available upon request", "140 languages via Language Line"), so the
text is scanned for language names, not split into them. What is left is either a note
(interpreters, a language line, TDD) or, when it looks like a name (one to three capitalised
words, no note's words: "Fujinese", "Creole"), a language this table lacks or a misspelling,
which the caller keeps by name and reports.

Codes are ISO 639-1 where the language has one, else ISO 639-3 (HSDS allows both): American Sign
Language is `ase`. Mandarin and Cantonese are Chinese (`zh`), as in 639-1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

# ISO 639-1 code -> English name (the living languages directories name).
ISO_639_1: Final[dict[str, str]] = {
    "af": "Afrikaans", "ak": "Akan", "am": "Amharic", "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian",
    "bg": "Bulgarian", "bm": "Bambara", "bn": "Bengali", "bo": "Tibetan", "bs": "Bosnian", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek", "en": "English", "es": "Spanish",
    "et": "Estonian", "eu": "Basque", "fa": "Persian", "ff": "Fulah", "fi": "Finnish", "fj": "Fijian",
    "fr": "French", "ga": "Irish", "gd": "Scottish Gaelic", "gl": "Galician", "gu": "Gujarati", "ha": "Hausa",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "ht": "Haitian Creole", "hu": "Hungarian", "hy": "Armenian",
    "id": "Indonesian", "ig": "Igbo", "is": "Icelandic", "it": "Italian", "iu": "Inuktitut", "ja": "Japanese",
    "jv": "Javanese", "ka": "Georgian", "kk": "Kazakh", "km": "Khmer", "kn": "Kannada", "ko": "Korean",
    "ku": "Kurdish", "ky": "Kyrgyz", "la": "Latin", "lb": "Luxembourgish", "lg": "Ganda", "ln": "Lingala",
    "lo": "Lao", "lt": "Lithuanian", "lv": "Latvian", "mg": "Malagasy", "mh": "Marshallese", "mi": "Maori",
    "mk": "Macedonian", "ml": "Malayalam", "mn": "Mongolian", "mr": "Marathi", "ms": "Malay", "mt": "Maltese",
    "my": "Burmese", "ne": "Nepali", "nl": "Dutch", "no": "Norwegian", "nv": "Navajo", "ny": "Chichewa",
    "oj": "Ojibwa", "om": "Oromo", "pa": "Punjabi", "pl": "Polish", "ps": "Pashto", "pt": "Portuguese",
    "qu": "Quechua", "rn": "Kirundi", "ro": "Romanian", "ru": "Russian", "rw": "Kinyarwanda", "sk": "Slovak",
    "sl": "Slovenian", "sm": "Samoan", "sn": "Shona", "so": "Somali", "sq": "Albanian", "sr": "Serbian",
    "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "tg": "Tajik", "th": "Thai", "ti": "Tigrinya",
    "tk": "Turkmen", "tl": "Tagalog", "to": "Tongan", "tr": "Turkish", "tw": "Twi", "ug": "Uyghur",
    "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "wo": "Wolof", "xh": "Xhosa",
    "yi": "Yiddish", "yo": "Yoruba", "zh": "Chinese", "zu": "Zulu",
}
# Languages without a 639-1 code that US directories name: ISO 639-3 (or 639-2) code.
OTHER_CODES: Final[dict[str, str]] = {
    "ase": "American Sign Language", "sgn": "Sign languages", "fil": "Filipino", "hmn": "Hmong", "prs": "Dari",
    "ilo": "Ilocano", "chr": "Cherokee", "kar": "Karen", "chk": "Chuukese", "hbs": "Serbo-Croatian",
    "tem": "Temne", "efi": "Efik", "men": "Mende", "mnk": "Mandinka", "kri": "Krio",
}
# Other spellings, and misspellings seen in real exports -> code.
ALIASES: Final[dict[str, str]] = {
    "asl": "ase", "american sign": "ase", "sign language": "sgn", "sign languages": "sgn", "farsi": "fa",
    "haitian": "ht", "kreyol": "ht", "mandarin": "zh", "cantonese": "zh", "castilian": "es", "bangla": "bn",
    "cambodian": "km", "laotian": "lo", "panjabi": "pa", "kiswahili": "sw", "ibo": "ig", "tigrigna": "ti",
    "tigrinyan": "ti", "tegrinyan": "ti", "tigrinia": "ti", "amharie": "am", "itallian": "it", "manderine": "zh",
    "portugese": "pt", "gujrati": "gu", "gujurati": "gu", "hindu": "hi", "phillipino": "fil", "philipino": "fil",
    "american english": "en", "slovene": "sl", "myanmar": "my", "sign": "sgn", "cambodia": "km",
}
_NAMES: Final[dict[str, str]] = {
    **{name.casefold(): code for code, name in {**ISO_639_1, **OTHER_CODES}.items()},
    **ALIASES,
}
_NAME: Final = re.compile(
    r"(?<![\w])(" + "|".join(re.escape(n) for n in sorted(_NAMES, key=len, reverse=True)) + r")(?![\w])",
    re.IGNORECASE,
)
_NEGATED: Final = re.compile(r"(?i)\bnon[-\s]+[a-z]+")  # "non-English speaking" names no language
_SEPARATORS: Final = re.compile(r"(?i)[,;:/&()\[\]\n+]|\.(?=\s|$)|\s-+\s|\s+(?:and|or)\s+|^(?:and|or)\s+")
_NAME_LIKE: Final = re.compile(r"^[A-Z][A-Za-z'\-]*$")
_NOTE_WORDS: Final = frozenset({
    "all", "none", "other", "others", "some", "basic", "minimal", "only", "most", "many", "line", "lines", "bank",
    "tty", "tdd", "tdy", "ttd", "see", "yes", "no", "na", "several", "any", "every", "also", "english-speaking",
    "bi-lingual", "dialects", "telephone", "walk-in", "procedure", "ask", "ethiopian", "african", "sudanese",
})
_NOTE_STEMS: Final = (
    "accommodat", "interpret", "translat", "arrang", "language", "availab", "possib", "limit", "vari", "multi",
    "bilingual", "servic", "staff", "braille", "material", "literature", "deaf", "hearing", "speak", "request",
    "notice", "advance", "call", "contact", "special", "volunteer", "depend", "through", "via", "comprehensive",
)


@dataclass
class LanguageText:
    """What a languages value says."""

    codes: dict[str, str] = field(default_factory=dict)  # code -> name, in the order named
    unknown: list[str] = field(default_factory=list)  # name-like words the table lacks
    notes: bool = False  # words beside the names ("(limited)", "interpreters available")


def language_name(code: str) -> str:
    return ISO_639_1.get(code) or OTHER_CODES[code]


def read_languages(text: str) -> LanguageText:
    out = LanguageText()
    rest = _NEGATED.sub(" ", text)
    out.notes = rest != text
    for match in _NAME.finditer(rest):
        code = _NAMES[match[1].casefold()]
        out.codes.setdefault(code, language_name(code))
    for fragment in _SEPARATORS.split(_NAME.sub(" ", rest)):
        words = fragment.split()
        if not words:
            continue
        if _name_like(words):
            out.unknown.append(" ".join(words))
        else:
            out.notes = True
    return out


def _name_like(words: list[str]) -> bool:
    """One to three capitalised words, none of them a note's or an acronym ("Fujinese", "Kru"; not
    "La Casa TRP", a place to refer to)."""
    if not 1 <= len(words) <= 3 or not all(_NAME_LIKE.match(w) and not (len(w) > 1 and w.isupper()) for w in words):
        return False
    parts = [p for w in words for p in w.casefold().split("-") if p]
    return not any(p in _NOTE_WORDS or p.startswith(_NOTE_STEMS) for p in parts) and all(
        w.casefold() not in _NOTE_WORDS for w in words
    )
