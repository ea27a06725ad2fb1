"""`train` and `evaluate` as library calls: labelled lines in, a stored version or figures out.

Training and scoring read the same enriched columns (``pipeline.enrich``: USD values, resolved
accelerator, anomaly scores), so the model sees at training time exactly what it sees when
screening.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from chipcustoms.assess.pipeline import References, enrich
from chipcustoms.errors import ChipCustomsError, InputError
from chipcustoms.lines.ingest import read_and_ingest
from chipcustoms.lines.mapping import load_mapping
from chipcustoms.lines.schema import KEY, LABEL_FIELDS, canonical_schema
from chipcustoms.model import metrics
from chipcustoms.model.risk_model import RiskModel
from chipcustoms.policy.rules import IDX

VALID_SHARE = 0.2  # newest share of the training lines held out for the stored validation figures


def read_lines(paths: list[str], mapping: str | None) -> pl.DataFrame:
    """Ingest files into one canonical frame; quarantined rows are left out (and counted)."""
    if not paths:
        raise InputError("no input files: give INPUT files or --from-store")
    the_mapping = load_mapping(mapping)
    frames = [read_and_ingest(p, the_mapping).accepted for p in paths]
    return pl.concat(frames, how="vertical_relaxed")


def store_lines(db: str, until: dt.date | None) -> pl.DataFrame:
    """Lines in the store with an outcome, typed as canonical lines."""
    from chipcustoms.store import open_store

    raw = open_store(db).labelled_lines(until.isoformat() if until else None)
    schema = canonical_schema()
    if raw.height == 0:
        return pl.DataFrame(schema=schema)
    return raw.select(
        [
            (
                pl.col(c).str.to_date(strict=False)
                if t == pl.Date()
                else pl.col(c).cast(t, strict=False)
            ).alias(c)
            if c in raw.columns
            else pl.lit(None, dtype=t).alias(c)
            for c, t in schema.items()
        ]
    )


def label_of(lines: pl.DataFrame, label: str, where: str = "input") -> np.ndarray:
    """The 0/1 target: the label itself, or for `critical` / `revenue` whether it is positive."""
    if label not in LABEL_FIELDS:
        raise ChipCustomsError(f"--label must be one of {sorted(LABEL_FIELDS)}, got {label!r}")
    if label not in lines.columns or lines[label].null_count() == lines.height:
        raise ChipCustomsError(
            f"{where}: no {label!r} label in these lines; map it in the mapping's labels section"
        )
    col = lines[label]
    y = col if col.dtype == pl.Boolean else col > 0
    return y.cast(pl.Int8).to_numpy()


def labelled(lines: pl.DataFrame, label: str, where: str = "input") -> pl.DataFrame:
    """Only the lines whose label is known (uninspected lines teach nothing)."""
    label_of(lines, label, where)  # validates
    return lines.filter(pl.col(label).is_not_null())


def fingerprint(lines: pl.DataFrame, label: str) -> str:
    """sha256 over the sorted keys, dates and labels: the same data gives the same print."""
    cols = [*KEY, "date", label]
    text = lines.select(cols).sort(list(KEY)).write_csv()
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Trained:
    model: RiskModel
    record: dict[str, Any]


def train(
    lines: pl.DataFrame,
    *,
    label: str,
    refs: References,
    source: dict[str, Any],
    params: dict[str, Any] | None = None,
) -> Trained:
    """Validate on the newest lines, then refit on all of them; the record is what the store
    keeps about the version."""
    lines = labelled(lines, label).sort("date", maintain_order=True)
    if lines.height < 50:
        raise ChipCustomsError(f"only {lines.height} labelled lines: too few to train on")
    df = enrich(lines, refs)
    y = label_of(lines, label)
    cut = int(lines.height * (1 - VALID_SHARE))
    val_metrics: dict[str, object] = {}
    if 0 < y[:cut].sum() < cut and y[cut:].sum() > 0:
        m = RiskModel(params=params).fit(df[:cut], y[:cut])
        p = m.predict_proba(df[cut:])[:, 1]
        val_metrics = metrics.report(y[cut:], p, [1, 2, 5, 10]).to_dict()
        val_metrics["holdout"] = f"newest {VALID_SHARE:.0%} by date"
    model = RiskModel(params=params).fit(df, y)
    record = {
        "label": label,
        "fingerprint": fingerprint(lines, label),
        "source": {**source, "lines": lines.height, "positives": int(y.sum())},
        "params": model.params_,
        "features": model.feature_names_,
        "metrics": val_metrics,
        **_texts(model),
    }
    return Trained(model, record)


def _texts(model: RiskModel) -> dict[str, str]:
    art = model.to_artifact()
    return {"booster": art.booster, "encodings": art.encodings}


def rule_backtest(df: pl.DataFrame, y: np.ndarray, refs: References) -> pl.DataFrame:
    """Per policy rule: test lines hit and the share of them that were irregular."""
    hits = refs.rules.evaluate(df).select(IDX, "rule_hits").explode("rule_hits")
    ys = pl.DataFrame({IDX: df[IDX], "__y": y.astype(np.int64)})
    got = (
        hits.join(ys, on=IDX)
        .group_by("rule_hits")
        .agg(pl.len().alias("hits"), pl.col("__y").mean().alias("fraud_share"))
    )
    return got.rename({"rule_hits": "rule"}).drop_nulls("rule").sort("hits", descending=True)


@dataclass
class Evaluation:
    report: metrics.Report
    rules: pl.DataFrame


def evaluate(
    train_lines: pl.DataFrame,
    test_lines: pl.DataFrame,
    *,
    label: str,
    rates: list[float],
    refs: References,
    params: dict[str, Any] | None = None,
) -> Evaluation:
    """Fit on the training lines, score the test lines, measure at each inspection rate."""
    train_lines = labelled(train_lines, label, "--train")
    test_lines = labelled(test_lines, label, "--test")
    model = RiskModel(params=params).fit(enrich(train_lines, refs), label_of(train_lines, label))
    test_df = enrich(test_lines, refs)
    p = model.predict_proba(test_df)[:, 1]
    y = label_of(test_lines, label)
    revenue = test_lines["revenue"].to_numpy() if "revenue" in test_lines.columns else None
    critical = None
    if "critical" in test_lines.columns and test_lines["critical"].null_count() == 0:
        crit = test_lines["critical"].to_numpy()
        top = crit.max()
        if top > 1:  # a severity scale: its highest class is the critical one
            critical = (crit == top).astype(np.int8)
    report = metrics.report(y, p, rates, revenue=revenue, critical=critical)
    return Evaluation(report, rule_backtest(test_df, y, refs))


def parse_date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ChipCustomsError(f"{option}: expected a date YYYY-MM-DD, got {text!r}") from exc


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def evaluation_text(ev: Evaluation) -> str:
    """The human report of `chipcustoms evaluate`."""
    r = ev.report
    lines = [
        f"test lines: {r.n_test:,}   irregular (base rate): {_pct(r.base_rate)}"
        f"   AUC: {_pct(r.auc)}",
        "",
        "rate%  precision  recall  revenue",
    ]
    for k in r.precision_at:
        p, rc, rv = _pct(r.precision_at[k]), _pct(r.recall_at[k]), _pct(r.revenue_at[k])
        lines.append(f"{k:>5}  {p:>9}  {rc:>6}  {rv:>7}")
    if r.critical_recall_at is not None:
        lines.append("")
        lines.append(
            "recall of the critical class: "
            + ", ".join(f"{k}% {_pct(v)}" for k, v in r.critical_recall_at.items())
        )
    lines += ["", "policy rules on the test lines (backtest):"]
    if ev.rules.height == 0:
        lines.append("  no rule hits a test line")
    for row in ev.rules.iter_rows(named=True):
        lines.append(f"  {row['rule']}: {row['hits']:,} lines, {row['fraud_share']:.1%} irregular")
    return "\n".join(lines)
