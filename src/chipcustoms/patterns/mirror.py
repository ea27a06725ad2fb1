"""The mirror gap: what partner countries say they exported to us against what was declared
here, by HS code, partner and month, with the unrecorded value and its interval.

Partner statistics come in the UN Comtrade bulk layout; a mapping YAML
(``refdata/mirror/comtrade-bulk.yaml``, or the user's own) names the columns, the rows kept and
which declared country the reporter is compared with. A cell's gap is partner exports x
``cif_fob`` minus the declared imports in USD; the total's interval is the percentile bootstrap
over cells (a cell's gap mixes unrecorded trade with timing and valuation noise, and the cells
are what varies).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import polars as pl
import pycountry
from pydantic import BaseModel, ConfigDict

from chipcustoms.errors import ReferenceDataError
from chipcustoms.lines import fx
from chipcustoms.patterns.config import MirrorSettings, pattern_settings
from chipcustoms.patterns.intervals import bootstrap_total
from chipcustoms.refdata import REFDATA, load_validated

KEYS = ["hs6", "partner", "month"]


class MirrorMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    columns: dict[str, str]
    keep: dict[str, list[str]] = {}
    match_on: str = "shipped_from_country"
    hs_digits: int = 6


def load_mapping(name_or_path: str = "comtrade-bulk") -> MirrorMapping:
    path = Path(name_or_path)
    if not path.suffix:
        path = REFDATA / "mirror" / f"{name_or_path}.yaml"
    return load_validated(path, MirrorMapping)


@functools.cache
def _iso2() -> dict[str, str]:
    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


def read_partner(path: str | Path, mapping: MirrorMapping | None = None) -> pl.DataFrame:
    """Partner exports as (hs6, reporter, partner, month, value_usd), ISO alpha-2 countries."""
    m = mapping or load_mapping()
    p = Path(path)
    sep = "\t" if p.suffix in (".tsv", ".txt") else ","
    raw = pl.read_parquet(p) if p.suffix == ".parquet" else pl.read_csv(
        p, separator=sep, infer_schema=False
    )
    missing = [c for c in m.columns.values() if c not in raw.columns and c not in ("qty", "netWgt")]
    if missing:
        raise ReferenceDataError(f"{p}: missing columns {missing} for mapping {m.name}")
    c = m.columns
    df = raw.select(pl.col(src).cast(pl.Utf8).alias(dst) for dst, src in c.items()
                    if src in raw.columns)
    for field, allowed in m.keep.items():
        df = df.filter(pl.col(field).is_in(allowed))
    return df.select(
        pl.col("hs").str.slice(0, m.hs_digits).alias("hs6"),
        pl.col("reporter").replace_strict(_iso2(), default=None).alias("reporter"),
        pl.col("partner").replace_strict(_iso2(), default=None).alias("partner"),
        pl.col("period").str.slice(0, 6).str.strptime(pl.Date, "%Y%m", strict=False)
        .alias("month"),
        pl.col("value_usd").cast(pl.Float64).alias("value_usd"),
    ).drop_nulls(["hs6", "reporter", "partner", "month"])


def gap(
    lines: pl.DataFrame,
    partner: pl.DataFrame,
    *,
    mapping: MirrorMapping | None = None,
    settings: MirrorSettings | None = None,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """(cells, total): the gap per (hs6, reporter, partner, month) and the total with its
    interval. Only HS codes, importing countries and months the partner file covers count."""
    m = mapping or load_mapping()
    s = settings or pattern_settings().mirror
    imports = lines.filter(pl.col("flow") == "import")
    if "value_usd" not in imports.columns:
        imports = fx.to_usd(imports)
    declared = imports.group_by(
        pl.col("hs_code").str.slice(0, m.hs_digits).alias("hs6"),
        pl.col(m.match_on).alias("reporter"),
        pl.col("destination_country").alias("partner"),
        pl.col("date").dt.truncate("1mo").alias("month"),
    ).agg(pl.col("value_usd").sum().alias("declared_usd"))
    exports = partner.group_by("hs6", "reporter", "partner", "month").agg(
        (pl.col("value_usd").sum() * s.cif_fob).alias("partner_usd")
    )
    scope = exports.select(
        pl.col("hs6").unique().implode().alias("h"), pl.col("partner").unique().implode()
        .alias("p"), pl.col("month").min().alias("lo"), pl.col("month").max().alias("hi"),
    ).row(0, named=True)
    declared = declared.filter(
        pl.col("hs6").is_in(scope["h"]) & pl.col("partner").is_in(scope["p"])
        & pl.col("month").is_between(scope["lo"], scope["hi"])
    )
    cells = (
        exports.join(declared, on=["hs6", "reporter", "partner", "month"], how="full",
                     coalesce=True)
        .with_columns(pl.col("partner_usd").fill_null(0.0), pl.col("declared_usd").fill_null(0.0))
        .with_columns((pl.col("partner_usd") - pl.col("declared_usd")).alias("gap_usd"))
        .sort("gap_usd", descending=True)
    )
    total, lo, hi = bootstrap_total(cells["gap_usd"].to_numpy(), resamples=s.bootstrap,
                                    confidence=s.confidence, seed=s.seed)
    summary = {
        "partner_usd": float(cells["partner_usd"].sum()),
        "declared_usd": float(cells["declared_usd"].sum()),
        "gap_usd": total, "gap_low": lo, "gap_high": hi, "confidence": s.confidence,
        "cells": cells.height,
        "method": f"percentile bootstrap over {cells.height} cells, {s.bootstrap} resamples",
    }
    return cells, summary


def by(cells: pl.DataFrame, key: str) -> pl.DataFrame:
    """The gap summed by ``hs6``, ``reporter`` or ``month``."""
    return cells.group_by(key).agg(
        pl.col("partner_usd").sum(), pl.col("declared_usd").sum(), pl.col("gap_usd").sum()
    ).sort("gap_usd", descending=True)
