"""The rules seam of the online path: row evaluators, window providers, and the frame fallback.

The rule SQL stays the one definition of a rule's meaning. ``RuleSet.row_evaluator()`` (the
compiled row form, policy/rowexpr.py) evaluates it per line; where a RuleSet has none, the
fallback here runs :meth:`RuleSet.evaluate` itself on a frame of the lines (correct by
definition, slower). Group rules read their windows from a :class:`WindowProvider` the caller
passes (the server backs it with the store): the online path never opens the store.
"""

from __future__ import annotations

import bisect
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

import duckdb
import polars as pl

from chipcustoms.policy.rules import IDX, RuleSet, connect

Row = dict[str, Any]


class WindowProvider(Protocol):
    """The stored lines a group rule's window holds (the line being assessed not included)."""

    def rows(
        self, partition: dict[str, Any], date_from: date, date_to: date, columns: tuple[str, ...]
    ) -> list[Row]: ...


@dataclass
class RuleHits:
    """One line's rule results, exactly as the batch's ``RuleSet.evaluate`` row."""

    rule_reasons: list[Row]
    floor_red: bool
    floor_yellow: bool
    rule_hits: list[str]


class RowRules(Protocol):
    def evaluate(self, row: Row, windows: WindowProvider | None) -> RuleHits | None: ...


@dataclass
class MemoryWindows:
    """A window provider over rows held in memory (the lines submitted so far, or a batch),
    indexed by each group rule's partition values and sorted by date."""

    partitions: list[tuple[str, ...]]
    _index: dict[tuple[tuple[str, ...], tuple[Any, ...]], list[tuple[date, int, Row]]] = field(
        default_factory=dict
    )
    _n: int = 0

    def add(self, row: Row) -> None:
        """Hold ``row`` (a line without a date is in no window)."""
        if row.get("date") is None:
            return
        for cols in self.partitions:
            rows = self._index.setdefault((cols, tuple(row.get(c) for c in cols)), [])
            bisect.insort(rows, (row["date"], self._n, row), key=lambda t: (t[0], t[1]))
        self._n += 1

    def rows(
        self, partition: dict[str, Any], date_from: date, date_to: date, columns: tuple[str, ...]
    ) -> list[Row]:
        return self.window(partition, date_from, date_to, columns, None)

    def window(
        self,
        partition: dict[str, Any],
        date_from: date,
        date_to: date,
        columns: tuple[str, ...],
        skip: Row | None,
    ) -> list[Row]:
        """:meth:`rows`, leaving out the row ``skip`` (by identity)."""
        cols = tuple(partition)
        found = self._index.get((cols, tuple(partition.values())), [])
        lo = bisect.bisect_left(found, (date_from, -1), key=lambda t: (t[0], t[1]))
        out = []
        for d, _, row in found[lo:]:
            if d > date_to:
                break
            if row is not skip:
                out.append({c: row.get(c) for c in columns})
        return out

    def without(self, row: Row) -> WindowProvider:
        """This provider with ``row`` left out (a line of a batch assessed row by row)."""
        return _Without(self, row)


@dataclass
class _Without:
    held: MemoryWindows
    skip: Row

    def rows(
        self, partition: dict[str, Any], date_from: date, date_to: date, columns: tuple[str, ...]
    ) -> list[Row]:
        return self.held.window(partition, date_from, date_to, columns, self.skip)


_LOCAL = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    con: duckdb.DuckDBPyConnection | None = getattr(_LOCAL, "con", None)
    if con is None:
        con = _LOCAL.con = connect()
    return con


class FrameRules:
    """The fallback evaluator: the batch's RuleSet.evaluate over a frame of the given lines.

    With ``windows``, each group rule's aggregates for a line are its window query (the
    batch's SQL) over the provider's rows plus the line; without, over the lines given
    together (what a batch of those lines sees).
    """

    def __init__(self, rules: RuleSet, to_frame: Callable[[list[Row]], pl.DataFrame]) -> None:
        self.rules = rules
        self.to_frame = to_frame
        self._groups = [rule.group for _, rule in rules.rules if rule.group]

    def evaluate(self, row: Row, windows: WindowProvider | None) -> RuleHits | None:
        return self.evaluate_many([row], windows)[0]

    def evaluate_many(
        self, rows: list[Row], windows: WindowProvider | None
    ) -> list[RuleHits | None]:
        frame = self.to_frame(rows).with_row_index(IDX)
        groups = None
        if windows is not None and self._groups:
            groups = self._window_aggregates(rows, frame, windows)
        hits = self.rules.evaluate(frame, groups=groups)
        out: list[RuleHits | None] = [None] * len(rows)
        for h in hits.to_dicts():
            out[h[IDX]] = RuleHits(
                h["rule_reasons"], h["floor_red"], h["floor_yellow"], h["rule_hits"]
            )
        return out

    def _window_aggregates(
        self, rows: list[Row], frame: pl.DataFrame, windows: WindowProvider
    ) -> dict[str, pl.DataFrame]:
        specs = self.rules.group_specs(set(frame.columns) - {IDX})
        con = _connection()
        out: dict[str, pl.DataFrame] = {}
        for spec, group in zip(specs, self._groups, strict=True):
            assert group is not None
            cols = [c for c in spec.columns if c in frame.columns]
            schema: dict[str, pl.DataType] = {IDX: pl.Int64(), **{c: frame.schema[c] for c in cols}}
            parts = []
            for i, row in enumerate(rows):
                span = timedelta(days=group.window_days)
                d = row["date"]
                held = windows.rows(
                    {c: row.get(c) for c in spec.partition_by}, d - span, d + span, tuple(cols)
                )
                window = pl.DataFrame(
                    [
                        {IDX: i, **{c: row.get(c) for c in cols}},
                        *({IDX: -1 - k, **r} for k, r in enumerate(held)),
                    ],
                    schema=schema,
                    orient="row",
                )
                con.register("lines", window.to_arrow())
                try:
                    parts.append(con.sql(f"SELECT * FROM ({spec.sql}) WHERE {IDX} = {i}").pl())
                finally:
                    with contextlib.suppress(duckdb.Error):
                        con.unregister("lines")
            out[spec.name] = pl.concat(parts, how="vertical_relaxed")
        return out
