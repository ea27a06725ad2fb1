"""assess(batch) -> assessments: the one function every front end calls (CLI, API, Dask).

It is a pure function of a canonical batch and the loaded reference data: enrich (USD values,
per-unit figures), resolve the accelerator, add the EAR result, score anomalies, evaluate rules,
combine into a risk score with ordered reasons, then select channels within the budgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from chipcustoms.assess import anomalies as anomaly
from chipcustoms.assess import per_unit
from chipcustoms.assess.checks import built, settings_of
from chipcustoms.assess.frames import lookup
from chipcustoms.assess.output import OUTPUT_COLUMNS as OUTPUT_COLUMNS  # re-exported
from chipcustoms.assess.output import assessment_columns, labels_in
from chipcustoms.assess.scoring import (
    ScoringConfig,
    noisy_or,
    one_reason_per_fact,
    scoring_config,
)
from chipcustoms.assess.selection import Budgets, SelectionReport, select, select_by_thresholds
from chipcustoms.lines import fx
from chipcustoms.policy.packs import LoadedPack, load_packs
from chipcustoms.policy.profiles import Profile, load_profile
from chipcustoms.policy.rules import IDX, REASON_DTYPE, RuleSet
from chipcustoms.recognise import controls
from chipcustoms.recognise.catalog import Catalog, load_catalog
from chipcustoms.recognise.resolver import Resolver

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
    ("red", "threshold"): ("SEL_THRESHOLD_RED", "Risk score at or above the stored red cut-off."),
    ("yellow", "threshold"): (
        "SEL_THRESHOLD_YELLOW",
        "Risk score at or above the stored yellow cut-off.",
    ),
    ("blue", "threshold"): (
        "SEL_THRESHOLD_BLUE",
        "Valuation risk at or above the stored blue cut-off: release, then audit.",
    ),
}


class Scorer(Protocol):
    """A source of evidence beyond rules and anomalies (party screening, the learned model).

    ``score`` gets the enriched batch (with ``__i``, rule floors and ``rule_hits`` already joined)
    and returns it with the scorer's own columns added, a Float64 term in [0, 1] that joins the
    noisy-or risk score (or None to add nothing), and long reasons: one row per (``__i``,
    ``reason``) with ``reason`` of REASON_DTYPE, only for the lines that have one (they rank
    with the rule and anomaly evidence, by score). Scorers run in
    list order, so a later one (the model) may read an earlier one's columns (screening hits).
    """

    name: str

    def score(self, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.Expr | None, pl.DataFrame]: ...

    def version(self) -> object: ...

    def output_columns(self) -> list[str]: ...


@dataclass
class References:
    """Everything assess() reads besides the batch, loaded once per process."""

    catalog: Catalog
    packs: list[LoadedPack]
    scoring: ScoringConfig
    scorers: list[Scorer] = field(default_factory=list)
    profile: Profile | None = None  # who screens; None: the `all` profile
    resolver: Resolver = field(init=False)
    rules: RuleSet = field(init=False)

    def __post_init__(self) -> None:
        settings_of(self.scoring)  # every anomaly check has its YAML entry: refuse before any work
        self.resolver = Resolver(self.catalog)
        self.rules = RuleSet(self.packs, self.profile)
        self.profile = self.rules.profile

    @classmethod
    def load(
        cls,
        policies: list[str] | None = None,
        *,
        profile: str | None = None,
        scorers: list[Scorer] | None = None,
    ) -> References:
        """The package's files; ``scorers``: evidence the caller built (the run layer builds
        the store's, run/references.py: assess never opens the store); ``profile``: a profile
        name or file (default: the `profile` setting, else `all`)."""
        packs = load_packs(policies)
        prof = load_profile(profile, packs)
        return cls(load_catalog(), packs, scoring_config(), list(scorers or []), prof)

    def versions(self) -> dict[str, object]:
        by_name = {s.name: s.version() for s in self.scorers}
        return {
            "profile": self.rules.profile.id,
            "catalog": self.catalog.version,
            "policies": {lp.pack.id: f"{lp.pack.version}#{lp.digest}" for lp in self.rules.packs},
            "scoring": self.scoring.version,
            "model": by_name.get("model"),
            "watchlists": by_name.get("screening"),
            "patterns": by_name.get("pattern"),
        }

    def category_of(self) -> dict[str, str]:
        cats: dict[str, str] = dict(self.rules.codes)
        cats.update({code: s.category for code, s in self.scoring.anomalies.items()})
        return cats


def enrich(lines: pl.DataFrame, refs: References, *, anomalies: bool = True) -> pl.DataFrame:
    """Everything a rule may refer to, as columns (documented in README, "Rule columns").

    ``anomalies=False`` leaves the anomaly scores out: a streamed run adds them later with
    :func:`add_anomalies`, once the peer statistics of the whole input are known.
    """
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
    df = per_unit.add_per_unit(df, refs.catalog, refs.resolver.vocabulary)
    df = controls.add_controls(df, refs.catalog)
    return add_anomalies(df, refs) if anomalies else df


@dataclass(frozen=True)
class BatchContext:
    """The batch-global evidence of a larger whole, for a batch that is one part of it.

    Two parts of the assessment look beyond a line: the HS6 peers of VAL_LOW_FOR_HS and the
    window aggregates of group rules. Without a context they are the batch's own; a streamed
    run computes them once over the whole input, so that results do not depend on where the
    input was cut.
    """

    peers: pl.DataFrame | None = None  # anomaly.peer_stats over the whole input
    groups: dict[str, pl.DataFrame] | None = None  # RuleSet.group_queries, this batch's rows


def add_anomalies(
    df: pl.DataFrame, refs: References, context: BatchContext | None = None
) -> pl.DataFrame:
    peers = context.peers if context is not None else None
    return anomaly.add_scores(df, peers=peers, config=refs.scoring)


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


RESOLUTION_EVIDENCE = [
    "accelerator_id",
    "resolution_confidence",
    "resolution_method",
    "resolution_match",
    "eccn",
    "tpp",
    "performance_density",
    "license_required",
    "accelerator_vendor",  # for the zh template (refdata/reasons_zh.yaml)
    "accelerator_model",
]
# Order of reasons within a line: evidence by score first, then the resolution and selection notes.
_RANK_EVIDENCE, _RANK_RESOLUTION, _RANK_SELECTION = 0, 1, 2


def _long(df: pl.DataFrame, when: pl.Expr, reason: pl.Expr, rank: int) -> pl.DataFrame:
    """(line, rank, reason) rows for the lines where ``when`` holds: only those pay for a struct."""
    return df.filter(when).select(
        pl.col(IDX),
        pl.lit(rank, dtype=pl.Int8).alias("__rank"),
        reason.cast(REASON_DTYPE).alias("reason"),
    )


def score(
    df: pl.DataFrame, refs: References, *, context: BatchContext | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rules + anomalies -> `risk_score`, `top_reason`, `top_category`, plus the reasons table.

    Reasons are kept long (one row per line and reason) until :func:`finish`: most lines have
    none, and building per-line lists only for the lines that do is what keeps a million-line
    batch fast.
    """
    groups = context.groups if context is not None else None
    hits = refs.rules.evaluate(df, groups=groups).with_columns(  # only the lines that hit a rule
        (
            1
            - pl.col("rule_reasons")
            .list.eval((1 - pl.element().struct.field("score")).log())
            .list.sum()
            .exp()
        ).alias("__rule_term")
    )
    df = lookup(df, hits.select(IDX, "floor_red", "floor_yellow", "rule_hits", "__rule_term"), IDX)
    df = df.with_columns(
        pl.col("floor_red").fill_null(False),
        pl.col("floor_yellow").fill_null(False),
        pl.col("rule_hits").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))),
    )
    terms: list[pl.Expr] = [pl.col("__rule_term")]
    parts = [
        hits.select(
            IDX,
            pl.lit(_RANK_EVIDENCE, dtype=pl.Int8).alias("__rank"),
            pl.col("rule_reasons").alias("reason"),
        ).explode("reason")
    ]
    for r, s, check in built(refs.scoring, df.columns):
        code, col, message, evidence = r.code, r.column, check.message, check.evidence
        contribution = pl.col(col).fill_null(0.0) * s.weight
        terms.append(contribution)
        parts.append(
            _long(
                df,
                pl.col(col) >= s.report_at,
                _reason(code, "anomaly", contribution, message, [col, *evidence]),
                _RANK_EVIDENCE,
            )
        )
    # EAR facts as information only: the licence result is a rule's to cite, where it governs.
    eccn = pl.concat_str(pl.lit("; US ECCN "), pl.col("eccn")).fill_null("")
    named = pl.concat_str(
        pl.lit("Resolved to "),
        pl.col("accelerator_vendor"),
        pl.lit(" "),
        pl.col("accelerator_model"),
        pl.lit(" by "),
        pl.col("resolution_method"),
        pl.concat_str(pl.lit(" '"), pl.col("resolution_match"), pl.lit("'")).fill_null(""),
        eccn,
        pl.lit("."),
    )
    # An accelerator without a nameable model (AI wording, a system whose GPUs are not written).
    unnamed = pl.concat_str(
        pl.lit("Recognised as "),
        pl.col("accelerator_model").fill_null("an accelerator"),
        pl.lit(" by "),
        pl.col("resolution_method").fill_null("wording"),
        pl.concat_str(pl.lit(" '"), pl.col("resolution_match"), pl.lit("'")).fill_null(""),
        eccn,
        pl.lit("."),
    )
    message = pl.when(pl.col("accelerator_vendor").is_not_null()).then(named).otherwise(unnamed)
    parts.append(
        _long(
            df,
            pl.col("is_accelerator"),
            _reason("RES_ACCELERATOR", "resolution", pl.lit(0.0), message, RESOLUTION_EVIDENCE),
            _RANK_RESOLUTION,
        )
    )
    for scorer in refs.scorers:
        df, term, part = scorer.score(df)
        if term is not None:
            terms.append(term)
        if part.height:
            parts.append(
                part.select(
                    IDX,
                    pl.lit(_RANK_EVIDENCE, dtype=pl.Int8).alias("__rank"),
                    pl.col("reason").cast(REASON_DTYPE),
                )
            )
    reasons = one_reason_per_fact(pl.concat(parts), refs.scoring).sort(
        [IDX, "__rank", pl.col("reason").struct.field("score")],
        descending=[False, False, True],
        maintain_order=True,
    )
    cats = refs.category_of()
    top = (
        reasons.filter(pl.col("__rank") == _RANK_EVIDENCE)
        .group_by(IDX)
        .agg(pl.col("reason").first().struct.field("code").alias("top_reason"))
    )
    df = df.with_columns(noisy_or(terms).alias("risk_score")).drop("__rule_term")
    df = lookup(df, top, IDX)
    df = df.with_columns(
        pl.col("top_reason")
        .replace_strict(cats, default=None, return_dtype=pl.Utf8)
        .alias("top_category")
    )
    return df, reasons


def finish(df: pl.DataFrame, reasons: pl.DataFrame) -> pl.DataFrame:
    """Add the selection note and gather each line's reasons into one ordered list."""
    sel = pl.lit(None, dtype=REASON_DTYPE)
    for (channel, how), (code, text) in SELECTION_MESSAGES.items():
        sel = (
            pl.when((pl.col("channel") == channel) & (pl.col("selection") == how))
            .then(_reason(code, "selection", pl.lit(0.0), pl.lit(text), ["channel", "risk_score"]))
            .otherwise(sel)
        )
    selected = _long(df, pl.col("channel") != "green", sel, _RANK_SELECTION)
    gathered = (
        pl.concat([reasons, selected])
        .sort([IDX, "__rank"], maintain_order=True)
        .group_by(IDX, maintain_order=True)
        .agg(pl.col("reason").alias("reasons"))
    )
    lists = lookup(df.select(IDX), gathered, IDX)
    return df.with_columns(lists["reasons"].fill_null(pl.lit([], dtype=pl.List(REASON_DTYPE))))


def assess(
    lines: pl.DataFrame,
    refs: References,
    budgets: Budgets,
    *,
    thresholds: dict[str, float | None] | None = None,
    context: BatchContext | None = None,
) -> tuple[pl.DataFrame, SelectionReport]:
    """Assess a canonical batch; one output row per input line, in input order.

    With ``thresholds`` (threshold mode: single lines, streams) each line's channel comes from
    the stored score cut-offs instead of the batch's budgets. ``context``: the HS6 peers and
    group aggregates of a larger whole (the latest run's, for the online path's comparison)
    instead of this batch's own.
    """
    if context is None:
        df, reasons = score(enrich(lines, refs), refs)
    else:
        enriched = add_anomalies(enrich(lines, refs, anomalies=False), refs, context)
        df, reasons = score(enriched, refs, context=context)
    if thresholds is not None:
        df, report = select_by_thresholds(df, thresholds)
    else:
        df, report = select(df, budgets)
    df = finish(df, reasons)
    return df.select(assessment_columns(refs.scorers, labels_in(df))), report
