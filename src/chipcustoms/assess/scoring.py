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
    packing: dict[str, float] = {}  # WEIGHT_IMPLAUSIBLE: gross / bare mass ("card", "system")
    # Rule codes that state the same fact: where one of them hit the line, this anomaly gives
    # no reason of its own (one fact, one reason); its score still counts in the risk.
    same_fact_as: list[str] = []


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


def one_reason_per_fact(reasons: pl.DataFrame, config: ScoringConfig) -> pl.DataFrame:
    """Drop an anomaly's reason where a rule stating the same fact hit the line.

    ``reasons``: long reasons (``__i``, ``reason`` struct with ``code`` and ``source``).
    """
    code = pl.col("reason").struct.field("code")
    rule_hits = reasons.filter(pl.col("reason").struct.field("source") == "rule").select(
        "__i", code.alias("__code")
    )
    for name, setting in config.anomalies.items():
        if not setting.same_fact_as:
            continue
        covered = rule_hits.filter(pl.col("__code").is_in(setting.same_fact_as))["__i"]
        reasons = reasons.filter(~((code == name) & pl.col("__i").is_in(covered.implode())))
    return reasons


def noisy_or(terms: list[pl.Expr]) -> pl.Expr:
    """1 - prod(1 - t) for terms already in [0, 1]; nulls count as 0."""
    keep = pl.lit(1.0)
    for t in terms:
        keep = keep * (1 - t.fill_null(0.0).clip(0.0, 1.0))
    return 1 - keep
