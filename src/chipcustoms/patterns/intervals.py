"""The intervals stated with every estimate: Wilson for a rate, the percentile bootstrap for a
sum over cells. Closed forms and vectorised resampling, no loop over resamples."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np


def z_of(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(k: float, n: float, confidence: float = 0.95) -> tuple[float, float, float]:
    """(rate, low, high) of k successes in n trials; (0, 0, 1) with no trials.

    Wilson's interval keeps its coverage near the nominal level for small n and rates near 0,
    where the normal approximation collapses to a zero-width interval.
    """
    if n <= 0:
        return 0.0, 0.0, 1.0
    z = z_of(confidence)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def bootstrap_total(
    values: np.ndarray, *, resamples: int, confidence: float, seed: int
) -> tuple[float, float, float]:
    """(sum, low, high): percentile interval of the sum of ``values`` over cells drawn with
    replacement. Resamples are drawn as multinomial counts per cell, in blocks, so memory stays
    at block x cells whatever the number of resamples."""
    v = np.asarray(values, dtype=np.float64)
    total = float(v.sum())
    if len(v) < 2:
        return total, total, total
    rng = np.random.default_rng(seed)
    sums = []
    block = max(1, min(resamples, 2_000_000 // len(v)))
    done = 0
    while done < resamples:
        k = min(block, resamples - done)
        counts = rng.multinomial(len(v), np.full(len(v), 1 / len(v)), size=k)
        sums.append(counts @ v)
        done += k
    s = np.concatenate(sums)
    lo, hi = np.quantile(s, [(1 - confidence) / 2, (1 + confidence) / 2])
    return total, float(lo), float(hi)
