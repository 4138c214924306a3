"""A 211 export's AIRS/211 codes -> the shared TaxonomyTerm nodes, their BROADER chain, and the
codes each record is tagged with.

`TaxonomyCodes` is a "; " list; an entry may link a service term with a target term
(`PH-0300.0350 * YF-5000`). Names come from the columns aligned with it, position by position:
`TaxonomyTerm` (leaf names) first, then `TaxonomyTerms` (leaf names, or "Top - Middle - Leaf"
paths, which also name the terms above when the path is as long as the code's chain). iCarol
cuts these columns at 255 characters, so a list that long may end in a cut-off entry: such an
entry names nothing, and a cut-off code is reported. A term keeps the name most rows give it (the
code itself when none does). Target-population codes (`Y…`) say who a service is for: their tags
are eligibility links, the others need links (graph.schema.model.NON_NEED_LINK_TYPES).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Final

from loaders.airs211 import columns as c
from loaders.airs211.csvfile import Row, Table
from loaders.plan import GraphPlan
from loaders.report import Report
from loaders.taxonomy_codes import AIRS_TAXONOMY_ID, AIRS_TAXONOMY_NAME, chain, normalise_code, split_linked, term_id

TARGET_POPULATIONS: Final = "Y"
NEED: Final = "need"
ELIGIBILITY: Final = "eligibility"
# A name taken from the leaf columns outranks one read off a path for a term above.
_LEAF, _PATH = 2, 1


def link_type(code: str) -> str:
    return ELIGIBILITY if code.startswith(TARGET_POPULATIONS) else NEED


def _entries(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


@dataclass
class Vocabulary:
    """The AIRS terms of one export, gathered row by row and written to the plan at the end."""

    codes: set[str] = field(default_factory=set)
    names: dict[str, Counter[tuple[int, str]]] = field(default_factory=lambda: defaultdict(Counter))

    def read(self, table: Table, row: Row, report: Report) -> list[str]:
        """The normalised codes of a row, in order, each once; names noted, bad codes reported."""
        raw = row.get(c.CODES)
        entries = _entries(raw)
        cut = raw is not None and len(raw) >= c.CUT_AT
        leaves = self._aligned(row.get(c.TERM_NAMES), len(entries))
        paths = self._aligned(row.get(c.TERM_PATHS), len(entries))
        out: dict[str, None] = {}
        for i, entry in enumerate(entries):
            last = cut and i == len(entries) - 1
            parts = split_linked(entry)
            for k, part in enumerate(parts):
                code = normalise_code(part)
                if code is None:
                    hint = f" (the column holds {len(raw or '')} characters: the list looks cut off)" if last else ""
                    report.warning(table.file, row.number, table.name(c.CODES),
                                   f"{part!r} is not an AIRS/211 code{hint}; left out")
                    continue
                out.setdefault(code, None)
                self.codes.add(code)
                if not last:
                    self._name(code, k, len(parts), leaves[i] if leaves else None, paths[i] if paths else None)
        return list(out)

    @staticmethod
    def _aligned(text: str | None, count: int) -> list[str] | None:
        names = _entries(text)
        return names if len(names) == count else None

    def _name(self, code: str, k: int, parts: int, leaf: str | None, path: str | None) -> None:
        """Note the names an entry gives the k-th of its `parts` linked codes and the terms above it."""
        if leaf is not None and len(leaf_parts := split_linked(leaf)) == parts:
            self.names[code][(_LEAF, leaf_parts[k])] += 1
        if path is None or len(path_parts := split_linked(path)) != parts:
            return
        steps = [s.strip() for s in path_parts[k].split(" - ")]
        if leaf is None and steps[-1]:
            self.names[code][(_LEAF, steps[-1])] += 1
        codes = chain(code)
        if len(steps) == len(codes) and all(steps):
            for up, name in zip(codes[1:], reversed(steps[:-1]), strict=True):
                self.names[up][(_PATH, name)] += 1

    def name(self, code: str) -> str:
        """The best name of a code: from the leaf columns before paths, then the most given, then
        the first in alphabetical order; the code itself when no row names it."""
        counts = self.names.get(code)
        if not counts:
            return code
        (_rank, name), _count = min(counts.items(), key=lambda item: (-item[0][0], -item[1], item[0][1]))
        return name

    def add_to(self, plan: GraphPlan) -> None:
        """The Taxonomy node and every code's term with its whole BROADER chain."""
        if not self.codes:
            return
        plan.add_node("Taxonomy", AIRS_TAXONOMY_ID, {"name": AIRS_TAXONOMY_NAME})
        every = sorted({up for code in self.codes for up in chain(code)})
        for code in every:
            plan.add_node("TaxonomyTerm", term_id(code), {"code": code, "name": self.name(code),
                                                          "taxonomy": AIRS_TAXONOMY_ID})
            plan.add_relationship(("TaxonomyTerm", "IN_TAXONOMY", "Taxonomy"), term_id(code), AIRS_TAXONOMY_ID)
            above = chain(code)
            if len(above) > 1:
                plan.add_relationship(("TaxonomyTerm", "BROADER", "TaxonomyTerm"), term_id(code), term_id(above[1]))
