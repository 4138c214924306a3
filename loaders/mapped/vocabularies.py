"""Taxonomy columns of a mapped file -> the shared TaxonomyTerm nodes, their BROADER chain, and each object's tags.

AIRS/211 codes give their whole chain from the code alone (loaders.taxonomy_codes), as `load 211` does, with the
same term ids, so a need picked once finds services of every source; Open Eligibility codes (`101-02-01`) give
theirs the same way, with the ids `load ohana` gives them; a local vocabulary is flat, its terms named by the
values. A term is named by the names column aligned with the codes where the mapping has one (the name most
rows give it), else by its code.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from loaders.airs211.taxonomy import link_type as airs_link_type
from loaders.mapped.spec import Tags
from loaders.ohana.open_eligibility import OE_TAXONOMY_ID, OE_TAXONOMY_NAME, oe_term_id
from loaders.plan import GraphPlan
from loaders.taxonomy_codes import AIRS_TAXONOMY_ID, AIRS_TAXONOMY_NAME, chain, normalise_code, split_linked, term_id
from loaders.toolkit.ids import slug

NEED: Final = "need"
_OE_CODE: Final = re.compile(r"^\d+(?:-\d+)*$")
_ENTITY: Final = {"Organization": "organization", "Service": "service", "Location": "location",
                  "ServiceAtLocation": "service_at_location"}


@dataclass(frozen=True)
class Term:
    id: str
    code: str
    taxonomy: str
    broader: str | None  # the code one level up


def _oe_chain(code: str) -> list[str]:
    parts = code.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


@dataclass
class Vocabularies:
    """Terms and tags gathered row by row, added to the plan once it is built."""

    terms: dict[str, Term] = field(default_factory=dict)
    names: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    taxonomies: dict[str, str] = field(default_factory=dict)  # id -> name
    file_names: dict[str, str] = field(default_factory=dict)  # term id -> its name in a taxonomy file
    # node -> term -> TAGGED linkType
    tags: dict[tuple[str, str], dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    def read(self, tags: Tags, text: str | None, names_text: str | None, owner: tuple[str, str]) -> list[str]:
        """Tag `owner` with the terms in `text`; the values that are no code of the vocabulary (for a warning)."""
        if not text:
            return []
        values = [v.strip() for v in text.split(tags.split) if v.strip()]
        names = [v.strip() for v in (names_text or "").split(tags.split) if v.strip()]
        aligned = names if len(names) == len(values) else []
        bad: list[str] = []
        for i, value in enumerate(values):
            name = aligned[i] if aligned else None
            kind = tags.vocabulary.kind
            if kind == "airs":
                parts = split_linked(value)
                for part in parts:
                    code = normalise_code(part)
                    if code is None:
                        bad.append(part)
                        continue
                    self._chain(chain(code), term_id, AIRS_TAXONOMY_ID, AIRS_TAXONOMY_NAME)
                    if name and len(parts) == 1:
                        self.names[term_id(code)][name] += 1
                    self.tags[owner].setdefault(term_id(code), tags.link_type or airs_link_type(code))
            elif kind == "open-eligibility":
                codes = tags.terms.codes(value) if tags.terms else [value] if _OE_CODE.match(value) else []
                if not codes:
                    bad.append(value)
                for code in codes:
                    self._chain(_oe_chain(code), oe_term_id, OE_TAXONOMY_ID, OE_TAXONOMY_NAME)
                    if name:
                        self.names[oe_term_id(code)][name] += 1
                    self.tags[owner].setdefault(oe_term_id(code), tags.link_type or NEED)
                    if tags.terms:
                        self.file_names.update((oe_term_id(up), tags.terms.names[up])
                                               for up in _oe_chain(code) if up in tags.terms.names)
            else:
                taxonomy = tags.vocabulary.taxonomy_id
                self.taxonomies[taxonomy] = tags.vocabulary.name
                tid = f"{taxonomy}:{slug(value)}"
                self.terms.setdefault(tid, Term(tid, value, taxonomy, None))
                self.names[tid][name or value] += 1
                self.tags[owner].setdefault(tid, tags.link_type or NEED)
        return bad

    def _chain(self, codes: list[str], make_id: Callable[[str], str], taxonomy: str, taxonomy_name: str) -> None:
        """A code and those above it (`codes`, nearest first), each a term once."""
        self.taxonomies[taxonomy] = taxonomy_name
        for k, up in enumerate(codes):
            tid = make_id(up)
            if tid in self.terms:
                break
            self.terms[tid] = Term(tid, up, taxonomy, make_id(codes[k + 1]) if k + 1 < len(codes) else None)

    def name(self, tid: str) -> str:
        """The name a taxonomy file gives the term, else the one most rows give it, else its code."""
        if tid in self.file_names:
            return self.file_names[tid]
        counts = self.names.get(tid)
        if not counts:
            return self.terms[tid].code
        return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]

    def add_to(self, plan: GraphPlan) -> int:
        """Terms, their chains and the tags of the objects the plan holds; the number of tags added."""
        for taxonomy, name in sorted(self.taxonomies.items()):
            plan.add_node("Taxonomy", taxonomy, {"name": name})
        for tid, term in sorted(self.terms.items()):
            plan.add_node("TaxonomyTerm", tid, {"code": term.code, "name": self.name(tid), "taxonomy": term.taxonomy})
            plan.add_relationship(("TaxonomyTerm", "IN_TAXONOMY", "Taxonomy"), tid, term.taxonomy)
            if term.broader is not None:
                plan.add_relationship(("TaxonomyTerm", "BROADER", "TaxonomyTerm"), tid, term.broader)
        added = 0
        for (label, owner), terms in self.tags.items():
            if owner not in plan.nodes.get(label, {}):
                continue  # the object is invalid: its tags go with it
            for tid, link in terms.items():
                plan.add_relationship((label, "TAGGED", "TaxonomyTerm"), owner, tid,
                                      {"linkType": link, "linkEntity": _ENTITY[label]})
                added += 1
        return added
