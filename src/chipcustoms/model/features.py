"""Features of the learned model, computed vectorised from an enriched batch and without leakage.

The same code serves training and scoring: :func:`fit_encodings` learns what the features need
from labelled lines (trader history, category levels, HS6 price medians) and
:func:`transform` turns any enriched batch into the feature matrix with them. Training rows take
their history out-of-fold (a row never sees its own label); scored rows take it from the
training labels only, so a model stored with its encodings scores new lines exactly as it was
validated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict

from chipcustoms.refdata import REFDATA, load_validated

MODEL_YAML = REFDATA / "model.yaml"
_SEP = "\x1f"  # joins the columns of a composite history key; never in an identifier


class History(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    smoothing: float = 5.0
    folds: int = 5
    keys: dict[str, list[str]]


class Categorical(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_count: int = 5
    extra_max_levels: int = 200
    columns: list[str]


class Messages(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    history: str
    history_count: str
    categorical: str
    numeric: str


class ModelConfig(BaseModel):
    """refdata/model.yaml: features, LightGBM parameters and the analyst's wording."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    label: str = "fraud"
    params: dict[str, Any]
    history: History
    categorical: Categorical
    numeric: list[str]
    messages: Messages
    labels: dict[str, str] = {}


@lru_cache(maxsize=1)
def model_config() -> ModelConfig:
    return load_validated(MODEL_YAML, ModelConfig)


@dataclass(frozen=True)
class Feature:
    """One column of the matrix: its kind decides how its contribution is worded."""

    name: str
    kind: str  # history | history_count | categorical | numeric
    source: str  # history key name, column, or extra key
    label: str


def _safe(name: str) -> str:
    return re.sub(r"\W+", "_", name).strip("_").lower()


def _derived(df: pl.DataFrame, cfg: ModelConfig) -> pl.DataFrame:
    """Columns every feature reads that the enriched batch does not carry as such; a column the
    source lacks altogether reads as missing (null), never as an error."""
    num = pl.Float64
    text = [c for cols in cfg.history.keys.values() for c in cols] + cfg.categorical.columns
    need: dict[str, type[pl.DataType]] = {c: pl.Utf8 for c in text}
    need |= {
        "origin_country": pl.Utf8,
        "shipped_from_country": pl.Utf8,
        "hs_code": pl.Utf8,
        "hs6": pl.Utf8,
        "hs4": pl.Utf8,
        "value_usd": num,
        "net_weight_kg": num,
        "unit_value_usd": num,
        "unit_basis_usd": num,
        "price_low_usd": num,
        "is_accelerator": pl.Boolean,
        "license_required": pl.Boolean,
    }
    derived = {"hs2", "route"}
    missing = [
        pl.lit(None, dtype=t).alias(c)
        for c, t in need.items()
        if c not in df.columns and c not in derived
    ]
    df = df.with_columns(missing) if missing else df
    pos = pl.col("net_weight_kg") > 0
    return df.with_columns(
        pl.col("hs_code").str.slice(0, 2).alias("hs2"),
        pl.concat_str(
            pl.col("origin_country").fill_null("?"),
            pl.col("shipped_from_country").fill_null("?"),
            separator=">",
        ).alias("route"),
        pl.col("value_usd").log1p().alias("log_value_usd"),
        pl.col("net_weight_kg").log1p().alias("log_net_kg"),
        pl.when(pos & (pl.col("value_usd") > 0))
        .then((pl.col("value_usd") / pl.col("net_weight_kg")).log())
        .alias("log_usd_per_kg"),
        pl.when(pl.col("unit_basis_usd") > 0)
        .then(pl.col("unit_basis_usd").log())
        .alias("__log_unit"),
        pl.when((pl.col("unit_value_usd") > 0) & (pl.col("price_low_usd") > 0))
        .then((pl.col("unit_value_usd") / pl.col("price_low_usd")).log())
        .alias("unit_value_vs_catalog"),
        pl.col("is_accelerator").cast(num).alias("is_accelerator_f"),
        pl.col("license_required").cast(num).alias("license_required_f"),
    )


def _key(cols: list[str]) -> pl.Expr:
    return pl.concat_str([pl.col(c).cast(pl.Utf8) for c in cols], separator=_SEP)


def _extra(df: pl.DataFrame) -> pl.DataFrame:
    """The source's unmapped columns (``extra`` JSON) as text columns ``extra:<key>``."""
    if "extra" not in df.columns or df["extra"].null_count() == df.height:
        return pl.DataFrame()
    decoded = df["extra"].str.json_decode(infer_schema_length=None)
    if not isinstance(decoded.dtype, pl.Struct):
        return pl.DataFrame()
    return decoded.struct.unnest().select(pl.all().cast(pl.Utf8).name.prefix("extra:"))


@dataclass
class Encodings:
    """What the features learned from the training labels; stored with the model version."""

    prior: float
    history: dict[str, pl.DataFrame]  # name -> (key, n, pos)
    levels: dict[str, list[str]]  # categorical column -> known values (code = position)
    extra_numeric: list[str]
    hs6_log_unit: pl.DataFrame  # (hs6, median ln unit basis in USD)
    features: list[Feature] = field(default_factory=list)

    def to_json(self) -> str:
        def frame(df: pl.DataFrame) -> dict[str, list[Any]]:
            return {c: df[c].to_list() for c in df.columns}

        return json.dumps(
            {
                "prior": self.prior,
                "history": {k: frame(v) for k, v in self.history.items()},
                "levels": self.levels,
                "extra_numeric": self.extra_numeric,
                "hs6_log_unit": frame(self.hs6_log_unit),
                "features": [f.__dict__ for f in self.features],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Encodings:
        raw = json.loads(text)
        hist_schema = {"key": pl.Utf8, "n": pl.Int64, "pos": pl.Int64}
        return cls(
            prior=float(raw["prior"]),
            history={k: pl.DataFrame(v, schema=hist_schema) for k, v in raw["history"].items()},
            levels=raw["levels"],
            extra_numeric=raw["extra_numeric"],
            hs6_log_unit=pl.DataFrame(
                raw["hs6_log_unit"], schema={"hs6": pl.Utf8, "ref_log_unit": pl.Float64}
            ),
            features=[Feature(**f) for f in raw["features"]],
        )


def fit_encodings(df: pl.DataFrame, y: np.ndarray, cfg: ModelConfig) -> Encodings:
    """Learn history tables, category levels and price references from labelled lines."""
    d = _derived(df, cfg)
    ys = pl.Series("__y", y.astype(np.int64))
    history = {}
    for name, cols in cfg.history.keys.items():
        history[name] = (
            d.select(_key(cols).alias("key"))
            .with_columns(ys)
            .drop_nulls("key")
            .group_by("key")
            .agg(pl.len().cast(pl.Int64).alias("n"), pl.col("__y").sum().alias("pos"))
            .sort("key")
        )
    levels: dict[str, list[str]] = {}
    for col in cfg.categorical.columns:
        if col in d.columns:
            levels[col] = _levels(d[col].cast(pl.Utf8), cfg.categorical.min_count)
    extra = _extra(df)
    extra_numeric: list[str] = []
    for col in extra.columns:
        s = extra[col]
        if s.n_unique() <= cfg.categorical.extra_max_levels:
            levels[col] = _levels(s, cfg.categorical.min_count)
        as_num = s.cast(pl.Float64, strict=False)
        if s.null_count() < s.len() and as_num.null_count() == s.null_count():
            extra_numeric.append(col)
    hs6 = (
        d.select("hs6", "__log_unit")
        .drop_nulls()
        .group_by("hs6")
        .agg(pl.col("__log_unit").median().alias("ref_log_unit"))
        .sort("hs6")
    )
    enc = Encodings(float(y.mean()) if len(y) else 0.0, history, levels, extra_numeric, hs6)
    enc.features = _feature_list(enc, cfg)
    return enc


def _levels(s: pl.Series, min_count: int) -> list[str]:
    vc = s.drop_nulls().value_counts()
    return sorted(vc.filter(pl.col("count") >= min_count)[s.name].cast(pl.Utf8).to_list())


_OWN_NUMERIC = [
    "log_value_usd",
    "log_net_kg",
    "log_usd_per_kg",
    "unit_value_vs_hs6",
    "unit_value_vs_catalog",
    ("is_accelerator_f", "is_accelerator"),
    ("license_required_f", "license_required"),
]


def _feature_list(enc: Encodings, cfg: ModelConfig) -> list[Feature]:
    def lab(key: str, default: str) -> str:
        return cfg.labels.get(key, default)

    out: list[Feature] = []
    for name in enc.history:
        out.append(Feature(f"hist_rate_{name}", "history", name, lab(name, name)))
        out.append(Feature(f"hist_n_{name}", "history_count", name, lab(name, name)))
    for col in enc.levels:
        label = lab(col, col.removeprefix("extra:"))
        out.append(Feature(f"cat_{_safe(col)}", "categorical", col, label))
    for item in _OWN_NUMERIC:
        col, key = item if isinstance(item, tuple) else (item, item)
        out.append(Feature(f"num_{_safe(key)}", "numeric", col, lab(key, key)))
    for col in cfg.numeric:
        out.append(Feature(f"num_{_safe(col)}", "numeric", col, lab(col, col)))
    for col in enc.extra_numeric:
        out.append(
            Feature(f"num_{_safe(col)}", "numeric", col, lab(col, col.removeprefix("extra:")))
        )
    return out


def transform(
    df: pl.DataFrame,
    enc: Encodings,
    cfg: ModelConfig,
    *,
    folds: np.ndarray | None = None,
    y: np.ndarray | None = None,
) -> pl.DataFrame:
    """The feature frame (one column per :class:`Feature`, in order) plus the history evidence.

    With ``folds`` and ``y`` (training rows), each row's history comes from the other folds;
    otherwise from the encodings' tables (the training labels).
    """
    d = _derived(df, cfg)
    extra = _extra(df)
    if extra.width:
        d = d.with_columns(extra)
    a, prior = cfg.history.smoothing, enc.prior
    cols: list[pl.Series] = []
    for name, table in enc.history.items():
        keys = d.select(_key(cfg.history.keys[name]).alias("key"))
        if folds is not None and y is not None:
            keys = keys.with_columns(pl.Series("__f", folds), pl.Series("__y", y.astype(np.int64)))
            own = (
                keys.drop_nulls("key")
                .group_by("key", "__f")
                .agg(pl.len().cast(pl.Int64).alias("fn"), pl.col("__y").sum().alias("fp"))
            )
            own = own.join(table, on="key", how="left").select(
                "key",
                "__f",
                (pl.col("n") - pl.col("fn")).alias("n"),
                (pl.col("pos") - pl.col("fp")).alias("pos"),
            )
            got = keys.join(own, on=["key", "__f"], how="left", maintain_order="left")
        else:
            got = keys.join(table, on="key", how="left", maintain_order="left")
        n = got["n"].fill_null(0)
        pos = got["pos"].fill_null(0)
        cols += [
            ((pos + a * prior) / (n + a)).alias(f"hist_rate_{name}"),
            n.cast(pl.Float64).alias(f"hist_n_{name}"),
            got["key"].alias(f"__key_{name}"),
            pos.alias(f"__pos_{name}"),
        ]
    for col, levels in enc.levels.items():
        codes = {v: float(i) for i, v in enumerate(levels)}
        src = d[col].cast(pl.Utf8) if col in d.columns else pl.Series(col, [None] * d.height)
        cols.append(
            src.replace_strict(codes, default=None, return_dtype=pl.Float64).alias(
                f"cat_{_safe(col)}"
            )
        )
    ref = d.select("hs6").join(enc.hs6_log_unit, on="hs6", how="left", maintain_order="left")
    d = d.with_columns((d["__log_unit"] - ref["ref_log_unit"]).alias("unit_value_vs_hs6"))
    for f in enc.features:
        if f.kind != "numeric":
            continue
        if f.source in d.columns:
            cols.append(d[f.source].cast(pl.Float64, strict=False).alias(f.name))
        else:
            cols.append(pl.Series(f.name, [None] * d.height, dtype=pl.Float64))
    out = pl.DataFrame(cols)
    names = [f.name for f in enc.features]
    return out.select(names + [c for c in out.columns if c.startswith("__")])


def matrix(features: pl.DataFrame, enc: Encodings) -> np.ndarray:
    """The float matrix LightGBM reads (nulls become NaN: missing)."""
    names = [f.name for f in enc.features]
    return features.select(names).to_numpy().astype(np.float64)


def fold_of(n: int, folds: int, seed: int) -> np.ndarray:
    """A seeded fold number per training row, for out-of-fold history."""
    return np.random.default_rng(seed).integers(0, folds, n)
