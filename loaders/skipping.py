"""`--skip-invalid`: leave out each invalid record and everything that depends on it, load the rest.

A parser reports each problem about one record with the record it is about (loaders.report `record`, `node`).
`skip_invalid` takes the problems that would stop the load (errors; warnings too under `--strict`), removes
the plan node of each record they name, then every node that cannot stand without a removed one (REQUIRES
and OWNED: a service without its organization, a service-at-location without its location, a phone without
the last record that has it), each with a problem saying what it depended on, until nothing more falls; relationships
to removed nodes go with them. A parser names the nodes that are records of their own (`origins`: a
phone on its own row of phones.csv is; a phone read from a column of its service's row is not, and goes
with its record unlisted). What is left is a plan whose every record was valid on its own and has
everything it depends on.

A problem that names no record (the file cannot be read, a required column is missing) cannot be skipped:
the load stops, as without the flag.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from loaders.plan import GraphPlan, RelKey
from loaders.report import Problem, Severity

Node = tuple[str, str]  # (label, id)

# Two ways a record cannot stand without another (relationships not named here, such as taxonomy tags,
# languages, ties, programs and an area's locations, only go with a removed end):
# - it REQUIRES each record it is linked to so: a service needs its organization, a service-at-location both its
#   service and its location; it falls with any of them;
# - it is OWNED: a phone, schedule, address, funding source … belongs to the records that have it, and falls
#   with the last of them (a funding source, one per text in a dataset, stays while any funded record stays).
# Each maps (from, TYPE, to) to the side that depends: "to" or "from".
REQUIRES: Final[dict[RelKey, str]] = {
    ("Organization", "PROVIDES", "Service"): "to",
    ("Organization", "RUNS", "Program"): "to",
    ("Service", "DELIVERED_AT", "ServiceAtLocation"): "to",
    ("ServiceAtLocation", "AT", "Location"): "from",
    ("Organization", "SENT", "ReferralFlow"): "to",
    ("ReferralFlow", "RECEIVED_BY", "Organization"): "from",
    ("ReferralFlow", "RECEIVED_BY", "Service"): "from",
    ("NeedCount", "IN_AREA", "Area"): "from",
    ("Area", "WITHIN", "Area"): "from",  # an area within a skipped one: where it lies is unknown
}
OWNED: Final[dict[RelKey, str]] = {
    ("Organization", "HAS_IDENTIFIER", "OrganizationIdentifier"): "to",
    ("Organization", "HAS_LOCATION", "Location"): "to",
    ("Organization", "HAS_PHONE", "Phone"): "to",
    ("Organization", "HAS_CONTACT", "Contact"): "to",
    ("Organization", "HAS_FUNDING", "Funding"): "to",
    ("Location", "HAS_ADDRESS", "Address"): "to",
    ("Location", "HAS_ACCESSIBILITY", "Accessibility"): "to",
    ("Service", "HAS_PHONE", "Phone"): "to",
    ("Location", "HAS_PHONE", "Phone"): "to",
    ("Contact", "HAS_PHONE", "Phone"): "to",
    ("ServiceAtLocation", "HAS_PHONE", "Phone"): "to",
    ("Service", "HAS_CONTACT", "Contact"): "to",
    ("Location", "HAS_CONTACT", "Contact"): "to",
    ("ServiceAtLocation", "HAS_CONTACT", "Contact"): "to",
    ("Service", "HAS_SCHEDULE", "Schedule"): "to",
    ("Location", "HAS_SCHEDULE", "Schedule"): "to",
    ("ServiceAtLocation", "HAS_SCHEDULE", "Schedule"): "to",
    ("Service", "SERVES_AREA", "ServiceArea"): "to",
    ("Service", "HAS_COST_OPTION", "CostOption"): "to",
    ("Service", "REQUIRES_DOCUMENT", "RequiredDocument"): "to",
    ("Service", "HAS_FUNDING", "Funding"): "to",
}
# Either way, the side that depends (a record owned by one record only falls with it, as if it required it).
DEPENDS_ON: Final[dict[RelKey, str]] = {**REQUIRES, **OWNED}
_WORDS = re.compile(r"(?<!^)(?=[A-Z])")


def kind_words(label: str) -> str:
    """`ServiceAtLocation` -> `service at location`: a label as the message says it."""
    return _WORDS.sub(" ", label).lower()


@dataclass(frozen=True)
class Origin:
    """Where a plan node came from, for a dependant's line in the rejects report."""

    file: str
    row: int
    record: tuple[str, str]


@dataclass
class Skipped:
    """What `skip_invalid` left out: every problem of every record skipped (its own, or that it depended on a
    skipped one), and the problems that name no record (which stop the load)."""

    problems: list[Problem] = field(default_factory=list)
    unattributed: list[Problem] = field(default_factory=list)

    def records(self) -> dict[tuple[str, str], list[Problem]]:
        """The skipped records, each once, with its problems in the order found."""
        out: dict[tuple[str, str], list[Problem]] = {}
        for p in self.problems:
            assert p.record is not None
            out.setdefault(p.record, []).append(p)
        return out

    def counts(self) -> dict[str, int]:
        """Skipped records per kind."""
        counts: dict[str, int] = defaultdict(int)
        for kind, _ in self.records():
            counts[kind] += 1
        return dict(counts)


def skip_invalid(plan: GraphPlan, problems: Iterable[Problem], origins: Mapping[Node, Origin] | None = None,
                 requires: Iterable[tuple[Node, Node]] = ()) -> Skipped:
    """Remove from `plan` (in place) the records the stopping `problems` name and all that depend on them.
    `origins` names the plan nodes that are records of the source, and where each came from: a dependant that
    is one is reported there; one that is not (a phone read from its service's row) goes with its record.
    `requires` adds (dependant, required) pairs a format has beyond REQUIRES (an Ohana service needs its
    location, which the plan links only through a service-at-location)."""
    origins = origins or {}
    skipped = Skipped()
    removed: dict[Node, str] = {}  # node -> why, as a dependant's message names it
    for p in problems:
        if p.severity is not Severity.ERROR:
            continue
        if p.record is None:
            skipped.unattributed.append(p)
            continue
        skipped.problems.append(p)
        if p.node is not None and p.node not in removed:
            removed[p.node] = _its(p.record)
    if skipped.unattributed:
        return skipped
    needed_by, owned_by, owners = _dependants(plan, requires)
    frontier = list(removed)
    while frontier:
        node = frontier.pop()
        falling = list(needed_by.get(node, ()))
        falling += [child for child in owned_by.get(node, ()) if owners[child] <= removed.keys()]
        for child in falling:
            if child in removed:
                continue
            origin = origins.get(child)
            if origin is None:  # a part of a record (a 211 row's phone), not a record: it goes with it unlisted
                removed[child] = removed[node]
            else:
                removed[child] = _its(origin.record)
                skipped.problems.append(Problem(origin.file, origin.row, "", f"skipped: {removed[node]} was skipped",
                                                Severity.ERROR, origin.record, child))
            frontier.append(child)
    _remove(plan, set(removed))
    return skipped


def _its(record: tuple[str, str]) -> str:
    kind, id_ = record
    return f"its {kind_words(kind) if kind[:1].isupper() else kind.replace('_', ' ')} {id_}"


def _dependants(plan: GraphPlan, requires: Iterable[tuple[Node, Node]]
                ) -> tuple[dict[Node, list[Node]], dict[Node, list[Node]], dict[Node, set[Node]]]:
    """By the plan's relationships: for each node, the nodes that require it, the nodes it owns, and for each
    owned node all its owners."""
    needed_by: dict[Node, list[Node]] = defaultdict(list)
    owned_by: dict[Node, list[Node]] = defaultdict(list)
    owners: dict[Node, set[Node]] = defaultdict(set)
    for key, rels in plan.relationships.items():
        required_side, owned_side = REQUIRES.get(key), OWNED.get(key)
        if required_side is None and owned_side is None:
            continue
        from_label, _, to_label = key
        for rel in rels.values():
            a, b = (from_label, rel["from"]), (to_label, rel["to"])
            if required_side is not None:
                dependant, required = (b, a) if required_side == "to" else (a, b)
                needed_by[required].append(dependant)
            else:
                child, owner = (b, a) if owned_side == "to" else (a, b)
                owned_by[owner].append(child)
                owners[child].add(owner)
    for dependant, required in requires:
        needed_by[required].append(dependant)
    return needed_by, owned_by, owners


def _remove(plan: GraphPlan, nodes: set[Node]) -> None:
    for label, id_ in nodes:
        plan.nodes.get(label, {}).pop(id_, None)
    for key, rels in plan.relationships.items():
        from_label, _, to_label = key
        gone = [rid for rid, rel in rels.items()
                if (from_label, rel["from"]) in nodes or (to_label, rel["to"]) in nodes]
        for rid in gone:
            del rels[rid]
