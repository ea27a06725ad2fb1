"""Scoring the resolver against a labelled set of descriptions (`chipcustoms resolve --evaluate`).

A labelled file is a resolver input plus `expected_id` (a catalog id, a generic class such as
`gpu-unknown`, or empty), `is_accelerator` (true/false) and optionally `units`. The report gives
the figures the recognition issue is judged on: precision / recall of `is_accelerator`, model
accuracy on true accelerators, and whether the confidence means what it says (calibration).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chipcustoms.errors import InputError
from chipcustoms.lines.tableio import read_raw_checked
from chipcustoms.recognise.resolver import Resolver

LABELS = ("description", "expected_id", "is_accelerator")
BINS = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001]


@dataclass(frozen=True)
class Evaluation:
    n: int
    precision: float
    recall: float
    model_accuracy: float  # right model id among true accelerators
    id_accuracy: float  # right id (model, generic class or none) on every line
    # Right units_per_item among true accelerators whose `units` label is given. An empty label
    # means the source gives no count (a seizure notice's "AI servers"): it is not scored, since
    # any answer would be judged against a number nobody wrote. A file with no `units` column at
    # all labels every line 1 (the synthetic sets).
    units_accuracy: float
    calibration: pl.DataFrame  # bin, lines, mean confidence, observed accuracy
    errors: pl.DataFrame
    # The counts behind the shares, so every figure can be reported with its n: true and false
    # positives, true accelerators, right ids among them, and, where the file has `model_label`
    # (the source names a model), how many true accelerators carry one and how many of those
    # resolve to the expected id: the "model accuracy on the lines with a model label".
    tp: int = 0
    fp: int = 0
    positives: int = 0
    right_models: int = 0
    model_labelled: int | None = None
    right_labelled: int = 0
    units_labelled: int = 0  # true accelerators with a units label
    right_units: int = 0

    def lines(self) -> list[str]:
        out = [
            f"lines {self.n}",
            f"is_accelerator precision {self.precision:.3f} ({self.tp}/{self.tp + self.fp}) "
            f"recall {self.recall:.3f} ({self.tp}/{self.positives})",
            f"model accuracy on true accelerators {self.model_accuracy:.3f} "
            f"({self.right_models}/{self.positives})",
        ]
        if self.model_labelled is not None:
            share = self.right_labelled / self.model_labelled if self.model_labelled else 1.0
            out.append(
                f"model accuracy on true accelerators with a model label {share:.3f} "
                f"({self.right_labelled}/{self.model_labelled})"
            )
        out += [
            f"id accuracy on all lines {self.id_accuracy:.3f}",
            f"units accuracy on true accelerators with a units label {self.units_accuracy:.3f} "
            f"({self.right_units}/{self.units_labelled})",
            "calibration (confidence bin: lines, mean confidence, observed accuracy):",
        ]
        for r in self.calibration.iter_rows(named=True):
            out.append(
                f"  {r['bin']:<12} {r['lines']:>4}  {r['confidence']:.3f}  {r['accuracy']:.3f}"
            )
        return out


def read_labelled(path: str | Path) -> pl.DataFrame:
    df, _ = read_raw_checked(path)
    missing = [c for c in LABELS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: a labelled set needs column(s) {missing}")
    bad = df.with_row_index("row", offset=2).filter(
        ~pl.col("is_accelerator").cast(pl.Utf8).str.to_lowercase().is_in(["true", "false"])
    )
    if bad.height:
        raise InputError(
            f"{path} row {bad['row'][0]}: is_accelerator must be true or false, "
            f"got {bad['is_accelerator'][0]!r}"
        )
    return df


def _share(df: pl.DataFrame, hit: pl.Expr) -> float:
    return float(df.select(hit.mean()).item()) if df.height else 1.0


def _bin(conf: pl.Expr) -> pl.Expr:
    label: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    for lo, hi in reversed(list(itertools.pairwise(BINS))):
        text = f"[{lo:.2f}, {min(hi, 1.0):.2f}{']' if hi > 1 else ')'}"
        label = pl.when((conf >= lo) & (conf < hi)).then(pl.lit(text)).otherwise(label)
    return label


def evaluate(resolver: Resolver, labelled: pl.DataFrame) -> Evaluation:
    """Resolve the labelled lines and compare; a line is right when its id is the expected one."""
    out = resolver.resolve(labelled)
    truth = pl.col("is_accelerator_expected")
    df = out.with_columns(
        labelled["is_accelerator"]
        .cast(pl.Utf8)
        .str.to_lowercase()
        .eq("true")
        .alias("is_accelerator_expected"),
        labelled["expected_id"].cast(pl.Utf8).replace("", None).alias("expected_id"),
        (
            labelled["units"].cast(pl.Int64, strict=False)
            if "units" in labelled.columns
            else pl.lit(1, pl.Int64)
        ).alias("expected_units"),
    ).with_columns(
        pl.col("accelerator_id").eq_missing(pl.col("expected_id")).alias("correct"),
        (
            labelled["model_label"].cast(pl.Utf8).fill_null("").str.strip_chars().ne("")
            if "model_label" in labelled.columns
            else pl.lit(False)
        ).alias("has_model_label"),
    )
    tp = df.filter(truth & pl.col("is_accelerator")).height
    fp = df.filter(~truth & pl.col("is_accelerator")).height
    fn = df.filter(truth & ~pl.col("is_accelerator")).height
    pos = df.filter(truth)
    named = pos.filter(pl.col("has_model_label")) if "model_label" in labelled.columns else None
    counted = pos.filter(pl.col("expected_units").is_not_null())
    units_right = pl.col("units_per_item").eq_missing(pl.col("expected_units"))
    calibration = (
        df.with_columns(_bin(pl.col("resolution_confidence")).alias("bin"))
        .group_by("bin")
        .agg(
            pl.len().alias("lines"),
            pl.col("resolution_confidence").mean().alias("confidence"),
            pl.col("correct").mean().alias("accuracy"),
        )
        .sort("confidence")
    )
    errors = df.filter(~pl.col("correct") | (truth != pl.col("is_accelerator"))).select(
        "description",
        "expected_id",
        "accelerator_id",
        "resolution_confidence",
        "resolution_reason",
    )
    return Evaluation(
        n=df.height,
        precision=tp / (tp + fp) if tp + fp else 1.0,
        recall=tp / (tp + fn) if tp + fn else 1.0,
        model_accuracy=_share(pos, pl.col("correct")),
        id_accuracy=_share(df, pl.col("correct")),
        units_accuracy=_share(counted, units_right),
        calibration=calibration,
        errors=errors,
        tp=tp,
        fp=fp,
        positives=pos.height,
        right_models=pos.filter(pl.col("correct")).height,
        model_labelled=named.height if named is not None else None,
        right_labelled=named.filter(pl.col("correct")).height if named is not None else 0,
        units_labelled=counted.height,
        right_units=counted.filter(units_right).height,
    )
