"""Source files' bytes -> text, in the encodings exports come in, every problem located as `file:row:column`.

Exports are UTF-8 (with or without a BOM), UTF-16 with a BOM ("Unicode text" from a spreadsheet) or
Windows-1252. A file that claims UTF-8 (some of its text is UTF-8) but holds a byte that is not is
refused at the row and column of that byte rather than read as mojibake; so is one that is neither.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from loaders.report import Report

# A well-formed UTF-8 sequence of two or more bytes. Windows-1252 text almost never holds one (it would
# read as "Ã©" and the like), so a file that fails UTF-8 yet holds some mixes encodings or is damaged.
_UTF8_SEQUENCE: Final = re.compile(
    rb"[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}"
    rb"|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2}"
)
_UTF16_BOMS: Final = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def header_spelling(name: str) -> str:
    """A header cell as written, without a BOM or surrounding spaces."""
    return name.replace("\ufeff", "").strip()


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # utf-8, utf-8-sig, utf-16 or cp1252
    fallback: str | None = None  # why the text was read as Windows-1252 (the caller may warn), else None


def decode(data: bytes, file: str, report: Report, *, tabular: bool = True,
           column: Callable[[str], str] = header_spelling) -> Decoded | None:
    """The text of a file, or None with an error where its bytes are no text we can trust. A bad byte is
    placed by CSV record and `column(header cell)` when `tabular`, else by line."""
    if data.startswith(_UTF16_BOMS):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            report.error(file, 0, "", f"not UTF-16 text despite its byte-order mark ({exc.reason})")
            return None
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8):] if bom else data
    try:
        return Decoded(body.decode("utf-8"), "utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    row, name = _place(body, bad, tabular, column)
    if bom or _UTF8_SEQUENCE.search(body):
        report.error(file, row, name, f"byte 0x{body[bad]:02X} is not UTF-8, yet the file is UTF-8 elsewhere "
                                      "(mixed encodings or a damaged file); save the whole file as UTF-8")
        return None
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError as exc:
        row, name = _place(body, exc.start, tabular, column)
        report.error(file, row, name, f"byte 0x{body[exc.start]:02X} is neither UTF-8 nor Windows-1252 text; "
                                      "save the file as UTF-8")
        return None
    return Decoded(text, "cp1252", f"not UTF-8 (byte 0x{body[bad]:02X} on row {row}): read as Windows-1252")


def decode_head(data: bytes) -> str:
    """The start of a file as text, leniently (a bad byte becomes U+FFFD): enough to read a header row
    before the whole file is read (and its problems reported) by `decode`."""
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def _place(data: bytes, offset: int, tabular: bool, column: Callable[[str], str]) -> tuple[int, str]:
    """(row, column) of a byte offset: the CSV record and its column's header name, or the line of a text file."""
    head = data[:offset].decode("utf-8", errors="replace")
    if not tabular:
        return head.count("\n") + 1, ""
    records = list(csv.reader(io.StringIO(head, newline="")))
    if not records or head.endswith(("\n", "\r")):
        return len(records) + 1, ""
    header = records[0] if len(records) > 1 else []
    index = len(records[-1]) - 1
    return len(records), column(header[index]) if 0 <= index < len(header) else ""
