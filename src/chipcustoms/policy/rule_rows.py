"""Every rule of a :class:`~chipcustoms.policy.rules.RuleSet` evaluated on one line, in
microseconds, giving exactly what :meth:`RuleSet.evaluate` gives for that line.

The online path assesses one line at a time; one DuckDB query per line is the cost it cannot
pay. :class:`RowRules` compiles, once, the same checked trees the batch query is rendered from
(:mod:`chipcustoms.policy.rowexpr`): each rule's condition, its pack's ``governs`` condition
under the profile, its effective dates, the reason's message (DuckDB's ``format`` /
``CAST AS VARCHAR``) and evidence (the JSON text ``json_object(...)::VARCHAR`` writes).

Group rules need the other lines of the group. The caller passes a :class:`WindowProvider`;
the contract, so that the result equals the batch window over the same set of lines:

* ``rows(partition, date_from, date_to, columns)`` returns the *other* lines (never the line
  being evaluated: the evaluator adds it itself) whose ``partition_by`` values equal
  ``partition`` (a ``None`` matching ``None``, as ``PARTITION BY`` groups NULLs) and whose
  ``date`` lies in ``[date_from, date_to]``, each as a mapping with at least ``columns``;
* a superset is harmless: the evaluator checks partition, dates and the rule's ``where``
  again, and only lines passing the ``where`` enter the aggregates, as in the batch CTE.

The aggregates (``count``, ``sum``, ``min``, ``max``, ``avg``, ``DISTINCT``, ``*``) are
computed in Python over those lines from the compiled argument trees. A ``sum`` or ``avg`` of
non-integer doubles adds in date order, DuckDB in its segment tree's order: the two may differ
in the last bit (integer-valued quantities, the bundled packs' case, are exact).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlglot import exp

from chipcustoms.errors import RuleError
from chipcustoms.policy.packs import PLACEHOLDER, Rule
from chipcustoms.policy.rowexpr import Compiler, Fn, Typed, compile_expr
from chipcustoms.policy.rowvalues import format_number, json_object, to_text
from chipcustoms.policy.sqlexpr import Checked, parse

if TYPE_CHECKING:
    from chipcustoms.policy.rules import RuleSet


class WindowProvider(Protocol):
    """The other lines of a group rule's partition within its window (see the module doc)."""

    def rows(
        self,
        partition: dict[str, Any],
        date_from: dt.date,
        date_to: dt.date,
        columns: tuple[str, ...],
    ) -> list[dict[str, Any]]: ...


class InMemoryWindows:
    """A :class:`WindowProvider` over lines held in memory (tests, small streams), indexed by
    partition values per ``partition_by`` the first time each is asked for."""

    def __init__(self, lines: Iterable[Mapping[str, Any]] = ()) -> None:
        self.lines: list[Mapping[str, Any]] = list(lines)
        self._index: dict[tuple[str, ...], dict[tuple[Any, ...], list[Mapping[str, Any]]]] = {}
        self._skip: Mapping[str, Any] | None = None

    def add(self, line: Mapping[str, Any]) -> None:
        self.lines.append(line)
        self._index.clear()

    def without(self, line: Mapping[str, Any]) -> InMemoryWindows:
        """A view that leaves ``line`` (the very object) out: the provider for that line."""
        view = InMemoryWindows.__new__(InMemoryWindows)
        view.lines, view._index, view._skip = self.lines, self._index, line
        return view

    def rows(
        self,
        partition: dict[str, Any],
        date_from: dt.date,
        date_to: dt.date,
        columns: tuple[str, ...],
    ) -> list[dict[str, Any]]:
        keys = tuple(partition)
        index = self._index.get(keys)
        if index is None:
            index = self._index[keys] = {}
            for line in self.lines:
                index.setdefault(tuple(line.get(k) for k in keys), []).append(line)
        return [
            {c: line.get(c) for c in columns}
            for line in index.get(tuple(partition.values()), [])
            if line is not self._skip
            and line.get("date") is not None
            and date_from <= line["date"] <= date_to
        ]


@dataclass(frozen=True)
class RuleHits:
    """One line's result of :meth:`RuleSet.evaluate`: reasons, floors and hit references."""

    rule_reasons: list[dict[str, Any]]
    floor_red: bool
    floor_yellow: bool
    rule_hits: list[str]


@dataclass(frozen=True)
class _Aggregate:
    name: str
    kind: type[exp.Expr]
    arg: Fn | None  # None: count(*)
    distinct: bool
    type: str


@dataclass(frozen=True)
class _Group:
    partition_by: tuple[str, ...]
    window_days: int
    where: Fn
    aggregates: tuple[_Aggregate, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class _RowRule:
    ref: str
    rule: Rule
    tests: tuple[Fn, ...]  # ANDed left to right, as the batch SQL nests them
    group: _Group | None
    message: tuple[Callable[[Mapping[str, Any]], str], ...]
    evidence: tuple[tuple[str, str], ...]  # (column, DuckDB type)


def _aggregate(name: str, checked: Checked, c: Compiler) -> _Aggregate:
    node = checked.tree
    kind = type(node)
    if kind not in (exp.Count, exp.Sum, exp.Min, exp.Max, exp.Avg):
        raise RuleError(f"{checked.where}: a group aggregate is one aggregate call")
    inner = node.this
    distinct = isinstance(inner, exp.Distinct)
    if distinct:
        if len(inner.expressions) != 1:
            raise RuleError(f"{checked.where}: DISTINCT over one expression")
        inner = inner.expressions[0]
    if isinstance(inner, exp.Star):
        if kind is not exp.Count:
            raise RuleError(f"{checked.where}: only count(*) takes *")
        return _Aggregate(name, kind, None, distinct, "BIGINT")
    arg: Typed = c.compile(inner)
    if kind is exp.Count:
        out = "BIGINT"
    elif kind is exp.Avg:
        out = "DOUBLE"
    elif kind is exp.Sum:
        out = "HUGEINT" if arg.type in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT") else arg.type
        out = "DOUBLE" if out == "FLOAT" else out
    else:
        out = arg.type
    return _Aggregate(name, kind, arg.fn, distinct, out)


def _aggregate_value(agg: _Aggregate, lines: list[Mapping[str, Any]]) -> Any:
    if agg.arg is None:
        return len(lines)
    values = [v for line in lines if (v := agg.arg(line)) is not None]
    if agg.distinct:
        values = list(dict.fromkeys(values))
    if agg.kind is exp.Count:
        return len(values)
    if not values:
        return None
    if agg.kind is exp.Sum:
        return float(sum(values)) if agg.type == "DOUBLE" else sum(values)
    if agg.kind is exp.Avg:
        return float(sum(values)) / len(values)
    return min(values) if agg.kind is exp.Min else max(values)


def _literal_part(text: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda _row: text


def _value_part(col: str, t: str, spec: str | None) -> Callable[[Mapping[str, Any]], str]:
    """``coalesce(format('{:spec}', col), 'n/a')``, or ``CAST(col AS VARCHAR)`` without spec."""
    if spec:
        return lambda row: "n/a" if (v := row.get(col)) is None else format_number(v, t, spec)
    return lambda row: "n/a" if (v := row.get(col)) is None else to_text(v, t)


def _message_parts(
    rule: Rule, types: Mapping[str, str]
) -> tuple[Callable[[Mapping[str, Any]], str], ...]:
    """The batch's ``'lit' || coalesce(format('{:spec}', col), 'n/a') || ...`` as closures."""
    parts: list[Callable[[Mapping[str, Any]], str]] = []
    pos = 0
    for m in PLACEHOLDER.finditer(rule.message):
        if m.start() > pos:
            parts.append(_literal_part(rule.message[pos : m.start()]))
        parts.append(_value_part(m.group(1), types[m.group(1)], m.group(2)))
        pos = m.end()
    if pos < len(rule.message):
        parts.append(_literal_part(rule.message[pos:]))
    return tuple(parts)


def _date_test(op: str, bound: dt.date) -> Fn:
    if op == ">=":
        return lambda row: None if (d := row.get("date")) is None else d >= bound
    return lambda row: None if (d := row.get("date")) is None else d <= bound


class RowRules:
    """A :class:`RuleSet` compiled for one line at a time (see the module doc)."""

    def __init__(self, ruleset: RuleSet, types: Mapping[str, str]) -> None:
        columns = set(types)
        ruleset._compile(columns)  # the batch's checks first: the same errors, named the same
        self.types = dict(types)
        line = Compiler(types)
        governs: dict[str, Fn | None] = {}
        compiled: list[_RowRule] = []
        for (pack, rule), parsed in zip(ruleset.rules, ruleset._parsed, strict=True):
            group = None
            cond_types = dict(types)
            if rule.group is not None:
                assert parsed.group_where is not None
                aggs = tuple(
                    _aggregate(name, expr, line) for name, expr in parsed.aggregates.items()
                )
                read = {"date", *rule.group.partition_by} | parsed.group_where.columns
                for expr in parsed.aggregates.values():
                    read |= expr.columns
                group = _Group(
                    tuple(rule.group.partition_by), rule.group.window_days,
                    compile_expr(parsed.group_where, types).fn, aggs, tuple(sorted(read)),
                )  # fmt: skip
                cond_types.update({a.name: a.type for a in aggs})
            tests = [compile_expr(parsed.condition, cond_types).fn]
            if pack.id not in governs:
                text = ruleset.profile.condition(pack)
                where = f"profile {ruleset.profile.id}, pack {pack.id} (jurisdiction)"
                governs[pack.id] = (
                    None if text == "TRUE" else compile_expr(parse(text, where=where), types).fn
                )
            gov = governs[pack.id]
            if gov is not None:
                tests.append(gov)
            start = rule.effective_from or pack.effective_from
            end = rule.effective_to or pack.effective_to
            if start:
                tests.append(_date_test(">=", start))
            if end:
                tests.append(_date_test("<=", end))
            ev_cols = rule.evidence or [col for col, _ in rule.placeholders()]
            if rule.message_zh:
                ev_cols = [*ev_cols, *(col for col, _ in rule.placeholders())]
            evidence = tuple((col, cond_types[col]) for col in dict.fromkeys(ev_cols))
            ref = f"{pack.id}/{rule.id}@{rule.version}"
            message = _message_parts(rule, cond_types)
            compiled.append(_RowRule(ref, rule, tuple(tests), group, message, evidence))
        self.rules = tuple(compiled)

    def evaluate(
        self, row: Mapping[str, Any], windows: WindowProvider | None = None
    ) -> RuleHits | None:
        """What :meth:`RuleSet.evaluate` gives for ``row`` (an enriched line), or None when no
        rule hits; ``windows`` supplies the group rules' other lines (required when the rule
        set has group rules)."""
        reasons: list[dict[str, Any]] = []
        hits: list[str] = []
        red = yellow = False
        for r in self.rules:
            scope: Mapping[str, Any] = row
            if r.group is not None:
                aggs = self._group(r.group, row, windows)
                if aggs is None:
                    continue
                scope = {**row, **aggs}
            if not self._holds(r.tests, scope):
                continue
            pairs: list[tuple[str, Any, str]] = [("rule", r.ref, "VARCHAR")]
            pairs += [(col, scope.get(col), t) for col, t in r.evidence]
            reasons.append(
                {
                    "code": r.rule.code,
                    "source": "rule",
                    "score": float(r.rule.weight),
                    "message": "".join(part(scope) for part in r.message),
                    "evidence": json_object(pairs),
                }
            )
            hits.append(r.ref)
            red = red or r.rule.floor == "red"
            yellow = yellow or r.rule.floor == "yellow"
        if not hits:
            return None
        return RuleHits(reasons, red, yellow, hits)

    @staticmethod
    def _holds(tests: tuple[Fn, ...], row: Mapping[str, Any]) -> bool:
        """``coalesce(t1 AND t2 AND ..., FALSE)``: a FALSE stops, as DuckDB's AND does."""
        result = True
        for test in tests:
            v = test(row)
            if v is False:
                return False
            if v is None:
                result = False
        return result

    @staticmethod
    def _group(
        g: _Group, row: Mapping[str, Any], windows: WindowProvider | None
    ) -> dict[str, Any] | None:
        """The line's aggregates over its window, or None when the line is outside the rule's
        ``where`` (the batch's ``gK.__i IS NOT NULL`` fails there)."""
        if g.where(row) is not True:
            return None
        day = row.get("date")
        if day is None:
            raise RuleError("a group rule needs the line's date")
        if windows is None:
            raise RuleError("a group rule needs a window provider for the other lines")
        low, high = day - dt.timedelta(days=g.window_days), day + dt.timedelta(days=g.window_days)
        partition = {k: row.get(k) for k in g.partition_by}
        others = windows.rows(partition, low, high, g.columns)
        lines = [row] + [
            o for o in others
            if all(o.get(k) == v for k, v in partition.items())
            and o.get("date") is not None and low <= o["date"] <= high and g.where(o) is True
        ]  # fmt: skip
        return {a.name: _aggregate_value(a, lines) for a in g.aggregates}
