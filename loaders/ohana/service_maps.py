"""Service tags: the JSON maps of a BCHD-style export ({service id: [ids or codes]}) and the
services.csv `taxonomy_ids` column, each -> `(:Service)-[:TAGGED {linkType}]->(:TaxonomyTerm)`.

A map entry that names no service, a category the taxonomy lacks or text that is no AIRS code is
a warning and only that tag is skipped: the maps are extra knowledge about services that load
either way.
"""

from __future__ import annotations

from typing import Any

from loaders.ohana.airs import AirsTerms, link_type
from loaders.ohana.files import json_kind
from loaders.ohana.ids import Known
from loaders.ohana.open_eligibility import OpenEligibility, oe_term_id
from loaders.ohana.values import items
from loaders.plan import GraphPlan
from loaders.report import Report
from loaders.taxonomy_codes import normalise_code, split_linked

TAGGED = ("Service", "TAGGED", "TaxonomyTerm")
MapEntries = list[tuple[int, str, Any]]  # (record number, service id, value)


def _entries(entries: MapEntries, file: str, services: Known, what: str, report: Report
             ) -> list[tuple[int, str, str, list[Any]]]:
    """(record number, service id, its graph id, its list) of each entry naming a service."""
    out = []
    for number, key, value in entries:
        if not isinstance(value, list):
            report.warning(file, number, key, f"expected a list of {what}, found {json_kind(value)}; entry skipped")
            continue
        service = services.resolve(key, report, file, number, key, required=False, skipped="entry skipped")
        if service is not None:
            out.append((number, key, service, value))
    return out


def tag_from_oe_map(entries: MapEntries, file: str, services: Known, oe: OpenEligibility, plan: GraphPlan,
                    report: Report) -> None:
    """service_categories.json: values are the taxonomy file's own `id`s (not taxonomy_ids)."""
    for number, key, service, values in _entries(entries, file, services, "category ids", report):
        for i, value in enumerate(values):
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                report.warning(file, number, f"{key}[{i}]", f"expected a category id, found {json_kind(value)}; "
                                                            "tag skipped")
                continue
            tid = oe.by_category.get(value.strip())
            if tid is None:
                if oe.complete:
                    report.warning(file, number, f"{key}[{i}]", f"no category with id {value!r}; tag skipped")
                continue
            plan.add_relationship(TAGGED, service, oe_term_id(tid), {"linkType": oe.link_types[tid]})


def tag_from_airs_map(entries: MapEntries, file: str, services: Known, airs: AirsTerms, plan: GraphPlan,
                      report: Report) -> None:
    """service_icarol_categories.json: values are AIRS/211 codes, possibly linked (`A * B`)."""
    for number, key, service, values in _entries(entries, file, services, "AIRS/211 codes", report):
        for i, value in enumerate(values):
            if not isinstance(value, str):
                report.warning(file, number, f"{key}[{i}]", f"expected an AIRS/211 code, found {json_kind(value)}; "
                                                            "tag skipped")
                continue
            for part in split_linked(value):
                code = normalise_code(part)
                if code is None:
                    report.warning(file, number, f"{key}[{i}]", f"{part!r} is not an AIRS/211 code; tag skipped")
                    continue
                plan.add_relationship(TAGGED, service, airs.add(code), {"linkType": link_type(code)})


def tag_from_column(text: str, service: str, file: str, row: int, oe: OpenEligibility | None, plan: GraphPlan,
                    report: Report) -> None:
    """services.csv `taxonomy_ids`: Open Eligibility taxonomy_ids, comma separated."""
    if oe is None:
        report.warning(file, row, "taxonomy_ids", "no taxonomy.csv to resolve the ids; tags skipped")
        return
    for tid in items(text):
        if tid in oe.names:
            plan.add_relationship(TAGGED, service, oe_term_id(tid), {"linkType": oe.link_types[tid]})
        elif oe.complete:
            report.warning(file, row, "taxonomy_ids", f"no Open Eligibility term with taxonomy_id {tid!r}; "
                                                      "tag skipped")
