"""Spatial accessibility of services: the two-step floating catchment area method.

Classic 2SFCA (Luo & Wang 2003) and the enhanced form with distance-decay steps (E2SFCA, Luo & Qi 2009).
With demand points i (population P_i), supply sites j (capacity S_j), distance d_ij and weight W(d):

    step 1, per site:  C_j = Σ_k P_k W(d_kj)   (weighted catchment population)
                       R_j = S_j / C_j, or 0 with the site flagged `empty_catchment` when C_j = 0
    step 2, per area:  A_i = Σ_j R_j W(d_ij)

THE INVARIANT: Σ_i P_i A_i = Σ_j R_j C_j = Σ_j S_j over the sites with a non-empty catchment
(`Accessibility.access_total == Accessibility.supply_with_catchment`, up to float rounding). Every unit of
reachable supply is shared out among the people who can reach it, no more, no less; so the
population-weighted regional average is supply_with_catchment / total_population. It holds only because
both steps use the same W (a ratio built from unweighted populations under E2SFCA breaks it).

Definitions this module fixes:
- Distance: great-circle on the mean Earth sphere (R = 6371.0088 km, as `domain.geo.haversine_km`),
  d = 2R·asin(c/2) with c the chord between the two points' unit vectors. That is the haversine
  formula's value (hav(d/R) = (c/2)²) without trigonometry per pair, and as precise at short range.
- Reach: d ≤ up_to_km counts, with no epsilon. Each pair's weight is decided once, in one matrix that
  feeds both steps, so the two steps can never disagree about an edge; a pair within ~1e-12 km of a
  bound may fall either side by rounding.
- Steps (E2SFCA): W(d) = the weight of the first step with d ≤ up_to_km; 0 beyond the last step. The
  steps' bounds rise strictly, the first above 0, the last at most catchment_km (beyond it nothing
  counts, so a last step short of catchment_km narrows the catchment to it); weights are in (0, 1]
  and never rise with distance. Without steps (classic 2SFCA), W(d) = 1 for d ≤ catchment_km, else 0.

Distances are computed in blocks of sites (`CHUNK_CELLS` area × site pairs at a time), so the working
matrices stay a few MB whatever the number of sites; both steps for a block need only that block, as C_j
sums over all areas.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM: Final = 6371.0088
MAX_CATCHMENT_KM: Final = 200.0
CHUNK_CELLS: Final = 1 << 18  # area x site pairs per block: 2 MB per float64 matrix, cache-sized (fastest measured)
DEFAULT_STEP_WEIGHTS: Final = (1.0, 0.68, 0.22)  # Luo & Qi 2009: Gaussian weights of three equal zones

FloatArray = npt.NDArray[np.float64]


class AccessibilityInputError(ValueError):
    """Input a caller can fix; the message says what to change."""


@dataclass(frozen=True, slots=True)
class DemandPoint:
    """One planning area: its centroid (or population-weighted point) and its demand (≥ 0)."""

    id: str
    latitude: float
    longitude: float
    population: float


@dataclass(frozen=True, slots=True)
class SupplySite:
    """One place a service is delivered (service × location); capacity 1 unless known, > 0."""

    id: str
    latitude: float
    longitude: float
    capacity: float = 1.0


@dataclass(frozen=True, slots=True)
class DecayStep:
    """E2SFCA: the weight for distances in (previous step's up_to_km, up_to_km]."""

    up_to_km: float
    weight: float


@dataclass(frozen=True, slots=True)
class AreaAccess:
    """One demand point's result. `supply_in_reach` sums capacities unweighted; `nearest_site_km` ignores
    the catchment (None only when there are no sites)."""

    id: str
    population: float
    score: float
    ratio_to_average: float | None
    sites_in_reach: int
    supply_in_reach: float
    nearest_site_km: float | None


@dataclass(frozen=True, slots=True)
class SiteAccess:
    """One site's step 1: its weighted catchment population and supply-to-demand ratio R_j."""

    id: str
    capacity: float
    catchment_population: float
    ratio: float
    empty_catchment: bool


@dataclass(frozen=True, slots=True)
class Accessibility:
    """Scores per area and ratios per site, both in input order, with the totals the invariant relates."""

    areas: tuple[AreaAccess, ...]
    sites: tuple[SiteAccess, ...]
    catchment_km: float
    steps: tuple[DecayStep, ...] | None  # None: classic 2SFCA
    regional_average: float | None  # Σ P_i A_i / Σ P_i; None when the total population is 0
    total_population: float
    total_supply: float
    supply_with_catchment: float  # Σ S_j over sites with a non-empty catchment

    @property
    def access_total(self) -> float:
        """Σ_i P_i A_i, which equals `supply_with_catchment` (the module's invariant)."""
        return math.fsum(area.population * area.score for area in self.areas)


def _check_catchment(catchment_km: float) -> None:
    if not 0 < catchment_km <= MAX_CATCHMENT_KM:
        raise AccessibilityInputError(
            f"catchmentKm must be > 0 and ≤ {MAX_CATCHMENT_KM:g}, not {catchment_km:g}")


def default_steps(catchment_km: float) -> tuple[DecayStep, ...]:
    """Thirds of the catchment weighted 1.00, 0.68, 0.22 (Luo & Qi 2009's Gaussian steps)."""
    _check_catchment(catchment_km)
    bounds = (catchment_km / 3, 2 * catchment_km / 3, catchment_km)
    return tuple(DecayStep(bound, weight) for bound, weight in zip(bounds, DEFAULT_STEP_WEIGHTS, strict=True))


def _check_steps(steps: Sequence[DecayStep], catchment_km: float) -> tuple[DecayStep, ...]:
    if not steps:
        raise AccessibilityInputError("steps must hold at least one step, or be omitted for classic 2SFCA")
    previous: DecayStep | None = None
    for number, step in enumerate(steps, start=1):
        if not 0 < step.weight <= 1:
            raise AccessibilityInputError(f"step {number}: weight must be > 0 and ≤ 1, not {step.weight:g}")
        if previous is None:
            if not step.up_to_km > 0:
                raise AccessibilityInputError(f"step 1: upToKm must be > 0, not {step.up_to_km:g}")
        else:
            if not step.up_to_km > previous.up_to_km:
                raise AccessibilityInputError(
                    f"step {number}: upToKm must be more than step {number - 1}'s {previous.up_to_km:g},"
                    f" not {step.up_to_km:g} (steps run from near to far)")
            if step.weight > previous.weight:
                raise AccessibilityInputError(
                    f"step {number}: weight must be at most step {number - 1}'s {previous.weight:g},"
                    f" not {step.weight:g} (weights decay with distance)")
        previous = step
    if not steps[-1].up_to_km <= catchment_km:
        raise AccessibilityInputError(
            f"the last step's upToKm ({steps[-1].up_to_km:g}) must be at most catchmentKm ({catchment_km:g})")
    return tuple(steps)


def _column(values: Iterable[float], count: int) -> FloatArray:
    return np.fromiter(values, dtype=np.float64, count=count)


def _check_points(kind: str, ids: Sequence[str], latitude: FloatArray, longitude: FloatArray) -> None:
    for name, values, limit in (("latitude", latitude, 90.0), ("longitude", longitude, 180.0)):
        bad = np.flatnonzero(~((values >= -limit) & (values <= limit)))  # NaN is bad too
        if bad.size:
            first = int(bad[0])
            raise AccessibilityInputError(
                f"{kind} {ids[first]!r}: {name} must be between -{limit:g} and {limit:g}, not {values[first]:g}")
    seen: set[str] = set()
    for point_id in ids:
        if point_id in seen:
            raise AccessibilityInputError(f"{kind} ids must be unique; {point_id!r} appears more than once")
        seen.add(point_id)


def _unit_vectors(latitude: FloatArray, longitude: FloatArray) -> FloatArray:
    """(3, n) unit vectors of points given in degrees."""
    lat, lon = np.radians(latitude), np.radians(longitude)
    cos_lat = np.cos(lat)
    return np.stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)])


def _chord2_of_km(km: float) -> float:
    """The squared unit-sphere chord of a great-circle distance: d ≤ km ⇔ chord² ≤ this (monotone)."""
    return float((2 * math.sin(km / (2 * EARTH_RADIUS_KM))) ** 2)


def _km_of_chord2(chord2: FloatArray) -> FloatArray:
    half_chord = np.minimum(np.sqrt(chord2) / 2, 1.0)
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(half_chord), dtype=np.float64)


def _chord2_block(areas: FloatArray, sites: FloatArray) -> FloatArray:
    """Squared chords between (3, n) area and (3, c) site unit vectors: an (n, c) matrix, two allocations."""
    out: FloatArray = np.subtract.outer(areas[0], sites[0])
    np.square(out, out=out)
    tmp = np.empty_like(out)
    for axis in (1, 2):
        np.subtract.outer(areas[axis], sites[axis], out=tmp)
        np.square(tmp, out=tmp)
        out += tmp
    return out


def _step_weights(chord2: FloatArray, reach: FloatArray, bounds: Sequence[float],
                  weights: Sequence[float]) -> FloatArray:
    """W per pair: the weight of the first step whose bound the pair is within (nearer steps overwrite)."""
    weight: FloatArray = reach * weights[-1]
    for bound, step_weight in zip(bounds[-2::-1], weights[-2::-1], strict=True):
        np.copyto(weight, step_weight, where=chord2 <= bound)
    return weight


def two_step_fca(demand: Sequence[DemandPoint], supply: Sequence[SupplySite], *, catchment_km: float,
                 steps: Sequence[DecayStep] | None = None, chunk_sites: int | None = None) -> Accessibility:
    """2SFCA (steps=None) or E2SFCA scores of every demand point; see the module docstring for definitions.

    `chunk_sites` sets how many sites each distance block holds (default: CHUNK_CELLS // areas); the
    result does not depend on it beyond float rounding.
    """
    _check_catchment(catchment_km)
    checked_steps = None if steps is None else _check_steps(steps, catchment_km)
    if chunk_sites is not None and chunk_sites < 1:
        raise AccessibilityInputError(f"chunk_sites must be at least 1, not {chunk_sites}")
    n, m = len(demand), len(supply)
    area_ids = [point.id for point in demand]
    site_ids = [site.id for site in supply]
    area_lat = _column((point.latitude for point in demand), n)
    area_lon = _column((point.longitude for point in demand), n)
    population = _column((point.population for point in demand), n)
    site_lat = _column((site.latitude for site in supply), m)
    site_lon = _column((site.longitude for site in supply), m)
    capacity = _column((site.capacity for site in supply), m)
    _check_points("demand point", area_ids, area_lat, area_lon)
    _check_points("site", site_ids, site_lat, site_lon)
    bad = np.flatnonzero(~(np.isfinite(population) & (population >= 0)))
    if bad.size:
        first = int(bad[0])
        raise AccessibilityInputError(
            f"demand point {area_ids[first]!r}: population must be ≥ 0 and finite, not {population[first]:g}")
    bad = np.flatnonzero(~(np.isfinite(capacity) & (capacity > 0)))
    if bad.size:
        first = int(bad[0])
        raise AccessibilityInputError(
            f"site {site_ids[first]!r}: capacity must be > 0 and finite (1 when unknown), not {capacity[first]:g}")

    if checked_steps is None:
        bounds, weights = [_chord2_of_km(catchment_km)], [1.0]
    else:
        bounds = [_chord2_of_km(step.up_to_km) for step in checked_steps]
        weights = [step.weight for step in checked_steps]
    reach_bound = bounds[-1]

    area_xyz, site_xyz = _unit_vectors(area_lat, area_lon), _unit_vectors(site_lat, site_lon)
    score = np.zeros(n)
    in_reach = np.zeros(n)
    supply_in_reach = np.zeros(n)
    nearest_chord2 = np.full(n, np.inf)
    catchment_population = np.zeros(m)
    ratio = np.zeros(m)
    block = chunk_sites or max(1, CHUNK_CELLS // max(1, n))
    for start in range(0, m, block):
        stop = min(m, start + block)
        chord2 = _chord2_block(area_xyz, site_xyz[:, start:stop])
        np.minimum(nearest_chord2, chord2.min(axis=1, initial=np.inf), out=nearest_chord2)
        reach = (chord2 <= reach_bound).astype(np.float64)
        weight = reach if checked_steps is None else _step_weights(chord2, reach, bounds, weights)
        del chord2
        block_capacity = capacity[start:stop]
        catchment = population @ weight  # step 1: C_j
        block_ratio = np.divide(block_capacity, catchment, out=np.zeros_like(catchment), where=catchment > 0)
        score += weight @ block_ratio  # step 2: A_i, the same W
        in_reach += reach.sum(axis=1)
        supply_in_reach += reach @ block_capacity
        catchment_population[start:stop] = catchment
        ratio[start:stop] = block_ratio

    empty = ~(catchment_population > 0)
    total_population = math.fsum(population.tolist())
    access_total = math.fsum((population * score).tolist())
    regional_average = access_total / total_population if total_population > 0 else None
    nearest = _km_of_chord2(nearest_chord2) if m else None
    areas = tuple(
        AreaAccess(
            id=area_ids[i], population=float(population[i]), score=float(score[i]),
            ratio_to_average=float(score[i]) / regional_average if regional_average else None,
            sites_in_reach=int(in_reach[i]), supply_in_reach=float(supply_in_reach[i]),
            nearest_site_km=None if nearest is None else float(nearest[i]))
        for i in range(n))
    sites = tuple(
        SiteAccess(id=site_id, capacity=cap, catchment_population=pop, ratio=r, empty_catchment=e)
        for site_id, cap, pop, r, e in zip(site_ids, capacity.tolist(), catchment_population.tolist(),
                                           ratio.tolist(), empty.tolist(), strict=True))
    return Accessibility(
        areas=areas, sites=sites, catchment_km=catchment_km, steps=checked_steps,
        regional_average=regional_average, total_population=total_population,
        total_supply=math.fsum(capacity.tolist()),
        supply_with_catchment=math.fsum(capacity[~empty].tolist()))


def deserts(result: Accessibility, *, below_ratio: float) -> set[str]:
    """Ids of areas with no access (score 0) or access below `below_ratio` × the regional average.

    Areas of population 0 are judged like the rest; filter on population where they are noise.
    """
    if not (math.isfinite(below_ratio) and below_ratio >= 0):
        raise AccessibilityInputError(
            f"belowRatio must be ≥ 0 (0.5 = under half the regional average), not {below_ratio:g}")
    return {area.id for area in result.areas
            if area.score == 0 or (area.ratio_to_average is not None and area.ratio_to_average < below_ratio)}
