"""The pattern analyses as a pipeline ``Scorer``: a line whose importer sits in a flagged trader
network, that belongs to a split-lot campaign, or that travels a new or growing transit route
gets a reason of source ``pattern``, and the strongest of these joins the noisy-or.

The evidence is computed once over a whole set of lines (the store's, or the file screened)
into a :class:`PatternContext`; ``score`` is joins against it only, so the result does not
depend on how a run cuts its input into batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from chipcustoms.assess.frames import lookup
from chipcustoms.patterns import network, routes, split_lots
from chipcustoms.patterns.config import pattern_settings
from chipcustoms.policy.rules import IDX, REASON_DTYPE

if TYPE_CHECKING:
    from chipcustoms.store import Store

NETWORK_CODES = {
    "NETWORK_LISTED_LINK": "The importer belongs to a flagged trader network and is linked, "
    "through shared names, addresses, declarants, consignees or exporters, to a member listed "
    "on a watchlist; the message names the path.",
    "NETWORK_SEIZURE_LINK": "The importer belongs to a flagged trader network linked to a "
    "member with an irregular inspection outcome; the message names the path.",
    "NETWORK_NEW_TRADERS": "The importer belongs to a flagged network of new traders moving "
    "high-value accelerators, with no listed or seized member.",
}
OTHER_CODES = {
    "SPLIT_LOT_CAMPAIGN": "The line is one of many small accelerator lines of one buyer (its "
    "network, else its consignee) behind several importer ids or addresses within a window, "
    "each under the value or quantity threshold, together above it.",
    "ROUTE_NEW": "The line's transit route carries at least the minimum share of its model's "
    "units this month, first carried the model within the last `new_months` and carried none "
    "before.",
    "ROUTE_GROWING": "The line's transit route's share of its model's units this month is at "
    "least `growth` times its share in the baseline months.",
}


@dataclass
class PatternContext:
    paths: pl.DataFrame  # network.paths: party, code, message, community_score, ...
    campaigns: pl.DataFrame  # split_lots.campaigns summary
    members: pl.DataFrame  # declaration_id, item_no, campaign
    route_flags: pl.DataFrame  # routes.flags

    @classmethod
    def build(cls, lines: pl.DataFrame, listed: pl.DataFrame | None = None) -> PatternContext:
        """``lines``: enriched lines (:mod:`chipcustoms.patterns.sources`)."""
        return cls.from_network(lines, network.build(lines, listed))

    @classmethod
    def from_network(cls, lines: pl.DataFrame, net: network.Network) -> PatternContext:
        camps, members = split_lots.campaigns(lines, net)
        return cls(network.paths(net), camps, members, routes.flags(lines))


def _reason(code: pl.Expr, score: pl.Expr, message: pl.Expr, evidence: pl.Expr) -> pl.Expr:
    return pl.struct(
        code.alias("code"), pl.lit("pattern").alias("source"), score.round(4).alias("score"),
        message.alias("message"), evidence.alias("evidence"),
    ).cast(REASON_DTYPE).alias("reason")


class PatternScorer:
    name = "pattern"

    def __init__(self, context: PatternContext) -> None:
        self.context = context
        self.settings = pattern_settings()

    def version(self) -> object:
        c = self.context
        return {"settings": self.settings.version, "flagged_parties": c.paths.height,
                "campaigns": c.campaigns.height, "route_flags": c.route_flags.height}

    def output_columns(self) -> list[str]:
        return ["pattern_score", "network_community"]

    def score(self, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.Expr | None, pl.DataFrame]:
        s, c = self.settings, self.context
        keys = df.select(IDX, network.party_key().alias(network.PARTY), "declaration_id",
                         "item_no", "accelerator_id",
                         pl.col("date").dt.truncate("1mo").alias("month"),
                         routes.route_expr().alias("route"))
        net = keys.join(c.paths, on=network.PARTY).select(
            IDX, pl.col("community").alias("network_community"),
            _reason(pl.col("code"), pl.col("community_score") * s.network.reason_weight,
                    pl.col("message"),
                    pl.struct("community", "n_parties", "community_score", "path")
                    .struct.json_encode()),
        )
        camp = keys.join(c.members, on=["declaration_id", "item_no"]).join(
            c.campaigns, on="campaign").select(
            IDX,
            _reason(pl.lit("SPLIT_LOT_CAMPAIGN"), pl.lit(s.split_lots.reason_weight),
                    pl.format("One of {} small accelerator lines of buyer {} across {} importers "
                              "from {} to {}, together {} USD.", "lines", "buyer", "importers",
                              "first_window", "until", pl.col("value_usd").round(0)),
                    pl.struct("campaign", "lines", "importers", "value_usd").struct.json_encode()),
        )
        flags = c.route_flags.rename({"lines": "route_lines"})
        route = keys.join(flags, on=["accelerator_id", "month", "route"]).select(
            IDX,
            _reason(pl.col("code"), pl.lit(s.routes.reason_weight),
                    pl.format("Route {} carries {}% of {} units in {}, against {}% in the {} "
                              "months before.", "route", (pl.col("share") * 100).round(1),
                              "accelerator_id", pl.col("month").dt.strftime("%Y-%m"),
                              (pl.col("baseline_share") * 100).round(1),
                              pl.lit(s.routes.baseline_months)),
                    pl.struct("route", "month", "share", "baseline_share", "route_lines")
                    .struct.json_encode()),
        )
        reasons = pl.concat([net.select(IDX, "reason"), camp, route])
        per_line = reasons.group_by(IDX).agg(
            pl.col("reason").struct.field("score").max().alias("pattern_score"))
        df = lookup(df, per_line, IDX)
        df = lookup(df, net.select(IDX, "network_community").unique(IDX), IDX)
        df = df.with_columns(pl.col("pattern_score").fill_null(0.0),
                             pl.col("network_community").cast(pl.Int64))
        return df, pl.col("pattern_score"), reasons


def load_pattern_scorers(db: str | Store) -> list[PatternScorer]:
    """The scorer over the store's lines and watchlists (a path or URL, or an open store);
    none while the store has no lines."""
    from chipcustoms.assess.pipeline import References
    from chipcustoms.patterns.sources import store_lines
    from chipcustoms.store import open_store

    store = open_store(db) if isinstance(db, str) else db
    refs = References.load()
    lines = store_lines(store, refs)
    if lines.height == 0:
        return []
    entities = store.watchlist_entities()
    listed = network.listed_keys(entities) if entities.height else None
    return [PatternScorer(PatternContext.build(lines, listed))]
