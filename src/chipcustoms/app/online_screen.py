"""The server's single-line screen on the online path (assess/online.py).

A line posted to ``POST /v1/screen`` is assessed against the cut-offs of the newest budget-mode
run and, as the design notes ask, against that run's anomaly peer statistics (HS6 medians and
spreads). Both are loaded here once per run, from the store (the run's distinct goods texts are
resolved into the cache at the same time, in one batch call), and the assessor is kept with its
caches (resolved texts, screened names) for the life of the process; a new run swaps cut-offs
and peers in (``OnlineAssessor.refresh``) without dropping them. The answer is the batch path's
frame and report, so the route, the group writer and the tests see what they saw before.
"""

from __future__ import annotations

import threading
from typing import Any

import polars as pl
import sqlalchemy as sa

from chipcustoms.assess.online import OnlineAssessor, peer_stats_of
from chipcustoms.assess.pipeline import References
from chipcustoms.assess.selection import BLUE, GREEN, RED, YELLOW, SelectionReport
from chipcustoms.lines.schema import canonical_schema
from chipcustoms.store import Store
from chipcustoms.store import tables as t


def run_lines(store: Store, run_id: int) -> pl.DataFrame:
    """The canonical lines a run assessed (its peers are computed over them)."""
    d, a = t.declarations, t.assessments
    schema = canonical_schema()
    q = (
        sa.select(*[d.c[name] for name in schema])
        .join(a, (a.c.declaration_id == d.c.declaration_id) & (a.c.item_no == d.c.item_no))
        .where(a.c.run_id == run_id)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
    names = list(schema)
    raw = pl.DataFrame(
        [tuple(r) for r in rows], schema=names, orient="row", infer_schema_length=None
    )
    # SQLite hands dates back as ISO text and booleans as integers: the canonical types again.
    return raw.with_columns(
        pl.col(c).str.to_date()
        if raw.schema[c] == pl.Utf8 and t == pl.Date
        else pl.col(c).cast(t, strict=False)
        for c, t in schema.items()
    )


class OnlineScreen:
    """One assessor per process; its cut-offs and peers those of the run named on each call."""

    def __init__(self, store: Store, refs: References) -> None:
        self.store, self.refs = store, refs
        self._assessor: OnlineAssessor | None = None
        self._run: int | None = None
        self._schema: dict[str, pl.DataType] | None = None
        self._lock = threading.Lock()

    def ready(self, run_id: int) -> bool:
        """Whether a line of ``run_id``'s cut-offs is assessed without a load (the run's lines,
        peers and the batch's dtypes): the route assesses it on the event loop only then."""
        return self._assessor is not None and self._run == run_id and self._schema is not None

    def assessor(self, run_id: int, thresholds: dict[str, float | None]) -> OnlineAssessor:
        with self._lock:
            if self._assessor is None or self._run != run_id:
                lines = run_lines(self.store, run_id)
                peers = peer_stats_of(lines, self.refs) if lines.height else None
                if self._assessor is None:
                    self._assessor = OnlineAssessor(self.refs, thresholds=thresholds, peers=peers)
                else:
                    self._assessor.refresh(thresholds=thresholds, peers=peers)
                # Traffic repeats the texts of the day's declarations: resolve the run's
                # distinct texts in one batch call now, not one line's miss at a time later.
                if lines.height:
                    self._assessor.warm(lines)
                    self._learn_schema(lines.head(1), thresholds, self._assessor)
                self._run = run_id
            return self._assessor

    def schema(
        self, frame: pl.DataFrame, thresholds: dict[str, float | None], online: OnlineAssessor
    ) -> dict[str, pl.DataType]:
        """The batch's output dtypes, learnt once from the batch itself: at load from a line of
        the run, else from the first line seen. Under the lock: the first burst of requests
        would otherwise each run the batch path (tens of milliseconds) at once."""
        if self._schema is None:
            with self._lock:
                self._learn_schema(frame.head(1), thresholds, online)
        assert self._schema is not None
        return self._schema

    def _learn_schema(
        self, line: pl.DataFrame, thresholds: dict[str, float | None], online: OnlineAssessor
    ) -> None:
        """The output dtypes of the batch path on one line (the lock held); the load does it
        with a line of the run, so requests find it learnt."""
        if self._schema is None:
            from chipcustoms.assess.pipeline import assess
            from chipcustoms.assess.selection import Budgets

            batch, _ = assess(
                line, self.refs, Budgets(), thresholds=thresholds, context=online.batch_context()
            )
            self._schema = dict(batch.schema)

    def assess(
        self, frame: pl.DataFrame, run_id: int, thresholds: dict[str, float | None]
    ) -> tuple[pl.DataFrame, SelectionReport, list[dict[str, Any]]]:
        """Assess the request's canonical lines: the batch's output frame and report shape,
        and the assessments as dicts (what the answer shows, without reading the frame)."""
        online = self.assessor(run_id, thresholds)
        rows = online.assess_many(frame.to_dicts())
        schema = self.schema(frame, thresholds, online)
        out = pl.DataFrame(
            [{c: r.get(c) for c in schema} for r in rows], schema=schema, orient="row"
        )
        channels = [r["channel"] for r in rows]
        report = SelectionReport(
            units=1,
            counts={c: channels.count(c) for c in (RED, YELLOW, BLUE, GREEN)},
            floor_overflow=0,
            thresholds=dict(thresholds),
            random_selected=0,
            applied=True,
        )
        return out, report, rows
