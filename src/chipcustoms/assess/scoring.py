"""One documented function turns rule hits and anomaly scores into the risk score.

risk = 1 - prod(1 - w_i * s_i): a noisy-OR. It is monotone in every input (more evidence never
lowers risk), stays in [0, 1], is 0 without evidence, and lets a later model score join as one
more factor without re-tuning the others.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl
from pydantic import BaseModel, ConfigDict

from chipcustoms.refdata import REFDATA, load_yaml


class AnomalySetting(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weight: float
    report_at: float
    category: str
    meaning: str
    min_peers: int | None = None


class ModelSetting(BaseModel):
    """How the learned model's probability joins the risk score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weight: float
    report_at: float = 0.0
    top: int = 3
    meaning: str = ""


class SelectionSetting(BaseModel):
    """What budget-mode selection reads from the scoring file (see refdata/scoring.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_ranked_score: float = 0.0


class ScoringConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    anomalies: dict[str, AnomalySetting]
    model: ModelSetting | None = None
    selection: SelectionSetting = SelectionSetting()


@lru_cache(maxsize=1)
def scoring_config() -> ScoringConfig:
    return ScoringConfig.model_validate(load_yaml(REFDATA / "scoring.yaml"))


def noisy_or(terms: list[pl.Expr]) -> pl.Expr:
    """1 - prod(1 - t) for terms already in [0, 1]; nulls count as 0."""
    keep = pl.lit(1.0)
    for t in terms:
        keep = keep * (1 - t.fill_null(0.0).clip(0.0, 1.0))
    return 1 - keep
