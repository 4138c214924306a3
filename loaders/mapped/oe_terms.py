"""An Open Eligibility taxonomy file, so that a mapped column may name its terms ("Emergency Food") as well as give
their codes (`101-03`): Open Referral's `oe.json` (nested `…_level` lists of `@id`, `@title`) or a CSV with
`taxonomy_id` and `name` columns (an Ohana export's taxonomy.csv)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class OeTerms:
    names: dict[str, str] = field(default_factory=dict)  # code -> name
    by_name: dict[str, list[str]] = field(default_factory=dict)  # case-folded name -> codes, in file order

    def codes(self, text: str) -> list[str]:
        """The codes a value names: itself when it is a code of the file, else every term of that name (a
        name may stand in several branches: "Emergency Food" under Emergency and under Food)."""
        value = text.strip()
        if value in self.names:
            return [value]
        return self.by_name.get(" ".join(value.split()).casefold(), [])


def _walk(node: dict[str, Any], out: list[tuple[str, str]]) -> None:
    for key, children in node.items():
        if key.endswith("_level") and isinstance(children, list):
            for term in children:
                if isinstance(term, dict) and isinstance(term.get("@id"), str) and isinstance(term.get("@title"), str):
                    out.append((term["@id"], term["@title"]))
                    _walk(term, out)


def read_oe_terms(path: Path) -> OeTerms:
    """The terms of the file; ValueError saying what is wrong when it is no Open Eligibility taxonomy."""
    pairs: list[tuple[str, str]] = []
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            if isinstance(data, dict):
                _walk(data.get("taxonomy", data), pairs)
        else:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                for row in csv.DictReader(handle):
                    code, name = (row.get("taxonomy_id") or "").strip(), (row.get("name") or "").strip()
                    if code and name:
                        pairs.append((code, name))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise ValueError(f"cannot read {path.name}: {exc}") from None
    if not pairs:
        raise ValueError(f"{path.name} holds no Open Eligibility terms (oe.json's `…_level` lists of @id and "
                         "@title, or a CSV with taxonomy_id and name columns)")
    by_name: dict[str, list[str]] = defaultdict(list)
    for code, name in pairs:
        by_name[" ".join(name.split()).casefold()].append(code)
    return OeTerms(dict(pairs), dict(by_name))
