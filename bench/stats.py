"""Percentiles for the benchmarks (nearest rank, as every table in README reports them)."""

from __future__ import annotations

import math
from collections.abc import Iterable


def pct(values: Iterable[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def ms_summary(seconds: list[float]) -> dict[str, float]:
    """p50/p95/p99, mean and max in milliseconds, and how many."""
    ms = [s * 1000 for s in seconds] or [float("nan")]
    return {"p50_ms": round(pct(ms, 50), 3), "p95_ms": round(pct(ms, 95), 3), "p99_ms": round(pct(ms, 99), 3),
            "mean_ms": round(sum(ms) / len(ms), 3), "max_ms": round(max(ms), 3), "requests": len(seconds)}
