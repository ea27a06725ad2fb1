"""The anomaly check registry: a check is one decorated function plus one YAML entry.

``@check("CODE")`` registers a function that, given what a check may read (:class:`Inputs`:
the batch's column names, its own entry of refdata/scoring.yaml, the HS6 peer columns), returns
a :class:`Check`: the score expression in [0, 1] (null where the check does not apply), the
reason's message expression and the evidence columns. Everything else follows from the
registry: the `anom_*` output column (``anom_`` + the code in lower case unless ``column=``
names it), its term in the risk score, its reason, and its line in `chipcustoms reasons` (the
meaning, weight and report threshold come from the YAML entry keyed by the same code).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from chipcustoms.assess.scoring import AnomalySetting, ScoringConfig
from chipcustoms.errors import ChipCustomsError


@dataclass(frozen=True)
class Inputs:
    """What a check reads besides the line's own columns."""

    columns: list[str]  # the batch's columns (a check may use one only where present)
    setting: AnomalySetting  # its entry in refdata/scoring.yaml


@dataclass(frozen=True)
class Check:
    score: pl.Expr
    message: pl.Expr
    evidence: list[str]


@dataclass(frozen=True)
class Registered:
    code: str
    column: str
    build: Callable[[Inputs], Check]


CHECKS: dict[str, Registered] = {}


def check(
    code: str, *, column: str | None = None
) -> Callable[[Callable[[Inputs], Check]], Callable[[Inputs], Check]]:
    """Register the decorated function as the anomaly check ``code`` (in registration order)."""

    def register(fn: Callable[[Inputs], Check]) -> Callable[[Inputs], Check]:
        if code in CHECKS:
            raise ChipCustomsError(f"anomaly check {code} is registered twice")
        CHECKS[code] = Registered(code, column or f"anom_{code.lower()}", fn)
        return fn

    return register


def columns() -> list[str]:
    """The `anom_*` output columns, one per registered check."""
    return [r.column for r in CHECKS.values()]


def settings_of(config: ScoringConfig) -> dict[str, AnomalySetting]:
    """Each registered check's YAML entry; a check without one, or an entry without a check,
    fails here with the code named (a typo would otherwise silently drop the evidence)."""
    missing = [c for c in CHECKS if c not in config.anomalies]
    orphans = [c for c in config.anomalies if c not in CHECKS]
    if missing or orphans:
        raise ChipCustomsError(
            "refdata/scoring.yaml and the anomaly checks disagree: "
            f"checks without an entry {missing}, entries without a check {orphans}"
        )
    return {code: config.anomalies[code] for code in CHECKS}


def built(config: ScoringConfig, cols: list[str]) -> list[tuple[Registered, AnomalySetting, Check]]:
    """Every check built against a batch with columns ``cols``."""
    return [
        (r, s, r.build(Inputs(cols, s)))
        for r, s in zip(CHECKS.values(), settings_of(config).values(), strict=True)
    ]
