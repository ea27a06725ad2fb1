"""Channel selection within budgets (design notes, "Channels and selection").

Per selection unit: rule floors first (and counted against the budget), then the risk ranking
fills red up to the budget less its random share, then the random share is drawn uniformly from
lines not otherwise selected, then floors and ranking fill yellow, then blue takes the next lines
whose top reason is a valuation one. All steps are sorts and cumulative counts over the whole
batch, so a million lines select in one pass; ties break on a seeded random key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
import polars as pl

from chipcustoms.assess.budgets import Budgets as Budgets  # selection's input, found here too
from chipcustoms.assess.frames import compact, lookup

RED, YELLOW, BLUE, GREEN = "red", "yellow", "blue", "green"


@dataclass
class SelectionReport:
    units: int
    counts: dict[str, int]
    floor_overflow: int
    thresholds: dict[str, float | None]
    random_selected: int
    by_unit_overflow: list[dict[str, object]] = field(default_factory=list)
    applied: bool = False  # threshold mode: the cut-offs were given (a budget run's), not found


def _budget(n: pl.Expr, share: float) -> pl.Expr:
    return (n.cast(pl.Float64) * share + 0.5).floor().cast(pl.Int64)


def unit_key(per: tuple[str, ...]) -> pl.Expr:
    """One text key per selection unit (nulls as empty text, so they form a unit too)."""
    if not per:
        return pl.lit("all").alias("__unit_key")
    return pl.concat_str([pl.col(c).cast(pl.Utf8).fill_null("") for c in per], separator="|").alias(
        "__unit_key"
    )


def select(
    df: pl.DataFrame, budgets: Budgets, *, unit_sizes: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, SelectionReport]:
    """Add `channel` and `selection` (floor / ranked / random / valuation / none) columns.

    ``df`` needs `__i`, `risk_score`, `floor_red`, `floor_yellow` and `top_category`. It may
    bring its own seeded draws (`__u`); with ``unit_sizes`` (`__unit_key`, `__n`: lines per
    selection unit of the whole input) it must, and it may be only the :class:`CandidatePool`
    of a larger input: the lines it leaves out are green, and the report counts them.

    Without ``unit_sizes`` the batch is the whole input: it is thinned to its candidates
    first (:func:`candidates`, the same draws), so the sorts and windows below run over the
    few thousand lines selection can pick instead of every line; the channels are those of
    selecting over every line (see :class:`CandidatePool`).
    """
    if unit_sizes is None:
        return _select_whole(df, budgets)
    unit_cols = list(budgets.per) or []
    work = df.select(
        "__i",
        "risk_score",
        "floor_red",
        "floor_yellow",
        "top_category",
        *unit_cols,
        "__u",
    )
    if unit_cols:
        work = work.with_columns(unit_key(budgets.per)).with_columns(
            pl.col("__unit_key").rank("dense").cast(pl.UInt32).alias("__unit")
        )
    else:
        work = work.with_columns(pl.lit(0, dtype=pl.UInt32).alias("__unit"))

    def per_unit(expr: pl.Expr) -> pl.Expr:
        """Windowed by selection unit; a plain column-wide aggregate when there is one unit."""
        return expr.over("__unit") if unit_cols else expr

    total = int(unit_sizes["__n"].sum())
    if unit_cols:
        work = work.join(unit_sizes, on="__unit_key", how="left", maintain_order="left")
        n = pl.col("__n")
    else:
        n = pl.lit(total, dtype=pl.Int64)
    work = work.with_columns(
        _budget(n, budgets.red).alias("__red_n"),
        _budget(n, budgets.yellow).alias("__yellow_n"),
        _budget(n, budgets.blue).alias("__blue_n"),
        per_unit(pl.col("floor_red").sum()).alias("__floor_red_n"),
    ).with_columns(_budget(pl.col("__red_n"), budgets.random_share).alias("__rand_n"))
    # Rank once: by unit, risk desc, seeded tie-break; every pass below is a cumulative count.
    order = ["__unit", "risk_score", "__u"] if unit_cols else ["risk_score", "__u"]
    work = work.sort(order, descending=[False, True, False][-len(order) :])
    eligible = ~pl.col("floor_red") & (pl.col("risk_score") > budgets.min_score)
    rank_room = (pl.col("__red_n") - pl.col("__rand_n") - pl.col("__floor_red_n")).clip(0)
    work = work.with_columns(
        ((per_unit(eligible.cast(pl.Int64).cum_sum()) <= rank_room) & eligible).alias("__red_rank")
    )
    # Random share: uniformly among lines not already red (rank of the seeded key).
    free = ~(pl.col("floor_red") | pl.col("__red_rank"))
    rand_room = pl.min_horizontal(
        pl.col("__rand_n"),
        (pl.col("__red_n") - pl.col("__floor_red_n") - per_unit(pl.col("__red_rank").sum())).clip(
            0
        ),
    )
    draw = per_unit(pl.when(free).then(pl.col("__u")).rank("ordinal"))
    work = work.with_columns((free & (draw <= rand_room)).fill_null(False).alias("__red_rand"))
    is_red = pl.col("floor_red") | pl.col("__red_rank") | pl.col("__red_rand")
    work = work.with_columns(is_red.alias("__red"))
    # Yellow: floors first, then ranking among lines not red.
    y_floor = pl.col("floor_yellow") & ~pl.col("__red")
    work = work.with_columns(y_floor.alias("__y_floor"))
    y_room = (pl.col("__yellow_n") - per_unit(pl.col("__y_floor").sum())).clip(0)
    y_elig = ~pl.col("__red") & ~pl.col("__y_floor") & (pl.col("risk_score") > budgets.min_score)
    work = work.with_columns(
        (
            pl.col("__y_floor") | ((per_unit(y_elig.cast(pl.Int64).cum_sum()) <= y_room) & y_elig)
        ).alias("__yellow")
    )
    b_elig = (
        ~pl.col("__red")
        & ~pl.col("__yellow")
        & (pl.col("top_category") == "valuation")
        & (pl.col("risk_score") > budgets.min_score)
    )
    work = work.with_columns(
        ((per_unit(b_elig.cast(pl.Int64).cum_sum()) <= pl.col("__blue_n")) & b_elig).alias("__blue")
    )
    work = work.with_columns(
        pl.when(pl.col("__red"))
        .then(pl.lit(RED))
        .when(pl.col("__yellow"))
        .then(pl.lit(YELLOW))
        .when(pl.col("__blue"))
        .then(pl.lit(BLUE))
        .otherwise(pl.lit(GREEN))
        .alias("channel"),
        pl.when(pl.col("floor_red"))
        .then(pl.lit("floor"))
        .when(pl.col("__red_rank"))
        .then(pl.lit("ranked"))
        .when(pl.col("__red_rand"))
        .then(pl.lit("random"))
        .when(pl.col("__y_floor"))
        .then(pl.lit("floor"))
        .when(pl.col("__yellow"))
        .then(pl.lit("ranked"))
        .when(pl.col("__blue"))
        .then(pl.lit("valuation"))
        .otherwise(pl.lit("none"))
        .alias("selection"),
    )
    label = pl.col("__unit_key") if unit_cols else pl.lit("all")
    units = (
        work.group_by("__unit")
        .agg(
            label.first().alias("unit"), pl.col("__floor_red_n").first(), pl.col("__red_n").first()
        )
        .with_columns((pl.col("__floor_red_n") - pl.col("__red_n")).clip(0).alias("overflow"))
    )
    overflow = units.filter(pl.col("overflow") > 0).sort("unit")
    thresholds = {
        # risk_score is a Float64 column: its minimum is a float, or None when empty.
        ch: cast(
            "float | None",
            work.filter((pl.col("channel") == ch) & (pl.col("selection") == sel))[
                "risk_score"
            ].min(),
        )
        for ch, sel in ((RED, "ranked"), (YELLOW, "ranked"), (BLUE, "valuation"))
    }
    counts = {c: int(v) for c, v in work["channel"].value_counts().iter_rows()}
    counts[GREEN] = counts.get(GREEN, 0) + total - work.height  # lines left out of a pool
    report = SelectionReport(
        units=unit_sizes.height,
        counts={c: counts.get(c, 0) for c in (RED, YELLOW, BLUE, GREEN)},
        floor_overflow=int(overflow["overflow"].sum() or 0),
        thresholds={k: (float(v) if v is not None else None) for k, v in thresholds.items()},
        random_selected=int(work["__red_rand"].sum()),
        by_unit_overflow=overflow.select("unit", "overflow").to_dicts(),
    )
    chosen = work.select("__i", "channel", "selection")
    out = df.with_columns(
        df.select("__i").join(chosen, on="__i", how="left", maintain_order="left").drop("__i")
    )
    return out, report


def _select_whole(df: pl.DataFrame, budgets: Budgets) -> tuple[pl.DataFrame, SelectionReport]:
    """:func:`select` over a whole batch through its candidate pool; the rest is green."""
    narrow = df.select(
        "__i", "risk_score", "floor_red", "floor_yellow", "top_category", *budgets.per
    )
    if "__u" in df.columns:
        narrow = narrow.with_columns(df["__u"])
    else:  # the seeded stream in line order, as the draws of a streamed run's batches
        narrow = narrow.with_columns(pl.Series("__u", draws(budgets.seed, 0, df.height)))
    sizes = narrow.group_by(unit_key(budgets.per)).agg(pl.len().cast(pl.Int64).alias("__n"))
    pool = candidates(narrow, budgets, random_room(budgets, sizes))
    chosen, report = select(pool, budgets, unit_sizes=sizes)
    picked = chosen.select("__i", "channel", "selection")
    out = lookup(df, picked, "__i").with_columns(
        pl.col("channel").fill_null(GREEN), pl.col("selection").fill_null("none")
    )
    return out, report


def draws(seed: int, offset: int, n: int) -> np.ndarray:
    """Draws ``offset`` to ``offset + n`` of the seeded stream :func:`select` draws in order.

    One double is one step of PCG64, so a batch that knows how many lines come before it draws
    its own numbers (``advance``), the same that one generator drawing line after line gives.
    """
    bits = np.random.PCG64(seed)  # what default_rng(seed) draws with
    bits.advance(offset)
    return np.random.Generator(bits).random(n)


def random_room(budgets: Budgets, unit_sizes: pl.DataFrame) -> pl.DataFrame:
    """`__unit_key`, `__k`: how many lines the random share may draw in each unit."""
    red_n = _budget(pl.col("__n"), budgets.red)
    return unit_sizes.select("__unit_key", _budget(red_n, budgets.random_share).alias("__k"))


def candidates(df: pl.DataFrame, budgets: Budgets, room: pl.DataFrame) -> pl.DataFrame:
    """The lines of ``df`` (with its draws `__u`) that selection can pick (see CandidatePool).

    ``room`` (:func:`random_room`) may be computed from unit sizes larger than the true ones:
    the budgets grow with the size, so more quiet lines are kept, never fewer; thinning the
    union of such pools again with the true room gives the true pool.
    """
    interesting = (
        pl.col("floor_red") | pl.col("floor_yellow") | (pl.col("risk_score") > budgets.min_score)
    )
    df = df.with_columns(unit_key(budgets.per))
    quiet = (
        df.filter(~interesting)
        .join(room, on="__unit_key", how="left")
        .filter(pl.col("__u").rank("ordinal").over("__unit_key") <= pl.col("__k"))
        .drop("__k")
    )
    return compact(pl.concat([df.filter(interesting), quiet]).drop("__unit_key"))


class CandidatePool:
    """The few lines of a large input that budget selection can pick, folded batch by batch.

    Selection reads every line, but it can only pick three kinds: lines with a floor, lines
    scoring above ``min_score`` (ranked red, yellow and blue), and, for the random share, the
    free lines with the smallest seeded draws of their unit. A line of none of these kinds is
    free and scores nothing; the random draw takes at most ``rand_n`` lines of a unit, so only
    the ``rand_n`` smallest draws among such lines can ever be drawn, and the rest stay green
    whatever else happens. :func:`select` over the pool (with the input's ``unit_sizes``)
    therefore gives the channels that selecting over every line would, with memory in the
    number of candidates, not of lines. Batches must come in input order: the draws are the
    seeded generator's stream in that order, the same numbers an in-memory run draws. (A
    streamed run thins each batch where it is scored, with :func:`draws` and
    :func:`candidates`, and only merges the thinned batches.)
    """

    def __init__(self, budgets: Budgets, unit_sizes: pl.DataFrame) -> None:
        self.budgets = budgets
        self._room = random_room(budgets, unit_sizes)
        self._seen = 0
        self._pool: pl.DataFrame | None = None

    def add(self, narrow: pl.DataFrame) -> None:
        """Fold the next batch (global `__i` and the columns :func:`select` needs)."""
        df = narrow.with_columns(
            pl.Series("__u", draws(self.budgets.seed, self._seen, narrow.height))
        )
        self._seen += narrow.height
        if self._pool is not None:
            df = pl.concat([self._pool, df])
        self._pool = candidates(df, self.budgets, self._room)

    def frame(self) -> pl.DataFrame:
        assert self._pool is not None, "an empty pool"
        return self._pool


def apply_thresholds(df: pl.DataFrame, thresholds: dict[str, float | None]) -> pl.DataFrame:
    """Threshold mode (single lines, streams): channel from stored thresholds, floors first."""

    def at_least(ch: str) -> pl.Expr:
        t = thresholds.get(ch)
        return pl.lit(False) if t is None else pl.col("risk_score") >= t

    return df.with_columns(
        pl.when(pl.col("floor_red") | at_least(RED))
        .then(pl.lit(RED))
        .when(pl.col("floor_yellow") | at_least(YELLOW))
        .then(pl.lit(YELLOW))
        .when((pl.col("top_category") == "valuation") & at_least(BLUE))
        .then(pl.lit(BLUE))
        .otherwise(pl.lit(GREEN))
        .alias("channel"),
    ).with_columns(
        pl.when(pl.col("channel") == GREEN)
        .then(pl.lit("none"))
        .when((pl.col("channel") == RED) & pl.col("floor_red"))
        .then(pl.lit("floor"))
        .when((pl.col("channel") == YELLOW) & pl.col("floor_yellow"))
        .then(pl.lit("floor"))
        .otherwise(pl.lit("threshold"))
        .alias("selection"),
    )


def select_by_thresholds(
    df: pl.DataFrame, thresholds: dict[str, float | None]
) -> tuple[pl.DataFrame, SelectionReport]:
    """Threshold mode with the same report shape as budget mode."""
    out = apply_thresholds(df, thresholds)
    counts = {c: int(v) for c, v in out["channel"].value_counts().iter_rows()}
    report = SelectionReport(
        units=1,
        counts={c: counts.get(c, 0) for c in (RED, YELLOW, BLUE, GREEN)},
        floor_overflow=0,
        thresholds=dict(thresholds),
        random_selected=0,
        applied=True,
    )
    return out, report
