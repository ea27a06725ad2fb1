"""Dates and intervals for the row compiler (:mod:`chipcustoms.policy.rowexpr`), as DuckDB
computes them: ``date + INTERVAL n MONTH`` clamps to the month's end and gives a TIMESTAMP,
``date + n`` a DATE, ``date - date`` a number of days, ``date_diff`` counts boundaries crossed
(days, months, quarters, years; weeks as whole 7-day spans), ``extract`` and ``dayofweek``
number Sunday 0."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from sqlglot import exp

from chipcustoms.errors import RuleError
from chipcustoms.policy.rowexpr import Compiler, Row, Typed, const
from chipcustoms.policy.rowvalues import RowEvalError, is_int

# Interval units in (months, days) per unit.
_UNITS = {"YEAR": (12, 0), "QUARTER": (3, 0), "MONTH": (1, 0), "WEEK": (0, 7), "DAY": (0, 1)}


def compile_interval(c: Compiler, node: exp.Interval) -> Typed:
    unit = node.args.get("unit")
    name = unit.name.upper() if unit is not None else ""
    if name not in _UNITS:
        raise RuleError(f"{node.sql()[:60]}: interval unit {name or '?'} has no row evaluator")
    months, days = _UNITS[name]
    inner = c.compile(node.this)
    if not inner.literal:
        raise RuleError(f"{node.sql()[:60]}: only a literal interval in a row evaluator")
    try:
        n = int(str(inner.value).strip())
    except ValueError as exc:
        raise RowEvalError("conversion", f"invalid interval {inner.value!r}") from exc
    return const((n * months, n * days), "INTERVAL")


def _add_months(d: dt.datetime, months: int) -> dt.datetime:
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return d.replace(year=year, month=month + 1, day=day)


def _shift(d: Any, t: str, interval: tuple[int, int], sign: int) -> dt.datetime:
    ts = d if t == "TIMESTAMP" else dt.datetime(d.year, d.month, d.day)
    months, days = interval
    try:
        return _add_months(ts, sign * months) + dt.timedelta(days=sign * days)
    except (ValueError, OverflowError) as exc:
        raise RowEvalError("out_of_range", f"date out of range: {exc}") from exc


def date_arith(c: Compiler, add: bool, left: Typed, right: Typed, where: str) -> Typed:
    """``+``/``-`` where one side is a DATE, TIMESTAMP or INTERVAL."""
    lt, rt = left.type, right.type
    fa, fb = left.fn, right.fn
    sign = 1 if add else -1
    if lt in ("DATE", "TIMESTAMP") and rt == "INTERVAL":
        return _lift(fa, fb, lambda x, y: _shift(x, lt, y, sign), "TIMESTAMP")
    if add and lt == "INTERVAL" and rt in ("DATE", "TIMESTAMP"):
        return _lift(fb, fa, lambda x, y: _shift(x, rt, y, 1), "TIMESTAMP")
    if lt == "INTERVAL" and rt == "INTERVAL":
        return _lift(fa, fb, lambda x, y: (x[0] + sign * y[0], x[1] + sign * y[1]), "INTERVAL")
    if lt == "DATE" and is_int(rt):
        return _lift(fa, fb, lambda x, y: _days(x, sign * y), "DATE")
    if add and is_int(lt) and rt == "DATE":
        return _lift(fb, fa, lambda x, y: _days(x, y), "DATE")
    if not add and lt == "DATE" and rt == "DATE":
        return _lift(fa, fb, lambda x, y: (x - y).days, "BIGINT")
    raise RuleError(f"{where}: no row evaluator for {lt} {'+' if add else '-'} {rt}")


def _days(d: dt.date, n: int) -> dt.date:
    try:
        return d + dt.timedelta(days=n)
    except OverflowError as exc:
        raise RowEvalError("out_of_range", "date out of range") from exc


def _lift(fa: Any, fb: Any, op: Any, out: str) -> Typed:
    def f(row: Row) -> Any:
        x, y = fa(row), fb(row)  # both sides, always: DuckDB evaluates both
        return None if x is None or y is None else op(x, y)

    return Typed(f, out)


def _as_date(t: Typed, node: exp.Expr) -> Typed:
    if t.type == "TIMESTAMP":
        f = t.fn
        return Typed(lambda row: None if (v := f(row)) is None else v.date(), "DATE")
    if t.type not in ("DATE", "NULL"):
        raise RuleError(f"{node.sql()[:60]}: a {t.type} where a DATE is needed")
    return t


def _part(d: dt.date, part: str) -> int:
    if part == "YEAR":
        return d.year
    if part == "QUARTER":
        return (d.month - 1) // 3 + 1
    if part == "MONTH":
        return d.month
    if part == "WEEK":
        return d.isocalendar()[1]
    if part == "DAY":
        return d.day
    if part in ("DOW", "DAYOFWEEK"):
        return d.isoweekday() % 7
    return d.timetuple().tm_yday  # DOY, DAYOFYEAR


def compile_extract(c: Compiler, node: exp.Extract) -> Typed:
    part = node.this.name.upper()
    d = _as_date(c.compile(node.expression), node)
    f = d.fn
    return Typed(lambda row: None if (v := f(row)) is None else _part(v, part), "BIGINT")


def compile_dayofweek(c: Compiler, node: exp.Expr) -> Typed:
    d = _as_date(c.compile(node.this), node)
    f = d.fn
    return Typed(lambda row: None if (v := f(row)) is None else v.isoweekday() % 7, "BIGINT")


def _diff(part: str, a: dt.date, b: dt.date) -> int:
    if part == "YEAR":
        return b.year - a.year
    if part == "QUARTER":
        return (b.year * 4 + (b.month - 1) // 3) - (a.year * 4 + (a.month - 1) // 3)
    if part == "MONTH":
        return (b.year * 12 + b.month) - (a.year * 12 + a.month)
    days = (b - a).days
    if part == "WEEK":
        return int(days / 7)  # whole weeks, truncated toward zero
    return days  # DAY, and DOW / DOY count days as DuckDB does


def compile_date_diff(c: Compiler, node: exp.DateDiff) -> Typed:
    unit = node.args.get("unit")
    part = unit.name.upper() if unit is not None else "DAY"
    end = _as_date(c.compile(node.this), node)
    start = _as_date(c.compile(node.expression), node)
    return _lift(start.fn, end.fn, lambda a, b: _diff(part, a, b), "BIGINT")
