"""The online assessment path: one to a few lines in about a millisecond, exactly as the batch.

``OnlineAssessor`` is built once from a :class:`References`, the cut-offs of the latest
budget-mode run and that run's anomaly peer statistics (HS6 medians and spreads), and then
assesses a line as a dict in pure Python: enrichment and resolution (cached per distinct text,
online_enrich.py), the registered anomaly checks (online_checks.py), the rules (the RuleSet's
row evaluator where it has one, else the batch evaluation on a frame of the line:
online_rules.py), the scorers (``score_row`` where a scorer has one, else its frame ``score``
on a one-row frame), then reasons, risk score and channel (online_reasons.py). Its output is
what ``assess(lines, refs, Budgets(), thresholds=..., context=BatchContext(peers=...))`` gives
for the same line; tests/test_online_differential.py proves it on generated and fixture lines.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from chipcustoms.assess import online_reasons as rs
from chipcustoms.assess.checks import settings_of
from chipcustoms.assess.online_checks import RowChecks, contribution, is_reported, peer_table
from chipcustoms.assess.online_enrich import RowEnricher
from chipcustoms.assess.online_rules import FrameRules, MemoryWindows, RowRules, WindowProvider
from chipcustoms.assess.output import output_columns
from chipcustoms.assess.pipeline import (
    RESOLUTION_EVIDENCE,
    SELECTION_MESSAGES,
    BatchContext,
    References,
    assess,
    enrich,
)
from chipcustoms.assess.selection import GREEN, Budgets
from chipcustoms.lines.schema import canonical_schema
from chipcustoms.policy.rules import IDX
from chipcustoms.recognise.resolver import TEXT_FIELDS

Row = dict[str, Any]
LABELS = ("inspected", "fraud", "critical", "revenue")


def peer_stats_of(lines: pl.DataFrame, refs: References) -> pl.DataFrame:
    """The HS6 peer statistics of a batch, as its own anomaly check sees them."""
    from chipcustoms.assess import anomalies

    df = enrich(lines, refs, anomalies=False)
    return anomalies.peer_stats(df.select("hs6", anomalies.log_unit_value().alias("ln")))


class OnlineAssessor:
    """Assess lines one at a time with the cut-offs and peers of a batch run (threshold mode)."""

    def __init__(
        self,
        refs: References,
        *,
        thresholds: dict[str, float | None],
        peers: pl.DataFrame | None = None,
        cache_size: int | None = None,
    ) -> None:
        self.refs = refs
        self.thresholds = dict(thresholds)
        self.peers = peers
        self.enricher = RowEnricher(refs.catalog, refs.resolver, cache_size)
        base = canonical_schema(with_labels=True)
        self.schema: dict[str, pl.DataType] = dict(
            enrich(pl.DataFrame(schema=base), refs, anomalies=False).drop(IDX).schema
        )
        self.checks = RowChecks(refs.scoring, peers, list(self.schema), self.to_frame)
        for r, _, _ in self.checks.checks:
            self.schema[r.column] = pl.Float64()
        # The rules compiled for one line over the enriched batch's columns, where the RuleSet
        # offers it (policy/rule_rows.py); else the batch evaluation on a frame.
        make = getattr(refs.rules, "row_evaluator", None)
        self.row_rules: RowRules | None = make(dict(self.schema)) if make is not None else None
        self.schema.update(
            floor_red=pl.Boolean(), floor_yellow=pl.Boolean(), rule_hits=pl.List(pl.Utf8())
        )
        self.frame_rules = FrameRules(refs.rules, self.to_frame)
        self.settings = settings_of(refs.scoring)
        self.categories = refs.category_of()
        self.same_fact = {
            c: set(s.same_fact_as) for c, s in refs.scoring.anomalies.items() if s.same_fact_as
        }
        self.extra = [c for s in refs.scorers for c in s.output_columns()]
        self.columns = output_columns() + self.extra

    @classmethod
    def from_run(
        cls, lines: pl.DataFrame, refs: References, budgets: Budgets | None = None
    ) -> OnlineAssessor:
        """Cut-offs and peers of a budget-mode run over ``lines`` (what a server loads from the
        latest run, and reloads when a new one lands)."""
        _, report = assess(lines, refs, budgets or Budgets())
        return cls(refs, thresholds=report.thresholds, peers=peer_stats_of(lines, refs))

    def refresh(self, *, thresholds: dict[str, float | None], peers: pl.DataFrame | None) -> None:
        """A new budget-mode run landed: its cut-offs and peers from now on. The caches stay
        (a text resolves and a name screens the same whatever the run)."""
        self.thresholds = dict(thresholds)
        self.peers = peers
        self.checks.peers = peer_table(peers)
        self.checks.frame_peers = peers

    def warm(self, lines: pl.DataFrame) -> int:
        """Resolve the distinct texts of ``lines`` (the latest run's, say) into the cache in
        one batch-resolver call, so that lines repeating them never wait for a miss; returns
        how many texts were new."""
        before = self.enricher.texts.misses
        self.enricher.texts.resolve_many(lines.select(TEXT_FIELDS).unique().to_dicts())
        return self.enricher.texts.misses - before

    def batch_context(self) -> BatchContext:
        """The context under which the batch path sees the same peers as this assessor."""
        return BatchContext(peers=self.peers)

    def to_frame(self, rows: list[Row]) -> pl.DataFrame:
        """Rows as a frame with the batch's dtypes (the one-row fallbacks run on it)."""
        cols = {c: t for c, t in self.schema.items() if c in rows[0]}
        for c, v in rows[0].items():
            if c not in cols and not c.startswith("__"):
                cols[c] = pl.Series([v]).dtype
        return pl.DataFrame([{c: r.get(c) for c in cols} for r in rows], schema=cols, orient="row")

    def assess(self, line: Row, windows: WindowProvider | None = None) -> Row:
        """One canonical line (a dict) -> its assessment (a dict of the output columns)."""
        return self.assess_many([line], windows)[0]

    def assess_many(self, lines: list[Row], windows: WindowProvider | None = None) -> list[Row]:
        """Several lines; group rules read ``windows`` or, without one, the lines given."""
        self.enricher.texts.resolve_many(lines)
        rows = [self.enricher.enrich(line) for line in lines]
        anomalies = [self.checks.score(row) for row in rows]
        if self.row_rules is not None:
            if windows is None:  # the lines given are each other's windows, as in a batch
                return self._row_rules_together(lines, rows, anomalies)
            hits = [self.row_rules.evaluate(row, windows) for row in rows]
        else:
            hits = self.frame_rules.evaluate_many(rows, windows)
        return [
            self._finish(line, row, a, h)
            for line, row, a, h in zip(lines, rows, anomalies, hits, strict=True)
        ]

    def _row_rules_together(
        self, lines: list[Row], rows: list[Row], anomalies: list[Any]
    ) -> list[Row]:
        """Row evaluation where the lines given together are each other's windows."""
        assert self.row_rules is not None
        together = MemoryWindows(self.partitions())
        for row in rows:
            together.add(row)
        return [
            self._finish(line, row, a, self.row_rules.evaluate(row, together.without(row)))
            for line, row, a in zip(lines, rows, anomalies, strict=True)
        ]

    def partitions(self) -> list[tuple[str, ...]]:
        """Each group rule's partition columns (what a window provider indexes by)."""
        return [tuple(g.partition_by) for _, r in self.refs.rules.rules if (g := r.group)]

    def window_columns(self) -> set[str]:
        """The columns a window provider's rows must carry: those the group rules read."""
        specs = self.refs.rules.group_specs(set(self.schema))
        return {c for spec in specs for c in spec.columns}

    def _finish(self, line: Row, row: Row, anomalies: list[Any], hits: Any) -> Row:
        rule_reasons = hits.rule_reasons if hits is not None else []
        row["floor_red"] = bool(hits.floor_red) if hits is not None else False
        row["floor_yellow"] = bool(hits.floor_yellow) if hits is not None else False
        row["rule_hits"] = list(hits.rule_hits) if hits is not None else []
        terms: list[float | None] = [rs.rule_term(rule_reasons)]
        parts: list[tuple[int, Row]] = [(rs.RANK_EVIDENCE, r) for r in rule_reasons]
        for (code, value, message, evidence), (r, s, _) in zip(
            anomalies, self.checks.checks, strict=True
        ):
            c = contribution(value, s)
            terms.append(c)
            if is_reported(value, s):
                ev = {r.column: value, **{k: row.get(k) for k in evidence}}
                parts.append((rs.RANK_EVIDENCE, rs.reason(code, "anomaly", c, message, ev)))
        if row["is_accelerator"]:
            ev = {k: row.get(k) for k in RESOLUTION_EVIDENCE}
            msg = rs.resolution_message(row)
            parts.append(
                (rs.RANK_RESOLUTION, rs.reason("RES_ACCELERATOR", "resolution", 0.0, msg, ev))
            )
        for scorer in self.refs.scorers:
            adds, term, reasons = self._score(scorer, row)
            row.update(adds)
            terms.append(term)
            parts += [(rs.RANK_EVIDENCE, r) for r in reasons]
        parts = rs.ordered(rs.one_reason_per_fact(parts, self.same_fact))
        top = next((r["code"] for k, r in parts if k == rs.RANK_EVIDENCE), None)
        row["risk_score"] = risk = rs.noisy_or(terms)
        row["top_reason"] = top
        row["top_category"] = None if top is None else self.categories.get(top)
        channel, how = rs.channel_of(
            risk, row["floor_red"], row["floor_yellow"], row["top_category"], self.thresholds
        )
        row["channel"], row["selection"] = channel, how
        reasons = [r for _, r in parts]
        if channel != GREEN:
            code, text = SELECTION_MESSAGES[(channel, how)]
            ev = {"channel": channel, "risk_score": risk}
            reasons.append(rs.reason(code, "selection", 0.0, text, ev))
        row["reasons"] = reasons
        out = {c: row.get(c) for c in self.columns}
        out.update({c: line[c] for c in LABELS if line.get(c) is not None})
        return out

    def _score(self, scorer: Any, row: Row) -> tuple[Row, float | None, list[Row]]:
        """A scorer's ``score_row``, or its frame ``score`` on a one-row frame (also where
        ``score_row`` answers None: that line needs the frame)."""
        if hasattr(scorer, "score_row"):
            result: tuple[Row, float | None, list[Row]] | None = scorer.score_row(row)
            if result is not None:
                return result
        frame = self.to_frame([row]).with_row_index(IDX)
        df, term, part = scorer.score(frame)
        # A scorer adds columns and may raise the floors: every column comes back.
        adds = df.drop(IDX).row(0, named=True)
        schema = df.schema  # built per call by polars: once, not once per column
        for c in adds:
            if c not in self.schema:
                self.schema[c] = schema[c]
        value = None if term is None else df.select(term).item()
        return adds, value, list(part["reason"].to_list()) if part.height else []
