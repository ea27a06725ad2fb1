"""Split lots across declarations and parties: one buyer behind several importer ids or
addresses, many small accelerator lines within a window, each under a value or quantity
threshold, together well above it.

The buyer is the party's trader-network community when it has one (importers linked by a
shared address, consignee or declarant), else the consignee name, else the importer. Windows of
``window_days`` start every half window, so any run of lines shorter than half a window falls
whole into one of them. All of it is one Polars ``group_by_dynamic``.
"""

from __future__ import annotations

import polars as pl

from chipcustoms.patterns.config import SplitLotSettings, pattern_settings
from chipcustoms.patterns.network import PARTY, Network, name_key, party_key


def buyers(lines: pl.DataFrame, net: Network | None) -> pl.Expr:
    """The buyer key of each line (see the module docstring)."""
    return pl.coalesce(
        pl.format("community:{}", "__community") if net is not None else pl.lit(None),
        pl.format("consignee:{}", "__consignee"),
        pl.format("party:{}", PARTY),
    )


def campaigns(
    lines: pl.DataFrame, net: Network | None = None, settings: SplitLotSettings | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(campaigns, members): one row per campaign (buyer, window, lines, importers, value) and
    the (``declaration_id``, ``item_no``, campaign) of their lines (a line in two overlapping
    windows counts once, in the first)."""
    s = settings or pattern_settings().split_lots
    acc = pl.col("is_accelerator").fill_null(False) if "is_accelerator" in lines.columns else (
        pl.col("accelerator_id").is_not_null()
    )
    units = pl.col("quantity") * pl.col("units_per_item").fill_null(1) \
        if "units_per_item" in lines.columns else pl.col("quantity")
    small = (pl.col("value_usd") < s.max_line_value_usd) | (units <= s.max_line_units)
    df = lines.filter(acc & small).select(
        "declaration_id", "item_no", "date", "value_usd", "importer_address",
        party_key().alias(PARTY), pl.col("consignee_name"),
    )
    df = df.with_columns(name_key(df["consignee_name"]).alias("__consignee"))
    if net is not None:
        df = df.join(
            net.parties.filter(pl.col("community").is_not_null())
            .select(PARTY, pl.col("community").alias("__community")),
            on=PARTY, how="left",
        )
    df = df.with_columns(buyers(df, net).alias("buyer")).sort("date")
    every = f"{max(1, s.window_days // 2)}d"
    groups = (
        df.group_by_dynamic("date", every=every, period=f"{s.window_days}d", group_by="buyer",
                            closed="left", start_by="datapoint")
        .agg(
            pl.len().alias("lines"),
            pl.col(PARTY).n_unique().alias("importers"),
            pl.col("importer_address").n_unique().alias("addresses"),
            pl.col("value_usd").sum().alias("value_usd"),
            pl.col("declaration_id"), pl.col("item_no"),
        )
        .filter(
            (pl.col("lines") >= s.min_lines)
            & (pl.max_horizontal("importers", "addresses") >= s.min_importers)
            & (pl.col("value_usd") >= s.min_total_usd)
        )
        .rename({"date": "window_start"})
        .sort("buyer", "window_start")
    )
    # Overlapping flagged windows of one buyer are one campaign, named by its first window.
    end = pl.col("window_start").dt.offset_by(f"{s.window_days}d")
    chain = (pl.col("window_start") > end.shift(1).over("buyer")).fill_null(True)
    groups = groups.with_columns(chain.cum_sum().over("buyer").alias("__chain")).with_columns(
        pl.format("{}@{}", "buyer", pl.col("window_start").first().over("buyer", "__chain"))
        .alias("campaign")
    )
    members = (
        groups.select("campaign", "declaration_id", "item_no")
        .explode("declaration_id", "item_no")
        .unique(["declaration_id", "item_no"], keep="first", maintain_order=True)
    )
    summary = groups.group_by("campaign", "buyer", maintain_order=True).agg(
        pl.col("window_start").min().alias("first_window"),
        pl.col("window_start").max().dt.offset_by(f"{s.window_days}d").alias("until"),
    ).join(
        members.join(df.select("declaration_id", "item_no", PARTY, "value_usd"),
                     on=["declaration_id", "item_no"])
        .group_by("campaign")
        .agg(pl.len().alias("lines"), pl.col(PARTY).n_unique().alias("importers"),
             pl.col("value_usd").sum()),
        on="campaign",
    )
    return summary, members
