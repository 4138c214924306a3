"""Turn each planned service's eligibility text into structured criteria the search can judge.

Run on a parsed `GraphPlan` before it is written (pure, no database). `apply_criteria` sets the
age limits the source did not state and tags the service with the population terms its text
names (`TAGGED {linkType: "eligibility"}`, what the search's population check reads);
`residency_links` ties it to the areas its residents must live in, once the caller knows the
loaded areas. What came from text, not from the source, is listed in the service's
`derivedFields`: `minimumAge`, `maximumAge`, `populations` (its eligibility tags) and `residency`
(its RESIDENTS_OF links); the text itself is kept as it was.

Running either twice gives the same plan: derived values are recomputed, links have fixed ids
(`service>term`, `service>area`), and a value or tag the source stated is never replaced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graph.schema.model import ELIGIBILITY_LINK_TYPE
from loaders.area_matching import normalise_area_name
from loaders.eligibility_text import Criteria, extract_criteria
from loaders.plan import GraphPlan
from loaders.populations import TAXONOMY_DESCRIPTION, TAXONOMY_ID, TAXONOMY_NAME, TERMS_BY_ID

ELIGIBILITY_LINK: Final = ELIGIBILITY_LINK_TYPE
DERIVED_NOTE: Final = "derived from the eligibility text"
TAGGED: Final = ("Service", "TAGGED", "TaxonomyTerm")
IN_TAXONOMY: Final = ("TaxonomyTerm", "IN_TAXONOMY", "Taxonomy")
RESIDENTS_OF: Final = ("Service", "RESIDENTS_OF", "Area")
# Names of one place that eligibility text and area layers spell differently.
_ALIASES: Final[dict[str, str]] = {
    "dc": "district of columbia", "d c": "district of columbia", "district": "district of columbia",
    "washington dc": "district of columbia", "washington d c": "district of columbia",
    "city of baltimore": "baltimore city", "us": "united states", "u s": "united states", "usa": "united states",
}
_SUFFIX: Final = re.compile(r"\s+(?:city|county)$")


@dataclass(frozen=True)
class EnrichmentCounts:
    services: int = 0  # services with eligibility text
    minimum_ages: int = 0  # minimumAge derived from text
    maximum_ages: int = 0
    tagged_services: int = 0  # services given eligibility population tags
    tags: int = 0
    stated_ages_kept: int = 0  # ages the text gives but the source stated already


def residency_key(name: str) -> str:
    """A place name as areas are looked up by: normalised, with known aliases ("DC" = "District of Columbia")."""
    key = normalise_area_name(name)
    return _ALIASES.get(key, key)


def apply_criteria(plan: GraphPlan) -> EnrichmentCounts:
    """Derive each service's age limits and population tags from its eligibility text, in place."""
    tagged = plan.relationships[TAGGED]
    stated_tags = {r["from"] for r in tagged.values() if _stated_eligibility(r)}
    for rel_id in [k for k, r in tagged.items() if _derived(r)]:
        del tagged[rel_id]  # recomputed below: the text may have changed since
    counts = dict.fromkeys(("services", "minimum_ages", "maximum_ages", "tagged_services", "tags",
                            "stated_ages_kept"), 0)
    used: set[str] = set()
    for service_id, node in plan.nodes.get("Service", {}).items():
        props = node["props"]
        derived = set(props.get("derivedFields") or ()) - {"populations"}
        text = props.get("eligibilityDescription")
        has_text = isinstance(text, str) and bool(text.strip())
        criteria = extract_criteria(str(text)) if has_text else Criteria()
        counts["services"] += has_text
        for field, key in (("minimumAge", "minimum_ages"), ("maximumAge", "maximum_ages")):
            outcome = _derive_age(props, derived, field, _value(criteria, field))
            if outcome != "none":
                counts[key if outcome == "derived" else "stated_ages_kept"] += 1
        if criteria.populations and service_id not in stated_tags:
            for term_id in criteria.populations:
                plan.add_relationship(TAGGED, service_id, term_id,
                                      {"linkType": ELIGIBILITY_LINK, "linkEntity": "service", "note": DERIVED_NOTE})
            used.update(criteria.populations)
            derived.add("populations")
            counts["tagged_services"] += 1
            counts["tags"] += len(criteria.populations)
        _set_derived(props, derived)
    _add_vocabulary(plan, used)
    return EnrichmentCounts(**counts)


def residency_links(plan: GraphPlan, areas_by_name: Mapping[str, str]) -> int:
    """Add Service -RESIDENTS_OF-> Area for each residency its text names that is one known area's name.

    `areas_by_name` maps area names (any spelling; they are normalised here) to area ids; a name
    two areas share is ambiguous and left unlinked. Returns the number of links made.
    """
    index: dict[str, set[str]] = {}
    for name, area_id in areas_by_name.items():
        index.setdefault(residency_key(name), set()).add(area_id)
    rels = plan.relationships[RESIDENTS_OF]
    for rel_id in [k for k, r in rels.items() if _derived(r)]:
        del rels[rel_id]
    added = 0
    for service_id, node in plan.nodes.get("Service", {}).items():
        props = node["props"]
        derived = set(props.get("derivedFields") or ())
        derived.discard("residency")
        text = props.get("eligibilityDescription")
        if isinstance(text, str) and text.strip():
            for place in extract_criteria(text).residency:
                found = _area(place, index)
                if found is not None:
                    added += f"{service_id}>{found}" not in rels
                    plan.add_relationship(RESIDENTS_OF, service_id, found, {"note": DERIVED_NOTE})
                    derived.add("residency")
        _set_derived(props, derived)
    return added


def _area(place: str, index: Mapping[str, set[str]]) -> str | None:
    key = residency_key(place)
    ids = index.get(key) or index.get(_SUFFIX.sub("", key)) or set()
    return next(iter(ids)) if len(ids) == 1 else None


def _value(criteria: Criteria, field: str) -> int | None:
    return criteria.minimum_age if field == "minimumAge" else criteria.maximum_age


def _derive_age(props: dict[str, Any], derived: set[str], field: str, value: int | None) -> str:
    """Set `field` to the text's `value` unless the source stated it: "derived", "stated" (the
    source's value stays although the text gives one) or "none"."""
    if props.get(field) is not None and field not in derived:
        return "stated" if value is not None else "none"
    props.pop(field, None)
    derived.discard(field)
    other = props.get("maximumAge" if field == "minimumAge" else "minimumAge")
    low, high = (value, other) if field == "minimumAge" else (other, value)
    if value is None or (low is not None and high is not None and low > high):
        return "none"  # nothing said, or at odds with the other limit
    props[field] = value
    derived.add(field)
    return "derived"


def _set_derived(props: dict[str, Any], derived: set[str]) -> None:
    if derived:
        props["derivedFields"] = sorted(derived)
    else:
        props.pop("derivedFields", None)


def _derived(rel: Mapping[str, Any]) -> bool:
    return bool(rel["props"].get("note") == DERIVED_NOTE)


def _stated_eligibility(rel: Mapping[str, Any]) -> bool:
    return rel["props"].get("linkType") == ELIGIBILITY_LINK and not _derived(rel)


def _add_vocabulary(plan: GraphPlan, term_ids: set[str]) -> None:
    """The population taxonomy and the terms used, unless the plan has them already (a source's own win)."""
    if not term_ids:
        return
    if TAXONOMY_ID not in plan.nodes.get("Taxonomy", {}):
        plan.add_node("Taxonomy", TAXONOMY_ID, {"name": TAXONOMY_NAME, "description": TAXONOMY_DESCRIPTION})
    terms = plan.nodes.get("TaxonomyTerm", {})
    for term_id in sorted(term_ids - set(terms)):
        term = TERMS_BY_ID[term_id]
        plan.add_node("TaxonomyTerm", term.id, {"code": term.code, "name": term.name, "description": term.description,
                                                "taxonomy": TAXONOMY_NAME, "language": "en"})
        plan.add_relationship(IN_TAXONOMY, term.id, TAXONOMY_ID)
