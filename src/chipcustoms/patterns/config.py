"""The pattern analyses' settings (``refdata/patterns.yaml``), validated once per process."""

from __future__ import annotations

import functools

from pydantic import BaseModel, ConfigDict

from chipcustoms.refdata import REFDATA, load_validated


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Link(_Strict):
    max_parties: int
    label: str


class NetworkSettings(_Strict):
    links: dict[str, Link]
    min_parties: int
    weights: dict[str, float]
    new_after_days: int
    new_days: int
    high_value_usd: float
    flag_at: float
    reason_weight: float


class SplitLotSettings(_Strict):
    window_days: int
    max_line_value_usd: float
    max_line_units: float
    min_lines: int
    min_importers: int
    min_total_usd: float
    reason_weight: float


class RouteSettings(_Strict):
    baseline_months: int
    new_months: int
    min_lines: int
    min_share: float
    growth: float
    reason_weight: float


class LedgerSettings(_Strict):
    confidence: float


class MirrorSettings(_Strict):
    confidence: float
    bootstrap: int
    seed: int
    cif_fob: float
    min_gap_usd: float


class PatternSettings(_Strict):
    version: str
    network: NetworkSettings
    split_lots: SplitLotSettings
    routes: RouteSettings
    ledger: LedgerSettings
    mirror: MirrorSettings


@functools.cache
def pattern_settings() -> PatternSettings:
    return load_validated(REFDATA / "patterns.yaml", PatternSettings)
