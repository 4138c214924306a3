"""Language names in a source's languages text -> ISO 639 codes, the ids of the shared Language nodes.

Every loader reads languages with this one table and reader, so a language one source recognises
every source does. Sources fill the column as a list ("English; Spanish") or as prose ("Spanish.
Accommodations possible for other languages.", "ASL with one week's advance notice", "140 languages
via Language Line"), so the text is scanned for language names rather than split into them: every
name found is a language; what is left is either a note (interpreters, a language line, advance
notice, TDD — the caller keeps it as written) or, when it looks like a name (one to three capitalised
words, none of a note's words, no acronym: "Fujinese", "Mai Mai"), a language the table lacks or a
misspelling, which the caller reports.

Codes are ISO 639-1 where the language has one, else ISO 639-3 (or 639-2 for a collective: `sgn`,
`kar`), as HSDS allows: American Sign Language is `ase`. Mandarin and Cantonese are Chinese (`zh`),
as in 639-1; the text, kept as the link's note, still says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

# ISO 639-1: code -> English name.
ISO_639_1: Final[dict[str, str]] = {
    "aa": "Afar", "ab": "Abkhazian", "ae": "Avestan", "af": "Afrikaans", "ak": "Akan", "am": "Amharic",
    "an": "Aragonese", "ar": "Arabic", "as": "Assamese", "av": "Avaric", "ay": "Aymara", "az": "Azerbaijani",
    "ba": "Bashkir", "be": "Belarusian", "bg": "Bulgarian", "bi": "Bislama", "bm": "Bambara", "bn": "Bengali",
    "bo": "Tibetan", "br": "Breton", "bs": "Bosnian", "ca": "Catalan", "ce": "Chechen", "ch": "Chamorro",
    "co": "Corsican", "cr": "Cree", "cs": "Czech", "cu": "Church Slavic", "cv": "Chuvash", "cy": "Welsh",
    "da": "Danish", "de": "German", "dv": "Divehi", "dz": "Dzongkha", "ee": "Ewe", "el": "Greek", "en": "English",
    "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "ff": "Fulah",
    "fi": "Finnish", "fj": "Fijian", "fo": "Faroese", "fr": "French", "fy": "Western Frisian", "ga": "Irish",
    "gd": "Scottish Gaelic", "gl": "Galician", "gn": "Guarani", "gu": "Gujarati", "gv": "Manx", "ha": "Hausa",
    "he": "Hebrew", "hi": "Hindi", "ho": "Hiri Motu", "hr": "Croatian", "ht": "Haitian Creole", "hu": "Hungarian",
    "hy": "Armenian", "hz": "Herero", "ia": "Interlingua", "id": "Indonesian", "ie": "Interlingue", "ig": "Igbo",
    "ii": "Sichuan Yi", "ik": "Inupiaq", "io": "Ido", "is": "Icelandic", "it": "Italian", "iu": "Inuktitut",
    "ja": "Japanese", "jv": "Javanese", "ka": "Georgian", "kg": "Kongo", "ki": "Kikuyu", "kj": "Kuanyama",
    "kk": "Kazakh", "kl": "Kalaallisut", "km": "Khmer", "kn": "Kannada", "ko": "Korean", "kr": "Kanuri",
    "ks": "Kashmiri", "ku": "Kurdish", "kv": "Komi", "kw": "Cornish", "ky": "Kyrgyz", "la": "Latin",
    "lb": "Luxembourgish", "lg": "Ganda", "li": "Limburgish", "ln": "Lingala", "lo": "Lao", "lt": "Lithuanian",
    "lu": "Luba-Katanga", "lv": "Latvian", "mg": "Malagasy", "mh": "Marshallese", "mi": "Maori", "mk": "Macedonian",
    "ml": "Malayalam", "mn": "Mongolian", "mr": "Marathi", "ms": "Malay", "mt": "Maltese", "my": "Burmese",
    "na": "Nauru", "nb": "Norwegian Bokmål", "nd": "North Ndebele", "ne": "Nepali", "ng": "Ndonga", "nl": "Dutch",
    "nn": "Norwegian Nynorsk", "no": "Norwegian", "nr": "South Ndebele", "nv": "Navajo", "ny": "Chichewa",
    "oc": "Occitan", "oj": "Ojibwa", "om": "Oromo", "or": "Oriya", "os": "Ossetian", "pa": "Punjabi", "pi": "Pali",
    "pl": "Polish", "ps": "Pashto", "pt": "Portuguese", "qu": "Quechua", "rm": "Romansh", "rn": "Kirundi",
    "ro": "Romanian", "ru": "Russian", "rw": "Kinyarwanda", "sa": "Sanskrit", "sc": "Sardinian", "sd": "Sindhi",
    "se": "Northern Sami", "sg": "Sango", "si": "Sinhala", "sk": "Slovak", "sl": "Slovenian", "sm": "Samoan",
    "sn": "Shona", "so": "Somali", "sq": "Albanian", "sr": "Serbian", "ss": "Swati", "st": "Southern Sotho",
    "su": "Sundanese", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "tg": "Tajik", "th": "Thai",
    "ti": "Tigrinya", "tk": "Turkmen", "tl": "Tagalog", "tn": "Tswana", "to": "Tongan", "tr": "Turkish",
    "ts": "Tsonga", "tt": "Tatar", "tw": "Twi", "ty": "Tahitian", "ug": "Uyghur", "uk": "Ukrainian", "ur": "Urdu",
    "uz": "Uzbek", "ve": "Venda", "vi": "Vietnamese", "vo": "Volapük", "wa": "Walloon", "wo": "Wolof",
    "xh": "Xhosa", "yi": "Yiddish", "yo": "Yoruba", "za": "Zhuang", "zh": "Chinese", "zu": "Zulu",
}
# Languages without a 639-1 code that US and Canadian directories name: ISO 639-3 (or 639-2) code.
OTHER_CODES: Final[dict[str, str]] = {
    "ase": "American Sign Language", "sgn": "Sign languages", "fil": "Filipino", "hmn": "Hmong", "prs": "Dari",
    "ilo": "Ilocano", "lkt": "Lakota", "chr": "Cherokee", "kar": "Karen", "chk": "Chuukese", "rom": "Romani",
    "hbs": "Serbo-Croatian", "tem": "Temne", "efi": "Efik", "men": "Mende", "mnk": "Mandinka", "kri": "Krio",
}
# Other spellings -> code (lower case). Mandarin and Cantonese go to zh (see the module's note).
ALIASES: Final[dict[str, str]] = {
    "asl": "ase", "a.s.l.": "ase", "a.s.l": "ase", "ameslan": "ase", "american sign": "ase", "sign": "sgn",
    "sign language": "sgn", "sign languages": "sgn", "farsi": "fa", "haitian": "ht", "kreyol": "ht", "kreyòl": "ht",
    "mandarin": "zh", "cantonese": "zh", "castilian": "es", "bangla": "bn", "slovene": "sl", "flemish": "nl",
    "sinhalese": "si", "cambodian": "km", "cambodia": "km", "laotian": "lo", "panjabi": "pa", "pushto": "ps",
    "odia": "or", "uighur": "ug", "nyanja": "ny", "rundi": "rn", "kiswahili": "sw", "ilokano": "ilo", "ibo": "ig",
    "myanmar": "my", "gaelic": "gd", "irish gaelic": "ga", "tigrigna": "ti", "american english": "en",
    # misspellings seen in real exports
    "portugese": "pt", "phillipino": "fil", "philipino": "fil", "gujurati": "gu", "gujrati": "gu", "hindu": "hi",
    "tigrinyan": "ti", "tegrinyan": "ti", "tigrinia": "ti", "amharie": "am", "itallian": "it", "manderine": "zh",
}
_NAMES: Final[dict[str, str]] = {
    **{name.casefold(): code for code, name in {**ISO_639_1, **OTHER_CODES}.items()},
    **ALIASES,
}
_NAME: Final = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(n) for n in sorted(_NAMES, key=len, reverse=True)) + r")(?![\w])",
    re.IGNORECASE,
)
_NEGATED: Final = re.compile(r"\bnon[-\s]+[A-Za-z]+", re.IGNORECASE)  # "non-English speaking" names no language
# A full stop ends a fragment, except after a title ("speak to Ms. Lopez" stays one note).
_SEPARATORS: Final = re.compile(
    r"[,;:/&()\[\]\n+]|(?<!\bMs)(?<!\bMr)(?<!\bDr)(?<!\bMrs)(?<!\bSt)\.(?=\s|$)|\s[-–—]+\s?|\s+(?:and|or)\s+"
    r"|^(?:and|or)\s+",
    re.IGNORECASE,
)
_NAME_LIKE: Final = re.compile(r"^[A-Z][A-Za-z'’\-]*$")
_NOTE_WORDS: Final = frozenset({
    "all", "none", "other", "others", "some", "basic", "minimal", "only", "most", "many", "line", "lines", "link",
    "bank", "tty", "tdd", "tdy", "ttd", "see", "yes", "no", "na", "n/a", "several", "any", "every", "medical",
    "conversational", "also", "english-speaking", "bi-lingual", "dialects", "telephone", "walk-in", "procedure",
    "ask", "ethiopian", "african", "sudanese",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed",
    "thu", "thur", "thurs", "fri", "sat", "sun", "weekdays", "weekends",
})
_NOTE_STEMS: Final = (
    "accommodat", "interpret", "translat", "arrang", "language", "availab", "possib", "limit", "numerous", "vari",
    "multi", "bilingual", "servic", "staff", "braille", "material", "brochure", "literature", "publication", "deaf",
    "hearing", "speak", "request", "notice", "advance", "call", "contact", "note", "fluent", "special", "volunteer",
    "depend", "through", "via", "comprehensive",
)


@dataclass
class LanguageText:
    """What a languages value says."""

    codes: dict[str, str] = field(default_factory=dict)  # code -> name, in the order named
    unknown: list[str] = field(default_factory=list)  # name-like words the table lacks
    plain: bool = True  # nothing but the languages' own names: no note worth keeping
    notes: bool = False  # words beside the names ("(limited)", "Language Line", "accommodations possible")


def language_name(code: str) -> str:
    """The English name of a code this module gives out."""
    return ISO_639_1.get(code) or OTHER_CODES[code]


def read_languages(text: str) -> LanguageText:
    """The languages a text names, the name-like words the table lacks, and whether it says more."""
    out = LanguageText()
    rest = _NEGATED.sub(" ", text)
    if rest != text:
        out.plain, out.notes = False, True
    for match in _NAME.finditer(rest):
        written = match[1]
        code = _NAMES[written.casefold()]
        out.codes.setdefault(code, language_name(code))
        if written.casefold() != language_name(code).casefold():
            out.plain = False
    for fragment in _SEPARATORS.split(_NAME.sub(" ", rest)):
        words = fragment.split()
        if not words:
            continue
        out.plain = False
        if _name_like(words):
            out.unknown.append(" ".join(words))
        else:
            out.notes = True
    return out


def _name_like(words: list[str]) -> bool:
    """One to three capitalised words, none of them a note's or an acronym ("Fujinese", "Mai Mai", "Kiswhali";
    not "La Casa TRP", a place to refer to)."""
    if not 1 <= len(words) <= 3 or not all(_NAME_LIKE.match(w) and not (len(w) > 1 and w.isupper()) for w in words):
        return False
    parts = [p for w in words for p in w.casefold().replace("’", "'").split("-") if p]
    return not any(p in _NOTE_WORDS or p.startswith(_NOTE_STEMS) for p in parts) and all(
        w.casefold() not in _NOTE_WORDS for w in words
    )
