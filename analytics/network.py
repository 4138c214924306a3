"""Agency-tie network metrics for planners: how connected the system is, who brokers, where it would break.

Pure computation: plain rows in (`Agency`, `Tie`), frozen dataclasses out. Every metric is unweighted
(`Tie.weight` is carried but not used).

Definitions
-----------
Nodes
    Every agency given is a node, isolates included (an agency with no tie is the most siloed one), except
    agencies whose sector is "collaborative" (situation tables, coalitions: the ties loader creates them
    as MEMBER_OF targets). Agencies of unknown sector (None) are nodes like any other.
Ties (G)
    REFERS_TO ∪ PARTNERS_WITH ∪ SHARES_DATA_WITH ∪ co-membership, plus FUNDS only with
    `include_funds=True`. A MEMBER_OF tie is not itself an edge: every two members of the same MEMBER_OF
    target are tied instead ("co-membership"); a target that is a normal agency stays a node with its
    other ties and still ties its members to one another (but not to itself). A group of k members adds
    up to k(k-1)/2 ties.
Ignored ties (`ignored_ties`)
    A tie whose two ends are not both nodes (an unknown organization, or a collaborative at the end of
    a tie other than MEMBER_OF), a MEMBER_OF whose member is not a node or whose target is unknown, and
    a self-tie. FUNDS ties left out because `include_funds` is False are not ignored: they are counted
    in `funds_excluded`. `ties_by_type` counts the raw ties of each type that were used.
U
    The undirected simple graph of G: a pair tied in any way, in any direction, is one edge.
    `ties` = edges of U. `co_membership_only_ties` = edges of U that exist only through co-membership.
Density
    2m / (n(n-1)); 0 for n < 2.
Components
    Connected components of U (an isolate is a component of its own); `largest_component_share` is the
    share of nodes in the largest one (None for an empty graph).
Degree centralization (Freeman)
    Σ (d_max - d_i) / ((n-1)(n-2)) over the degrees of U: 1 for a star, 0 when every degree is equal;
    None for n < 3.
Reciprocity
    Over distinct directed REFERS_TO arcs only (PARTNERS_WITH and SHARES_DATA_WITH are mutual by
    definition and would inflate it): the share of arcs a→b whose reverse b→a also exists. None when
    there is no REFERS_TO arc.
E-I index (Krackhardt)
    Over the edges of U. For a sector S: I = edges with both ends in S, E = edges with one end in S and
    the other in another known sector; (E - I) / (E + I), from -1 (all ties inside the sector) to +1 (all
    ties outside it), None when E + I = 0. Edges to an agency of unknown sector are left out of E and I
    (they could be either) and reported as `unknown_ties`. The whole-network index is
    (external - internal) / (external + internal) over the edges whose two ends have known sectors,
    internal meaning the same sector. Agencies of unknown sector get no row in `sectors`.
Brokers
    Betweenness on U (Brandes, igraph): for each agency, the number of pairs of other agencies whose
    shortest paths run through it (each unordered pair once, split between equal shortest paths).
    Exact when n ≤ `exact_betweenness_max_nodes`; otherwise estimated from `pivots` source agencies
    drawn without replacement with `random.Random(seed)`: igraph's `betweenness(sources=S)` on an
    undirected graph returns ½ Σ_{s∈S} δ_s(v) (δ_s = the dependency of v from source s; summing over every
    source gives the exact value), so multiplying by n / |S| gives an unbiased estimate.
    `normalized_betweenness` = betweenness / ((n-1)(n-2)/2), the share of pairs brokered (0 for n < 3).
    Constraint is Burt's constraint on U (unweighted; 1 for an agency with a single tie, lower for an
    agency whose contacts are not tied to one another; None for an isolate). `brokers` lists the `top`
    agencies by betweenness, ties broken by id; agencies with betweenness 0 are not brokers and are
    never listed.
Single points of failure
    Articulation points: agencies whose removal disconnects their component; `pieces` is how many parts
    their component falls into without them. Bridges: edges of U whose removal disconnects their
    component, as (smaller id, larger id). Both sorted.
Communities
    Louvain (igraph `community_multilevel`) on U, repeatable: the graph is built from sorted ids and
    sorted edges, and igraph's random numbers come from `random.Random(seed)` for the call. `modularity`
    is that of the whole partition (None when U has no edge). `communities` lists communities of two or
    more agencies by size (largest first), then smallest member id; singleton communities (every
    isolate, counted in `isolates`, and rarely an agency Louvain leaves alone) are not listed.
    `index` is the position in that list, from 0.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

import igraph
import numpy as np
import numpy.typing as npt

COLLABORATIVE_SECTOR: Final = "collaborative"
TIE_TYPES: Final = ("REFERS_TO", "PARTNERS_WITH", "SHARES_DATA_WITH", "FUNDS", "MEMBER_OF")

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_CODE: Final = {name: code for code, name in enumerate(TIE_TYPES)}
_REFERS_TO: Final = _CODE["REFERS_TO"]
_FUNDS: Final = _CODE["FUNDS"]
_MEMBER_OF: Final = _CODE["MEMBER_OF"]
_USED, _IGNORED, _EXCLUDED = 0, 1, 2  # tie status: used, ignored, FUNDS left out

# igraph draws random numbers from one process-global generator: seeding it is a critical section.
_RNG_LOCK: Final = threading.Lock()


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    sector: str | None  # a sector key (e.g. "sector-police"); None when unknown


@dataclass(frozen=True)
class Tie:
    source: str  # organization id (the member, for MEMBER_OF)
    target: str
    type: str  # one of TIE_TYPES
    weight: float | None = None  # carried, not used


@dataclass(frozen=True)
class SectorMixing:
    sector: str
    organizations: int
    internal_ties: int  # I: both ends in the sector
    external_ties: int  # E: the other end in another known sector
    unknown_ties: int  # the other end of unknown sector (left out of E-I)
    ei_index: float | None  # (E - I) / (E + I)


@dataclass(frozen=True)
class Broker:
    id: str
    name: str
    sector: str | None
    degree: int
    betweenness: float
    normalized_betweenness: float
    constraint: float | None


@dataclass(frozen=True)
class ArticulationPoint:
    id: str
    name: str
    sector: str | None
    pieces: int  # parts its component falls into without it (≥ 2)


@dataclass(frozen=True)
class Community:
    index: int
    size: int
    members: tuple[str, ...]  # sorted ids
    sectors: tuple[tuple[str | None, int], ...]  # (sector, count), most common first; None = unknown


@dataclass(frozen=True)
class NetworkSummary:
    nodes: int
    ties: int  # edges of U
    ties_by_type: tuple[tuple[str, int], ...]  # raw ties used, in TIE_TYPES order
    ignored_ties: int
    funds_excluded: int
    co_membership_only_ties: int
    density: float
    components: int
    largest_component_share: float | None
    isolates: int
    degree_centralization: float | None
    reciprocity: float | None
    ei_index: float | None
    sectors: tuple[SectorMixing, ...]  # by sector key
    brokers: tuple[Broker, ...]
    betweenness_exact: bool
    betweenness_pivots: int | None  # None when exact
    articulation_points: tuple[ArticulationPoint, ...]  # by id
    bridges: tuple[tuple[str, str], ...]
    modularity: float | None
    communities: tuple[Community, ...]


@dataclass(frozen=True)
class _TieTable:
    """Every raw tie by node index (-1 where an end is not a node), kept so a restriction can recount."""

    kind: IntArray  # index in TIE_TYPES
    source: IntArray
    target: IntArray
    status: IntArray


@dataclass(frozen=True, eq=False)
class AgencyGraph:
    """The agency network: vertex i of `undirected` (U) is `ids[i]`; ids are sorted. Treat it as read-only."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    sectors: tuple[str | None, ...]
    undirected: igraph.Graph
    edges: IntArray  # U's edges as rows (i, j), i < j, sorted; row k is igraph edge k
    direct: BoolArray  # per edge: tied directly, not only through co-membership
    referrals: IntArray  # distinct REFERS_TO arcs (i, j), sorted
    funding: IntArray  # distinct FUNDS arcs (i, j), sorted; empty unless include_funds
    include_funds: bool
    _ties: _TieTable = field(repr=False)
    _index: dict[str, int] = field(repr=False)

    @classmethod
    def build(cls, agencies: Sequence[Agency], ties: Iterable[Tie], *, include_funds: bool = False) -> AgencyGraph:
        """The network of these agencies and ties (see the module docstring for what becomes a tie)."""
        seen: set[str] = set()
        for agency in agencies:
            if agency.id in seen:
                raise ValueError(f"agency {agency.id!r} is given twice; give each organization once")
            seen.add(agency.id)
        nodes = sorted((a for a in agencies if a.sector != COLLABORATIVE_SECTOR), key=lambda a: a.id)
        index = {a.id: i for i, a in enumerate(nodes)}
        collaboratives = seen - index.keys()

        kinds: list[int] = []
        sources: list[int] = []
        targets: list[int] = []
        statuses: list[int] = []
        groups: dict[str, set[int]] = {}
        for tie in ties:
            code = _CODE.get(tie.type)
            if code is None:
                raise ValueError(f"unknown tie type {tie.type!r}; expected one of {', '.join(TIE_TYPES)}")
            s, t = index.get(tie.source, -1), index.get(tie.target, -1)
            if code == _FUNDS and not include_funds:
                status = _EXCLUDED
            elif code == _MEMBER_OF:
                known_target = t >= 0 or tie.target in collaboratives
                status = _USED if s >= 0 and known_target and tie.source != tie.target else _IGNORED
                if status == _USED:
                    groups.setdefault(tie.target, set()).add(s)
            else:
                status = _USED if s >= 0 and t >= 0 and s != t else _IGNORED
            kinds.append(code)
            sources.append(s)
            targets.append(t)
            statuses.append(status)
        table = _TieTable(*(np.array(v, dtype=np.int64) for v in (kinds, sources, targets, statuses)))

        n = len(nodes)
        pairwise = (table.status == _USED) & (table.kind != _MEMBER_OF)
        direct_codes = _pair_codes(table.source[pairwise], table.target[pairwise], n)
        member_codes = [_clique_codes(members, n) for members in groups.values() if len(members) > 1]
        codes = np.unique(np.concatenate([direct_codes, *member_codes]))
        edges = np.column_stack((codes // n, codes % n)) if n else np.empty((0, 2), dtype=np.int64)
        direct = np.isin(codes, direct_codes)

        return cls._assemble(
            ids=tuple(a.id for a in nodes),
            names=tuple(a.name for a in nodes),
            sectors=tuple(a.sector for a in nodes),
            edges=edges,
            direct=direct,
            referrals=_arcs(table, _REFERS_TO, n),
            funding=_arcs(table, _FUNDS, n),
            include_funds=include_funds,
            table=table,
        )

    @classmethod
    def _assemble(
        cls,
        *,
        ids: tuple[str, ...],
        names: tuple[str, ...],
        sectors: tuple[str | None, ...],
        edges: IntArray,
        direct: BoolArray,
        referrals: IntArray,
        funding: IntArray,
        include_funds: bool,
        table: _TieTable,
    ) -> AgencyGraph:
        return cls(
            ids=ids,
            names=names,
            sectors=sectors,
            undirected=igraph.Graph(n=len(ids), edges=edges.tolist()),
            edges=edges,
            direct=direct,
            referrals=referrals,
            funding=funding,
            include_funds=include_funds,
            _ties=table,
            _index={agency_id: i for i, agency_id in enumerate(ids)},
        )

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, organization_id: object) -> bool:
        return organization_id in self._index

    def index_of(self, organization_id: str) -> int:
        """The vertex of an agency; KeyError when it is not a node (unknown, or a collaborative)."""
        try:
            return self._index[organization_id]
        except KeyError:
            raise KeyError(f"{organization_id!r} is not an agency of this network") from None

    def within_hops(self, organization_id: str, max_hops: int) -> set[str]:
        """Ids at distance 1..max_hops in U from this agency (not itself); KeyError when it is not a node."""
        if max_hops < 0:
            raise ValueError(f"max_hops must be ≥ 0, not {max_hops}")
        start = self.index_of(organization_id)
        if max_hops == 0:
            return set()
        # igraph's C breadth-first search: as fast as a Python BFS over a cached adjacency list at one hop,
        # faster beyond, and nothing to keep in memory
        ids = self.ids
        return {ids[v] for v in self.undirected.neighborhood(start, order=max_hops, mindist=1)}

    def restricted(self, ids: Collection[str]) -> AgencyGraph:
        """The subgraph of U induced by these agencies (ids that are not nodes are skipped).

        Co-membership ties between two kept members stay. Raw tie counts are recounted: a used tie
        counts when all its node ends are kept (for MEMBER_OF: its member); an ignored or excluded one
        when any of its node ends is.
        """
        keep = np.zeros(len(self.ids), dtype=np.bool_)
        keep[np.fromiter((self._index[i] for i in ids if i in self._index), dtype=np.int64)] = True
        remap = np.cumsum(keep, dtype=np.int64) - 1
        remap[~keep] = -1
        kept = np.flatnonzero(keep)

        def inside(vertices: IntArray) -> BoolArray:
            result: BoolArray = (vertices >= 0) & keep[np.maximum(vertices, 0)]
            return result

        def moved(vertices: IntArray) -> IntArray:
            result: IntArray = np.where(inside(vertices), remap[np.maximum(vertices, 0)], -1)
            return result

        def arcs(rows: IntArray) -> IntArray:
            result: IntArray = remap[rows[inside(rows[:, 0]) & inside(rows[:, 1])]]
            return result

        table = self._ties
        source_in, target_in = inside(table.source), inside(table.target)
        used = table.status == _USED
        member = table.kind == _MEMBER_OF
        counted = np.where(
            used,
            np.where(member, source_in, source_in & target_in),
            source_in | target_in,
        )
        edge_kept = keep[self.edges[:, 0]] & keep[self.edges[:, 1]]
        return self._assemble(
            ids=tuple(self.ids[i] for i in kept),
            names=tuple(self.names[i] for i in kept),
            sectors=tuple(self.sectors[i] for i in kept),
            edges=remap[self.edges[edge_kept]].reshape(-1, 2),
            direct=self.direct[edge_kept],
            referrals=arcs(self.referrals),
            funding=arcs(self.funding),
            include_funds=self.include_funds,
            table=_TieTable(
                kind=table.kind[counted],
                source=moved(table.source)[counted],
                target=moved(table.target)[counted],
                status=table.status[counted],
            ),
        )

    def undirected_pairs(self) -> list[tuple[str, str]]:
        """Each edge of U once, as (smaller id, larger id), sorted."""
        return [(self.ids[i], self.ids[j]) for i, j in self.edges.tolist()]

    @property
    def ties_by_type(self) -> tuple[tuple[str, int], ...]:
        """How many raw ties of each type were used, in TIE_TYPES order."""
        table = self._ties
        counts = np.bincount(table.kind[table.status == _USED], minlength=len(TIE_TYPES))
        return tuple(zip(TIE_TYPES, (int(c) for c in counts), strict=True))

    @property
    def ignored_ties(self) -> int:
        return int(np.count_nonzero(self._ties.status == _IGNORED))

    @property
    def funds_excluded(self) -> int:
        return int(np.count_nonzero(self._ties.status == _EXCLUDED))


def summarize(
    graph: AgencyGraph,
    *,
    seed: int = 7,
    top: int = 10,
    exact_betweenness_max_nodes: int = 2500,
    pivots: int = 400,
) -> NetworkSummary:
    """Every metric of the module docstring for this network; repeatable for a given seed."""
    if top < 0 or pivots < 1 or exact_betweenness_max_nodes < 0:
        raise ValueError("top must be ≥ 0, pivots ≥ 1 and exact_betweenness_max_nodes ≥ 0")
    u = graph.undirected
    n, m = len(graph.ids), len(graph.edges)
    degree = np.array(u.degree(), dtype=np.int64)
    component_sizes = u.connected_components().sizes()
    betweenness, exact = _betweenness(u, seed=seed, max_exact=exact_betweenness_max_nodes, pivots=pivots)
    modularity, communities = _communities(graph, seed=seed)
    ei_index, sectors = _mixing(graph)
    return NetworkSummary(
        nodes=n,
        ties=m,
        ties_by_type=graph.ties_by_type,
        ignored_ties=graph.ignored_ties,
        funds_excluded=graph.funds_excluded,
        co_membership_only_ties=int(np.count_nonzero(~graph.direct)),
        density=2 * m / (n * (n - 1)) if n >= 2 else 0.0,
        components=len(component_sizes),
        largest_component_share=max(component_sizes) / n if n else None,
        isolates=int(np.count_nonzero(degree == 0)),
        degree_centralization=float(np.sum(degree.max() - degree)) / ((n - 1) * (n - 2)) if n >= 3 else None,
        reciprocity=_reciprocity(graph.referrals, n),
        ei_index=ei_index,
        sectors=sectors,
        brokers=_brokers(graph, degree, betweenness, top),
        betweenness_exact=exact,
        betweenness_pivots=None if exact else pivots,
        articulation_points=_articulation_points(graph),
        bridges=tuple(sorted((graph.ids[i], graph.ids[j]) for i, j in graph.edges[u.bridges()].tolist())),
        modularity=modularity,
        communities=communities,
    )


def burt_constraint(graph: AgencyGraph) -> dict[str, float | None]:
    """Burt's constraint of every agency on U (unweighted); None for an isolate."""
    values = graph.undirected.constraint()
    return {agency_id: None if np.isnan(c) else float(c) for agency_id, c in zip(graph.ids, values, strict=True)}


def _pair_codes(a: IntArray, b: IntArray, n: int) -> IntArray:
    """Unordered pairs as lo*n + hi."""
    codes: IntArray = np.minimum(a, b) * n + np.maximum(a, b)
    return codes


def _clique_codes(members: set[int], n: int) -> IntArray:
    vertices = np.array(sorted(members), dtype=np.int64)
    first, second = np.triu_indices(len(vertices), k=1)
    return _pair_codes(vertices[first], vertices[second], n)


def _arcs(table: _TieTable, kind: int, n: int) -> IntArray:
    chosen = (table.status == _USED) & (table.kind == kind)
    codes = np.unique(table.source[chosen] * n + table.target[chosen])
    return np.column_stack((codes // n, codes % n)) if n else np.empty((0, 2), dtype=np.int64)


def _reciprocity(arcs: IntArray, n: int) -> float | None:
    if not len(arcs):
        return None
    forward = arcs[:, 0] * n + arcs[:, 1]
    backward = arcs[:, 1] * n + arcs[:, 0]
    return float(np.count_nonzero(np.isin(forward, backward))) / len(arcs)


def _ratio(external: int, internal: int) -> float | None:
    return (external - internal) / (external + internal) if external + internal else None


def _mixing(graph: AgencyGraph) -> tuple[float | None, tuple[SectorMixing, ...]]:
    """Whole-network E-I index and one row per known sector."""
    keys = sorted({s for s in graph.sectors if s is not None})
    code = {s: i for i, s in enumerate(keys)}
    vertex_sector = np.array([-1 if s is None else code[s] for s in graph.sectors], dtype=np.int64)
    size = len(keys)
    a, b = vertex_sector[graph.edges[:, 0]], vertex_sector[graph.edges[:, 1]]
    both = (a >= 0) & (b >= 0)
    internal, external = both & (a == b), both & (a != b)
    one_side = (a >= 0) ^ (b >= 0)
    internal_by = np.bincount(a[internal], minlength=size)
    external_by = np.bincount(a[external], minlength=size) + np.bincount(b[external], minlength=size)
    unknown_by = np.bincount(np.maximum(a, b)[one_side], minlength=size)
    organizations = np.bincount(vertex_sector[vertex_sector >= 0], minlength=size)
    rows = tuple(
        SectorMixing(
            sector=key,
            organizations=int(organizations[i]),
            internal_ties=int(internal_by[i]),
            external_ties=int(external_by[i]),
            unknown_ties=int(unknown_by[i]),
            ei_index=_ratio(int(external_by[i]), int(internal_by[i])),
        )
        for i, key in enumerate(keys)
    )
    return _ratio(int(np.count_nonzero(external)), int(np.count_nonzero(internal))), rows


def _betweenness(u: igraph.Graph, *, seed: int, max_exact: int, pivots: int) -> tuple[npt.NDArray[np.float64], bool]:
    """Betweenness of every vertex, and whether it is exact (see the module docstring for the estimate)."""
    n = u.vcount()
    if n <= max_exact or pivots >= n:
        return np.array(u.betweenness(), dtype=np.float64), True
    sources = sorted(random.Random(seed).sample(range(n), pivots))
    partial = np.array(u.betweenness(sources=sources), dtype=np.float64)
    return partial * (n / pivots), False


def _brokers(
    graph: AgencyGraph, degree: IntArray, betweenness: npt.NDArray[np.float64], top: int
) -> tuple[Broker, ...]:
    n = len(graph.ids)
    # rounded so that equal values computed along different paths still tie, and fall back to id order
    order = np.lexsort((np.arange(n), -np.round(betweenness, 9)))
    chosen = [int(i) for i in order[:top] if betweenness[i] > 0]
    if not chosen:
        return ()
    constraint = [float(c) for c in graph.undirected.constraint(vertices=chosen)]
    pairs = (n - 1) * (n - 2) / 2
    return tuple(
        Broker(
            id=graph.ids[i],
            name=graph.names[i],
            sector=graph.sectors[i],
            degree=int(degree[i]),
            betweenness=float(betweenness[i]),
            normalized_betweenness=float(betweenness[i]) / pairs if pairs else 0.0,
            constraint=None if np.isnan(c) else c,
        )
        for i, c in zip(chosen, constraint, strict=True)
    )


def _articulation_points(graph: AgencyGraph) -> tuple[ArticulationPoint, ...]:
    # a cut vertex splits its component into as many parts as there are blocks (biconnected components) it is in
    blocks, cut_vertices = graph.undirected.biconnected_components(return_articulation_points=True)
    cut = set(cut_vertices)
    pieces: Counter[int] = Counter(v for block in blocks for v in block if v in cut)
    return tuple(
        ArticulationPoint(id=graph.ids[v], name=graph.names[v], sector=graph.sectors[v], pieces=pieces[v])
        for v in sorted(cut)
    )


def _communities(graph: AgencyGraph, *, seed: int) -> tuple[float | None, tuple[Community, ...]]:
    u = graph.undirected
    if u.ecount() == 0:
        return None, ()
    with _RNG_LOCK:
        igraph.set_random_number_generator(random.Random(seed))
        try:
            clustering = u.community_multilevel()
        finally:
            # igraph's default generator is the `random` module itself (None would switch to its C PCG32)
            igraph.set_random_number_generator(random)
    groups = sorted(
        (sorted(graph.ids[v] for v in members) for members in clustering if len(members) > 1),
        key=lambda ids: (-len(ids), ids[0]),
    )
    sector_of = dict(zip(graph.ids, graph.sectors, strict=True))
    return float(clustering.modularity), tuple(
        Community(index=k, size=len(ids), members=tuple(ids), sectors=_sector_counts(sector_of[i] for i in ids))
        for k, ids in enumerate(groups)
    )


def _sector_counts(sectors: Iterable[str | None]) -> tuple[tuple[str | None, int], ...]:
    counts = Counter(sectors)
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0] is None, item[0] or "")))
