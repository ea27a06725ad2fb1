"""Selection metrics at an inspection rate, in one place so every report counts the same way.

k at rate r is floor(n x r). Lines tied with the k-th score share the remaining places
equally (the expected value under a random tie-break), so a constant score gives the base rate
and no metric depends on the input order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def k_at(n: int, rate: float) -> int:
    """Lines inspected at ``rate`` (a share in [0, 1]) of ``n``."""
    if not 0 <= rate <= 1:
        raise ValueError(f"inspection rate must be in [0, 1], got {rate}")
    return math.floor(n * rate + 1e-9)


def caught_at(scores: np.ndarray, gains: np.ndarray, k: int) -> float:
    """Expected total ``gains`` of the k highest-scored lines, ties at the cut shared evenly."""
    n = len(scores)
    if k <= 0 or n == 0:
        return 0.0
    if k >= n:
        return float(gains.sum())
    s = np.asarray(scores, dtype=np.float64)
    g = np.asarray(gains, dtype=np.float64)
    cut = np.partition(s, n - k)[n - k]  # the k-th largest score
    above = s > cut
    tied = s == cut
    left = k - int(above.sum())
    return float(g[above].sum() + left * g[tied].sum() / tied.sum())


def precision_at(y: np.ndarray, scores: np.ndarray, rate: float) -> float | None:
    """Share of irregular lines among those inspected; None when nothing is inspected."""
    k = k_at(len(y), rate)
    return None if k == 0 else caught_at(scores, y, k) / k


def recall_at(y: np.ndarray, scores: np.ndarray, rate: float) -> float | None:
    """Share of all irregular lines that the inspected ones catch; None without any."""
    total = float(np.asarray(y, dtype=np.float64).sum())
    return None if total == 0 else caught_at(scores, y, k_at(len(y), rate)) / total


def revenue_at(revenue: np.ndarray, scores: np.ndarray, rate: float) -> float | None:
    """Share of the total recoverable revenue that the inspected lines hold."""
    r = np.nan_to_num(np.asarray(revenue, dtype=np.float64))
    total = float(r.sum())
    return None if total <= 0 else caught_at(scores, r, k_at(len(r), rate)) / total


def auc(y: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count one half); None unless both classes occur."""
    yy = np.asarray(y, dtype=bool)
    pos, neg = int(yy.sum()), int((~yy).sum())
    if pos == 0 or neg == 0:
        return None
    s = np.asarray(scores, dtype=np.float64)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    # average rank of each run of ties (1-based)
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_s)) + 1]
    ends = np.r_[starts[1:], len(s)]
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return float((ranks[yy].sum() - pos * (pos + 1) / 2) / (pos * neg))


@dataclass
class Report:
    """The figures `chipcustoms evaluate --json` prints."""

    precision_at: dict[str, float | None]
    recall_at: dict[str, float | None]
    revenue_at: dict[str, float | None]
    auc: float | None
    n_test: int
    critical_recall_at: dict[str, float | None] | None = None
    # Share of irregular test lines: precision at any rate means little without it (random
    # selection finds this share), and an AUC on a rare class needs it beside it.
    base_rate: float | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "precision_at": self.precision_at,
            "recall_at": self.recall_at,
            "revenue_at": self.revenue_at,
            "auc": self.auc,
            "n_test": self.n_test,
            "base_rate": self.base_rate,
        }
        if self.critical_recall_at is not None:
            out["critical_recall_at"] = self.critical_recall_at
        return out


def _key(rate_pct: float) -> str:
    return f"{rate_pct:g}"


def report(
    y: np.ndarray,
    scores: np.ndarray,
    rates_pct: list[float],
    *,
    revenue: np.ndarray | None = None,
    critical: np.ndarray | None = None,
) -> Report:
    """Every metric at every rate (given in percent, as on the command line)."""
    rev = revenue if revenue is not None else np.zeros(len(y))
    return Report(
        precision_at={_key(r): precision_at(y, scores, r / 100) for r in rates_pct},
        recall_at={_key(r): recall_at(y, scores, r / 100) for r in rates_pct},
        revenue_at={_key(r): revenue_at(rev, scores, r / 100) for r in rates_pct},
        auc=auc(y, scores),
        n_test=len(y),
        base_rate=float(np.mean(y)) if len(y) else None,
        critical_recall_at=None
        if critical is None
        else {_key(r): recall_at(critical, scores, r / 100) for r in rates_pct},
    )
