"""assess(batch) -> assessments: the one function every front end calls (CLI, API, Dask).

It is a pure function of a canonical batch and the loaded reference data: enrich (USD values,
per-unit figures), resolve the accelerator, add the EAR result, score anomalies, evaluate rules,
combine into a risk score with ordered reasons, then select channels within the budgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from chipcustoms import anomaly, controls, fx
from chipcustoms.catalog import Catalog, load_catalog
from chipcustoms.policies import LoadedPack, load_packs
from chipcustoms.resolve import Resolver
from chipcustoms.rules import IDX, REASON_DTYPE, RuleSet
from chipcustoms.scoring import ScoringConfig, noisy_or, scoring_config
from chipcustoms.selection import Budgets, SelectionReport, select

SELECTION_MESSAGES = {
    ("red", "floor"): ("SEL_FLOOR_RED", "A mandatory rule floor requires physical inspection."),
    ("red", "ranked"): ("SEL_RANKED_RED", "Among the highest risk scores of its selection unit."),
    ("red", "random"): ("SEL_RANDOM", "Drawn at random for exploration (WTO TFA art. 7.4)."),
    ("yellow", "floor"): (
        "SEL_FLOOR_YELLOW",
        "A rule floor requires at least a documentary check.",
    ),
    ("yellow", "ranked"): ("SEL_RANKED_YELLOW", "High risk score, below the red cut."),
    ("blue", "valuation"): ("SEL_POST_AUDIT", "Revenue risk: release, then post-clearance audit."),
}


@dataclass
class References:
    """Everything assess() reads besides the batch, loaded once per process."""

    catalog: Catalog
    packs: list[LoadedPack]
    scoring: ScoringConfig
    resolver: Resolver = field(init=False)
    rules: RuleSet = field(init=False)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.catalog)
        self.rules = RuleSet(self.packs)

    @classmethod
    def load(cls, policies: list[str] | None = None) -> References:
        return cls(load_catalog(), load_packs(policies), scoring_config())

    def versions(self) -> dict[str, object]:
        return {
            "catalog": self.catalog.version,
            "policies": {lp.pack.id: f"{lp.pack.version}#{lp.digest}" for lp in self.packs},
            "scoring": self.scoring.version,
            "model": None,
            "watchlists": None,
        }

    def category_of(self) -> dict[str, str]:
        cats = dict(self.rules.codes)
        cats.update({code: s.category for code, s in self.scoring.anomalies.items()})
        return cats


def enrich(lines: pl.DataFrame, refs: References) -> pl.DataFrame:
    """Everything a rule may refer to, as columns (documented in README, "Rule columns")."""
    df = lines.with_row_index(IDX)
    df = fx.to_usd(df)
    qty = pl.when(pl.col("quantity") > 0).then(pl.col("quantity"))
    per_kg = pl.when(pl.col("net_weight_kg") > 0).then(
        pl.col("value_usd") / pl.col("net_weight_kg")
    )
    df = df.with_columns(
        pl.col("hs_code").str.slice(0, 6).alias("hs6"),
        pl.col("hs_code").str.slice(0, 4).alias("hs4"),
        (pl.col("value_usd") / qty).alias("unit_value_usd"),
        (pl.col("gross_weight_kg") / qty).alias("unit_gross_kg"),
        (pl.col("net_weight_kg") / qty).alias("unit_net_kg"),
    ).with_columns(
        pl.coalesce(pl.col("unit_value_usd"), per_kg).alias("unit_basis_usd"),
        pl.when(pl.col("unit_value_usd").is_not_null())
        .then(pl.lit("piece"))
        .when(per_kg.is_not_null())
        .then(pl.lit("kg"))
        .alias("unit_basis"),
    )
    df = refs.resolver.resolve(df)
    cat = refs.catalog.frame().drop("accelerator_vendor", "accelerator_model")
    df = (
        df.join(cat, on="accelerator_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("accelerator_id").is_not_null().alias("is_accelerator"),
            pl.when(pl.col("accelerator_id").is_not_null())
            .then(pl.col("hs_headings").list.contains(pl.col("hs6")))
            .alias("hs_heading_fits"),
        )
        .drop("hs_headings")
    )
    df = controls.add_controls(df, refs.catalog)
    min_peers = refs.scoring.anomalies["VAL_LOW_FOR_HS"].min_peers or 20
    return anomaly.add_scores(df, min_peers=min_peers)


def _reason(
    code: str, source: str, score: pl.Expr, message: pl.Expr, evidence: list[str]
) -> pl.Expr:
    ev = pl.struct([pl.col(c) for c in evidence]).struct.json_encode()
    return pl.struct(
        pl.lit(code).alias("code"),
        pl.lit(source).alias("source"),
        score.cast(pl.Float64).round(4).alias("score"),
        message.alias("message"),
        ev.alias("evidence"),
    )


def score(df: pl.DataFrame, refs: References) -> pl.DataFrame:
    """Rules + anomalies -> `risk_score`, ordered `reasons`, `top_reason`, `top_category`."""
    ruled = refs.rules.evaluate(df)
    df = df.join(ruled, on=IDX, how="left", maintain_order="left")
    terms: list[pl.Expr] = [
        1
        - pl.col("rule_reasons")
        .list.eval((1 - pl.element().struct.field("score")).log())
        .list.sum()
        .exp()
    ]
    elements: list[pl.Expr] = []
    for code, (col, message, evidence) in anomaly.reason_specs().items():
        s = refs.scoring.anomalies[code]
        contribution = pl.col(col).fill_null(0.0) * s.weight
        terms.append(contribution)
        elements.append(
            pl.when(pl.col(col) >= s.report_at).then(
                _reason(code, "anomaly", contribution, message, [col, *evidence])
            )
        )
    resolution = pl.when(pl.col("is_accelerator")).then(
        _reason(
            "RES_ACCELERATOR",
            "resolution",
            pl.lit(0.0),
            pl.concat_str(
                pl.lit("Resolved to "),
                pl.col("accelerator_vendor"),
                pl.lit(" "),
                pl.col("accelerator_model"),
                pl.lit(" by "),
                pl.col("resolution_method"),
                pl.lit(" '"),
                pl.col("resolution_match"),
                pl.lit("'; US EAR: "),
                pl.col("license_basis"),
                pl.lit("."),
            ),
            [
                "accelerator_id",
                "resolution_confidence",
                "resolution_method",
                "resolution_match",
                "eccn",
                "tpp",
                "performance_density",
                "license_required",
            ],
        )
    )
    df = df.with_columns(
        noisy_or(terms).alias("risk_score"),
        pl.concat_list([pl.col("rule_reasons"), *[e.cast(REASON_DTYPE) for e in elements]])
        .list.drop_nulls()
        .list.eval(pl.element().sort_by(pl.element().struct.field("score"), descending=True))
        .alias("__ranked"),
        resolution.cast(REASON_DTYPE).alias("__resolution"),
    )
    cats = refs.category_of()
    top = pl.col("__ranked").list.first().struct.field("code")
    return df.with_columns(
        top.alias("top_reason"),
        top.replace_strict(cats, default=None, return_dtype=pl.Utf8).alias("top_category"),
    ).drop("rule_reasons")


def finish(df: pl.DataFrame) -> pl.DataFrame:
    """Append the selection reason and the resolution note to each line's reasons."""
    sel = pl.lit(None, dtype=REASON_DTYPE)
    for (channel, how), (code, text) in SELECTION_MESSAGES.items():
        sel = (
            pl.when((pl.col("channel") == channel) & (pl.col("selection") == how))
            .then(_reason(code, "selection", pl.lit(0.0), pl.lit(text), ["channel", "risk_score"]))
            .otherwise(sel)
        )
    reasons = pl.concat_list(
        [
            pl.col("__ranked"),
            pl.concat_list(pl.col("__resolution")),
            pl.concat_list(sel.cast(REASON_DTYPE)),
        ]
    ).list.drop_nulls()
    return df.with_columns(reasons.alias("reasons")).drop("__ranked", "__resolution")


OUTPUT_COLUMNS = [
    "declaration_id",
    "item_no",
    "date",
    "flow",
    "office",
    "importer_id",
    "importer_name",
    "origin_country",
    "shipped_from_country",
    "destination_country",
    "hs_code",
    "description",
    "quantity",
    "value",
    "currency",
    "value_usd",
    "unit_value_usd",
    "accelerator_id",
    "accelerator_vendor",
    "accelerator_model",
    "resolution_confidence",
    "resolution_method",
    "eccn",
    "tpp",
    "license_required",
    "license_basis",
    "anom_value_below_range",
    "anom_weight_implausible",
    "anom_value_low_for_hs",
    "anom_data_gap",
    "rule_hits",
    "floor_red",
    "floor_yellow",
    "risk_score",
    "channel",
    "selection",
    "top_reason",
    "reasons",
]


def assess(
    lines: pl.DataFrame, refs: References, budgets: Budgets
) -> tuple[pl.DataFrame, SelectionReport]:
    """Assess a canonical batch; one output row per input line, in input order."""
    df = score(enrich(lines, refs), refs)
    df, report = select(df, budgets)
    df = finish(df)
    labels = [
        c
        for c in ("inspected", "fraud", "critical", "revenue")
        if c in df.columns and df[c].null_count() < df.height
    ]
    return df.select(OUTPUT_COLUMNS + labels), report
