"""Replay history the way a customs office lives it, to measure the feedback loop honestly.

Before ``start`` every outcome is known (the history the first model learns from). From then on,
period by period, the current model fills the red budget, only the selected lines reveal their
labels, and the model retrains on what has been revealed: trader history included, so a line's
features only ever use labels revealed before its period. Two arms run on the same budget:
exploitation only, and with a share of the budget drawn at random (design notes, Exploration).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from chipcustoms.assess.pipeline import References, enrich
from chipcustoms.assess.selection import RED, Budgets, select
from chipcustoms.errors import ChipCustomsError
from chipcustoms.model.risk_model import RiskModel

PERIODS = {"day": "1d", "week": "1w", "month": "1mo"}


@dataclass
class Settings:
    start: dt.date
    period: str = "week"
    red: float = 0.10
    random_share: float = 0.1
    seed: int = 0
    params: dict[str, Any] | None = None  # LightGBM overrides (e.g. fewer rounds)


def _period_of(dates: pl.Series, start: dt.date, period: str) -> pl.Series:
    """Period number from ``start`` (0, 1, ...; negative before it)."""
    if period == "month":
        return (dates.dt.year() - start.year) * 12 + dates.dt.month() - start.month
    days = (dates - start).dt.total_days()
    return days // (1 if period == "day" else 7)


def _inspect(scores: np.ndarray, budgets: Budgets) -> np.ndarray:
    """Indices sent to red by the screening run's own selection (ranked share, random share,
    budget rounding), so the replay measures the policy that screening applies."""
    frame = pl.DataFrame(
        {
            "__i": np.arange(len(scores), dtype=np.int64),
            "risk_score": scores.astype(np.float64),
            "floor_red": np.zeros(len(scores), dtype=bool),
            "floor_yellow": np.zeros(len(scores), dtype=bool),
            "top_category": pl.Series([None] * len(scores), dtype=pl.Utf8),
        }
    )
    chosen, _ = select(frame, budgets)
    return np.flatnonzero((chosen["channel"] == RED).to_numpy())


def run(lines: pl.DataFrame, y: np.ndarray, refs: References, s: Settings) -> pl.DataFrame:
    """One row per (arm, period): inspected, irregular found, precision, share of the period's
    irregular lines caught, and share of what an oracle with the same budget would catch."""
    if s.period not in PERIODS:
        raise ChipCustomsError(f"--period must be one of {sorted(PERIODS)}, got {s.period!r}")
    if not 0 < s.red <= 1 or not 0 <= s.random_share <= 1:
        raise ChipCustomsError("--red must be in (0, 1] and --random-share in [0, 1]")
    order = np.argsort(lines["date"].to_numpy(), kind="stable")
    lines, y = lines[order], y[order]
    df = enrich(lines, refs)
    period = _period_of(lines["date"], s.start, s.period).to_numpy()
    history = period < 0
    if y[history].min(initial=1) == y[history].max(initial=0):
        raise ChipCustomsError(
            f"simulate: the lines before {s.start} must hold both outcomes to train a first model"
        )
    arms = {"exploit": 0.0, "explore": s.random_share} if s.random_share > 0 else {"exploit": 0.0}
    rows = []
    for arm, share in arms.items():
        revealed = history.copy()
        for p in np.unique(period[~history]):
            model = RiskModel(params=s.params, seed=s.seed).fit(
                df.filter(pl.Series(revealed)), y[revealed]
            )
            idx = np.flatnonzero(period == p)
            scores = model.predict_proba(df[idx])[:, 1]
            # The model's probability ranks every line: the simulated budget is filled whole
            # (no minimum risk score, which is for the noisy-or risk of a screen).
            budgets = Budgets(
                red=s.red, yellow=0, blue=0, random_share=share, seed=s.seed + int(p), min_score=0.0
            )
            chosen = idx[_inspect(scores, budgets)]
            budget = len(chosen)
            revealed[chosen] = True
            found, frauds = int(y[chosen].sum()), int(y[idx].sum())
            rows.append(
                {
                    "arm": arm,
                    "period": int(p),
                    "from": lines["date"][int(idx[0])],
                    "lines": len(idx),
                    "inspected": budget,
                    "found": found,
                    "irregular": frauds,
                    "oracle": min(budget, frauds),
                }
            )
    return _with_rates(pl.DataFrame(rows))


def _with_rates(df: pl.DataFrame) -> pl.DataFrame:
    def ratio(a: str, b: str) -> pl.Expr:
        return pl.when(pl.col(b) > 0).then(pl.col(a) / pl.col(b))

    return df.with_columns(
        ratio("found", "inspected").alias("precision"),
        ratio("found", "irregular").alias("caught_share"),
        ratio("found", "oracle").alias("of_best"),
    )


def overall(per_period: pl.DataFrame) -> pl.DataFrame:
    """Totals per arm over all periods."""
    sums = per_period.group_by("arm", maintain_order=True).agg(
        pl.col("lines", "inspected", "found", "irregular", "oracle").sum()
    )
    return _with_rates(sums)


def plot(per_period: pl.DataFrame, path: str) -> None:
    """Precision, share caught and share of the oracle per period, one line per arm."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    titles = {
        "precision": "precision of the selection",
        "caught_share": "share of all irregular lines caught",
        "of_best": "share of the best possible (oracle)",
    }
    for ax, (col, title) in zip(axes, titles.items(), strict=True):
        for arm in per_period["arm"].unique(maintain_order=True).to_list():
            part = per_period.filter(pl.col("arm") == arm)
            ax.plot(part["from"].to_list(), part[col].to_list(), marker=".", label=arm)
        ax.set_title(title, fontsize=10)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def report_text(per_period: pl.DataFrame, total: pl.DataFrame) -> str:
    """Per period and overall, one line each, for the terminal."""

    def fmt(x: float | None) -> str:
        return "  n/a" if x is None else f"{x:5.3f}"

    head = f"{'arm':<8} {'period':>6} {'from':>10} {'lines':>6} {'insp':>5} {'found':>5} "
    head += f"{'irreg':>5} {'prec':>5} {'caught':>6} {'ofbest':>6}"
    out = [head]
    for r in per_period.iter_rows(named=True):
        out.append(
            f"{r['arm']:<8} {r['period']:>6} {r['from']!s:>10} {r['lines']:>6} "
            f"{r['inspected']:>5} {r['found']:>5} {r['irregular']:>5} {fmt(r['precision'])} "
            f"{fmt(r['caught_share']):>6} {fmt(r['of_best']):>6}"
        )
    out.append("")
    out.append("overall:")
    for r in total.iter_rows(named=True):
        out.append(
            f"  {r['arm']}: inspected {r['inspected']:,} of {r['lines']:,}, found {r['found']:,} "
            f"of {r['irregular']:,} irregular; precision {fmt(r['precision'])}, caught "
            f"{fmt(r['caught_share'])}, of the best possible {fmt(r['of_best'])}"
        )
    return "\n".join(out)
