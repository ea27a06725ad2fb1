"""The columns an assessment carries, in order: assembled here from the declared fields and
the anomaly check registry (assess/checks.py), so a new check's column needs no list edit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import polars as pl

from chipcustoms.assess import (
    anomalies,  # noqa: F401  (registers the bundled checks)
    checks,
)
from chipcustoms.lines.schema import LABELS as LABEL_FIELDS

# Labels (training and evaluation only) go to the output where the input carries them.
LABELS = tuple(f.name for f in LABEL_FIELDS)

# The key, the declared fields an analyst sorts and filters by, the description the resolver read
# (issue 14: an analyst checks the recognition against the words), and the assessment. Other
# long free text (names, addresses) stays in the input and the store.
BEFORE_CHECKS = [
    "declaration_id",
    "item_no",
    "date",
    "flow",
    "office",
    "importer_id",
    "origin_country",
    "shipped_from_country",
    "destination_country",
    "hs_code",
    "quantity",
    "value",
    "currency",
    "value_usd",
    "unit_value_usd",
    "description",
    "accelerator_id",
    "accelerator_vendor",
    "accelerator_model",
    "is_accelerator",
    "units_per_item",
    "value_per_accelerator_usd",
    "system_id",
    "possible_models",
    "resolution_confidence",
    "resolution_method",
    "eccn",
    "tpp",
    "license_required",
    "license_basis",
]
AFTER_CHECKS = [
    "rule_hits",
    "floor_red",
    "floor_yellow",
    "risk_score",
    "channel",
    "selection",
    "top_reason",
    "reasons",
]


def output_columns() -> list[str]:
    """The output columns with one `anom_*` column per registered check."""
    return [*BEFORE_CHECKS, *checks.columns(), *AFTER_CHECKS]


OUTPUT_COLUMNS = output_columns()  # with the bundled checks (what the tests pin)


class _HasColumns(Protocol):
    def output_columns(self) -> list[str]: ...


def labels_in(df: pl.DataFrame) -> list[str]:
    """The label columns ``df`` holds with at least one value."""
    return [c for c in LABELS if c in df.columns and df[c].null_count() < df.height]


def assessment_columns(scorers: Iterable[_HasColumns], labels: Iterable[str] = ()) -> list[str]:
    """The one list of an assessment's columns: output columns, each scorer's own, labels.

    assess() and every part of a streamed run select with it, so the paths cannot drift.
    """
    return [*output_columns(), *(c for s in scorers for c in s.output_columns()), *labels]
