"""AIRS/211 terms of a load: each code with its whole BROADER chain (loaders.taxonomy_codes), named
from the crosswalk's 211 names where it has one, else by the code itself."""

from __future__ import annotations

from loaders.plan import GraphPlan
from loaders.taxonomy_codes import AIRS_TAXONOMY_ID, AIRS_TAXONOMY_NAME, chain, term_id

# AIRS target-population codes (Y…) say who a service is for, not which need it meets.
TARGET_POPULATION_SECTION = "Y"


class AirsTerms:
    """Adds a code's term and the terms above it to the plan, once each."""

    def __init__(self, plan: GraphPlan, names: dict[str, str]) -> None:
        self._plan = plan
        self._names = names
        self._added: set[str] = set()

    def add(self, code: str) -> str:
        """The term id of a normalised code, its chain added to the plan."""
        if code in self._added:
            return term_id(code)
        if not self._added:
            self._plan.add_node("Taxonomy", AIRS_TAXONOMY_ID, {"name": AIRS_TAXONOMY_NAME})
        codes = chain(code)
        for child, parent in zip(codes, [*codes[1:], None], strict=True):
            if child in self._added:
                break
            self._added.add(child)
            self._plan.add_node("TaxonomyTerm", term_id(child),
                                {"code": child, "name": self._names.get(child), "taxonomy": AIRS_TAXONOMY_ID})
            self._plan.add_relationship(("TaxonomyTerm", "IN_TAXONOMY", "Taxonomy"), term_id(child), AIRS_TAXONOMY_ID)
            if parent is not None:
                self._plan.add_relationship(("TaxonomyTerm", "BROADER", "TaxonomyTerm"), term_id(child),
                                            term_id(parent))
        return term_id(code)


def link_type(code: str) -> str:
    return "eligibility" if code.startswith(TARGET_POPULATION_SECTION) else "need"
