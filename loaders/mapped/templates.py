"""Templates of a mapping: `"{street}, {city}"`, a key `"{provider_id}-{service_code}"`, `{$item}` for the value
of a multi-value cell."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

ITEM: Final = "$item"  # in a template: the value of the multi-value cell an object is made for
_PART: Final = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def normalise_column(name: str) -> str:
    """Columns are matched case-blind, surrounding spaces and a byte-order mark ignored (as `load ohana` reads)."""
    return name.replace("\ufeff", "").strip().lower()


@dataclass(frozen=True)
class Template:
    parts: tuple[str | None, ...]  # text, or None where columns[k] goes (in order)
    columns: list[str]

    @classmethod
    def parse(cls, text: str) -> Template:
        parts: list[str | None] = []
        columns: list[str] = []
        at = 0
        for match in _PART.finditer(text):
            parts.append(text[at:match.start()])
            token = match[0]
            if token in ("{{", "}}"):
                parts.append(token[0])
            elif token in ("{", "}"):
                raise ValueError(f"template {text!r}: a lone {token!r} (write {token * 2} for a brace)")
            else:
                name = match[1].strip()
                if not name:
                    raise ValueError(f"template {text!r}: an empty {{}} (name a column in it)")
                parts.append(None)
                columns.append(name if name == ITEM else normalise_column(name))
            at = match.end()
        parts.append(text[at:])
        return cls(tuple(p for p in parts if p != ""), columns)

    def render(self, values: Mapping[str, str], item: str | None = None) -> str | None:
        """The text, or None when every column it names is empty (a template naming none is constant)."""
        found = [item if c == ITEM else values.get(c) for c in self.columns]
        if self.columns and not any(found):
            return None
        cells = iter(found)
        text = "".join(p if p is not None else (next(cells) or "") for p in self.parts)
        return text.strip() or None
