"""The Open Eligibility taxonomy of an Ohana export (taxonomy.csv / categories.csv) -> shared terms.

Term ids are `oe:<taxonomy_id>` (`oe:101-02-01`) in every dataset, so two Ohana sources tag the same
nodes; BROADER comes from `parent_id` (the parent's taxonomy_id). Open Eligibility has two kinds of
terms: services (what a service does: a need) and situations (who it is for): a situation tag is
an `eligibility` link, so the search never offers it as a need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from loaders.ohana.files import CsvFile
from loaders.plan import GraphPlan
from loaders.report import Report

OE_TAXONOMY_ID: Final = "open-eligibility"
OE_TAXONOMY_NAME: Final = "Open Eligibility"
NEED: Final = "need"
ELIGIBILITY: Final = "eligibility"


def oe_term_id(taxonomy_id: str) -> str:
    return f"oe:{taxonomy_id}"


@dataclass
class OpenEligibility:
    """The terms read, for the maps and columns that tag services with them."""

    names: dict[str, str] = field(default_factory=dict)  # taxonomy_id -> name
    by_category: dict[str, str] = field(default_factory=dict)  # the file's own `id` -> taxonomy_id
    link_types: dict[str, str] = field(default_factory=dict)  # taxonomy_id -> TAGGED linkType
    complete: bool = True  # the file was read whole: an id it lacks is really unknown


def read_open_eligibility(table: CsvFile, plan: GraphPlan, report: Report) -> OpenEligibility:
    oe = OpenEligibility(complete=table.complete)
    parents: dict[str, tuple[str, int]] = {}  # taxonomy_id -> (parent's taxonomy_id, row)
    first_row: dict[str, int] = {}
    category_row: dict[str, int] = {}
    for row in table.rows:
        tid, name = row.get("taxonomy_id"), row.get("name")
        if tid is None or name is None:
            for column in ("taxonomy_id", "name"):
                if row.get(column) is None:
                    report.error(table.name, row.number, column, "required value is missing")
            continue
        if tid in first_row:
            report.error(table.name, row.number, "taxonomy_id", f"taxonomy_id {tid!r} is also on row {first_row[tid]}")
            continue
        first_row[tid] = row.number
        category = row.get("id")
        if category is not None:
            if category in category_row:
                report.error(table.name, row.number, "id", f"id {category!r} is also on row {category_row[category]}")
            else:
                category_row[category] = row.number
                oe.by_category[category] = tid
        oe.names[tid] = name
        oe.link_types[tid] = ELIGIBILITY if (row.get("type") or "").lower() == "situation" else NEED
        plan.add_node("TaxonomyTerm", oe_term_id(tid), {"code": tid, "name": name, "taxonomy": OE_TAXONOMY_ID})
        plan.add_relationship(("TaxonomyTerm", "IN_TAXONOMY", "Taxonomy"), oe_term_id(tid), OE_TAXONOMY_ID)
        parent = row.get("parent_id")
        if parent is not None:
            parents[tid] = (parent, row.number)
    if oe.names:
        plan.add_node("Taxonomy", OE_TAXONOMY_ID, {"name": OE_TAXONOMY_NAME})
    _link_broader(table, oe, parents, plan, report)
    return oe


def _link_broader(
    table: CsvFile, oe: OpenEligibility, parents: dict[str, tuple[str, int]], plan: GraphPlan, report: Report,
) -> None:
    """BROADER for every parent_id that names a term, leaving out a link that would close a cycle."""
    up = {tid: parent for tid, (parent, _) in parents.items() if parent in oe.names}
    for tid, (parent, number) in parents.items():
        if parent not in oe.names:
            if table.complete:
                report.warning(table.name, number, "parent_id",
                               f"no term with taxonomy_id {parent!r}; the term is loaded without a broader term")
            continue
        path = [tid]
        step: str | None = parent
        while step is not None and step != tid and step not in path[1:]:
            path.append(step)
            step = up.get(step)
        if step == tid:
            report.warning(table.name, number, "parent_id",
                           f"parent_id closes a cycle ({' → '.join([*path, tid])}); that link is left out")
            del up[tid]
            continue
        plan.add_relationship(("TaxonomyTerm", "BROADER", "TaxonomyTerm"), oe_term_id(tid), oe_term_id(parent))
