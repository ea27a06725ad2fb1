"""A learned second opinion on the lines the rules leave undecided (setting ``learned_opinion``).

Why: hand rules read the models, systems and wording they were written for; a line that names
none of them ("35,000 Nvidia Blackwell-class processors", "чипы компании nvidia") stays false.
A linear model over character n-grams of the resolver's normalised text, fitted on the labelled
real-world collections and on public non-accelerator goods names
(``benchmarks/fit_text_model.py``), may then say "accelerator" where its score reaches a threshold
chosen on held-out collections. It never overrides the rules: it speaks only where they found no
model, system, accessory, exclusion or rejected bare number and said false (``resolution_method``
null or ``generic``), and its call is the generic AI id at a confidence below AI wording's.

The model is data (``refdata/resolver/learned.yaml``: n-gram -> integer weight, no pickle). A
feature is binary: an n-gram of 2-5 characters of a space-padded word (scikit-learn's ``char_wb``,
words split on spaces only), found by one Aho-Corasick pass over the padded text in the batch and
by substring enumeration for one text; the weights are integers, so both sums are exact and the
two paths agree (tests/test_learned.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from chipcustoms import settings
from chipcustoms.errors import ReferenceDataError
from chipcustoms.refdata import REFDATA

PATH = REFDATA / "resolver" / "learned.yaml"
NGRAMS = (2, 5)
CONFIDENCE = 0.60  # below AI wording's 0.75: a guess from letters, not a rule
SCOPE = ("generic",)  # resolution methods (and null) the model may speak over
Row = dict[str, Any]


def ngrams(text: str) -> set[str]:
    """The binary features of ``text``: every 2-5 character piece of each space-padded word."""
    lo, hi = NGRAMS
    out: set[str] = set()
    for word in text.split(" "):
        if word:
            w = f" {word} "
            for n in range(lo, hi + 1):
                out.update(w[i : i + n] for i in range(max(1, len(w) - n + 1)))
    return out


@dataclass(frozen=True)
class TextModel:
    """Integer weights (score x ``scale``), the intercept and the threshold, as fitted."""

    version: str
    scale: int
    intercept: int
    threshold: int
    weights: dict[str, int]

    def total(self, text: str) -> int:
        found = ngrams(text) & self.weights.keys()
        return self.intercept + sum(self.weights[g] for g in found)

    def strongest(self, text: str) -> list[str]:
        found = ngrams(text) & self.weights.keys()
        return sorted(found, key=lambda g: (-self.weights[g], g))[:3]


def load_model(path: Path = PATH) -> TextModel:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        return TextModel(
            version=str(raw["version"]),
            scale=int(raw["scale"]),
            intercept=int(raw["intercept"]),
            threshold=int(raw["threshold"]),
            weights={str(k): int(v) for k, v in raw["ngrams"].items()},
        )
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
        raise ReferenceDataError(f"{path}: not a learned text model ({exc})") from exc


@cache
def learned_opinion() -> TextModel | None:
    """The model when the ``learned_opinion`` setting is on, else None (read once)."""
    return load_model() if settings.get("learned_opinion") else None


def _score_text(total: int) -> str:
    """``total`` (integer, x 10,000) as the reason prints it: two decimals, floored."""
    h = total // 100
    return f"{h // 100}.{h % 100:02d}"


def _score_expr(total: pl.Expr) -> pl.Expr:
    """:func:`_score_text` in the batch."""
    h = total // 100
    return pl.format("{}.{}", h // 100, (h % 100).cast(pl.Utf8).str.zfill(2))


def tag(model: TextModel | None) -> str:
    """The resolver version's suffix: results differ with the model on."""
    return "" if model is None else f"+learned-{model.version}"


def _reason(score: str, threshold: str, strongest: str, before: str) -> str:
    return (
        f"learned text score {score} >= {threshold} (strongest n-grams: {strongest}); "
        f"the rules alone: {before}"
    )


def in_scope(d: pl.DataFrame) -> pl.Expr:
    return ~pl.col("is_accelerator").fill_null(False) & (
        pl.col("resolution_method").is_null() | pl.col("resolution_method").is_in(SCOPE)
    )


def second_opinion(d: pl.DataFrame, model: TextModel | None, ai_id: str) -> pl.DataFrame:
    """``d`` after :func:`evidence.decide` (with ``__norm``): undecided lines whose score reaches
    the threshold become ``ai_id``, true, method ``learned``. Only distinct undecided texts are
    scored (one Aho-Corasick pass)."""
    if model is None:
        return d
    d = d.with_row_index("__row")
    cand = d.filter(in_scope(d)).select("__row", "__norm")
    if cand.is_empty():
        return d.drop("__row")
    texts = cand.select(pl.col("__norm").unique())
    grams = list(model.weights)
    hits = (
        pl.concat_str(pl.lit(" "), pl.col("__norm"), pl.lit(" "))
        .str.extract_many(grams, overlapping=True)
        .list.unique()
    )
    w = pl.element().replace_strict(model.weights, default=0, return_dtype=pl.Int64)
    scored = texts.with_columns(hits.alias("__hits")).with_columns(
        (pl.col("__hits").list.eval(w).list.sum() + model.intercept).alias("__total")
    )
    fired = scored.filter(pl.col("__total") >= model.threshold).with_columns(
        pl.col("__hits")
        .list.eval(pl.element().sort_by([w, pl.element()], descending=[True, False]).head(3))
        .alias("__top")
    )
    if fired.is_empty():
        return d.drop("__row")
    top = pl.col("__top").list.eval(pl.format("'{}'", pl.element())).list.join(", ")
    reason = pl.format(
        "learned text score {} >= {} (strongest n-grams: {}); the rules alone: {}",
        _score_expr(pl.col("__total")),
        pl.lit(_score_text(model.threshold)),
        top,
        pl.col("resolution_reason"),
    )
    rows = cand.join(fired.select("__norm", "__top", "__total"), on="__norm").select(
        "__row", "__top", "__total"
    )
    d = d.join(rows, on="__row", how="left")
    on = pl.col("__total").is_not_null()
    return d.with_columns(
        pl.when(on).then(pl.lit(ai_id)).otherwise(pl.col("accelerator_id")).alias("accelerator_id"),
        (on | pl.col("is_accelerator")).alias("is_accelerator"),
        pl.when(on)
        .then(CONFIDENCE)
        .otherwise(pl.col("resolution_confidence"))
        .alias("resolution_confidence"),
        pl.when(on)
        .then(pl.lit("learned"))
        .otherwise(pl.col("resolution_method"))
        .alias("resolution_method"),
        pl.when(on)
        .then(pl.col("__top").list.join(","))
        .otherwise(pl.col("resolution_match"))
        .alias("resolution_match"),
        pl.when(on).then(reason).otherwise(pl.col("resolution_reason")).alias("resolution_reason"),
    ).drop("__row", "__top", "__total")


def second_opinion_row(out: Row, norm: str, model: TextModel | None, ai_id: str) -> None:
    """The one-text form of :func:`second_opinion` on a decided row (changed in place)."""
    if model is None or out["is_accelerator"]:
        return
    if out["resolution_method"] is not None and out["resolution_method"] not in SCOPE:
        return
    total = model.total(f" {norm} ")
    if total < model.threshold:
        return
    top = model.strongest(f" {norm} ")
    out["accelerator_id"], out["is_accelerator"] = ai_id, True
    out["resolution_confidence"], out["resolution_method"] = CONFIDENCE, "learned"
    out["resolution_match"] = ",".join(top)
    out["resolution_reason"] = _reason(
        _score_text(total),
        _score_text(model.threshold),
        ", ".join(f"'{g}'" for g in top),
        out["resolution_reason"],
    )
