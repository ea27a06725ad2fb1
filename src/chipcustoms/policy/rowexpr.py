"""A checked condition compiled into a Python closure over one row, with DuckDB's semantics.

The online path screens one line in about a millisecond; a DuckDB query per line costs more
than that. So the *same* checked sqlglot tree that :mod:`chipcustoms.policy.rules` renders into
DuckDB SQL is compiled here, once, into nested closures ``f(row) -> value``: no second
hand-written rule, the SQL text stays the one definition of meaning. Each node is typed at
compile time as DuckDB types it (columns from the batch schema, ``1`` an INTEGER, ``1.5`` a
DECIMAL), because DuckDB's answer depends on the type: ``0.1 + 0.2 = 0.3`` is true over
decimals, ``7 / 2`` is the double 3.5, ``7 % 0`` is an error while ``7.0::DOUBLE % 0`` is NaN.
Where DuckDB refuses an expression when it binds it (``lower(1)``), compiling raises
:class:`RuleError`; where DuckDB raises on a value, the closure raises
:class:`chipcustoms.policy.rowvalues.RowEvalError` with the matching kind.

Functions live in :mod:`chipcustoms.policy.rowfuncs`; value rules (promotion, casts, text) in
:mod:`chipcustoms.policy.rowvalues`. ``tests/test_rowexpr.py`` compares the closures with
DuckDB over generated conditions and rows (hypothesis), NULLs and errors included.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from sqlglot import exp

from chipcustoms.errors import RuleError
from chipcustoms.policy.rowvalues import (
    INTS,
    NUMERIC,
    RowEvalError,
    cast,
    check_int,
    convert,
    is_int,
    promote,
    to_float32,
)
from chipcustoms.policy.sqlexpr import Checked

Row = Mapping[str, Any]
Fn = Callable[[Row], Any]


@dataclass(frozen=True)
class Typed:
    """A compiled node: its closure, its DuckDB type, and its value when it is a literal."""

    fn: Fn
    type: str
    literal: bool = False
    value: Any = None
    scale: int = 0  # a DECIMAL's digits after the point: DuckDB writes them all ('1.50')


def is_null(t: Typed) -> bool:
    """A NULL literal: DuckDB folds a function or operator of one to NULL before running."""
    return t.literal and t.value is None


def const(value: Any, t: str, scale: int = 0) -> Typed:
    if t == "DECIMAL" and isinstance(value, Decimal):
        scale = max(-value.as_tuple().exponent, 0)  # type: ignore[operator]
    return Typed(lambda _row: value, t, True, value, scale)


_POLARS = {
    pl.Utf8: "VARCHAR", pl.Boolean: "BOOLEAN", pl.Float64: "DOUBLE", pl.Float32: "FLOAT",
    pl.Int64: "BIGINT", pl.Int32: "INTEGER", pl.Int16: "SMALLINT", pl.Int8: "TINYINT",
    pl.UInt8: "SMALLINT", pl.UInt16: "INTEGER", pl.UInt32: "BIGINT", pl.UInt64: "HUGEINT",
    pl.Date: "DATE", pl.Null: "NULL",
}  # fmt: skip


def duck_types(schema: Mapping[str, pl.DataType]) -> dict[str, str]:
    """The DuckDB type of each column of a Polars schema, as DuckDB reads it from Arrow."""
    out = {}
    for name, dtype in schema.items():
        base = dtype.base_type()
        if base is pl.List:
            out[name] = "LIST"
        elif base is pl.Datetime:
            out[name] = "TIMESTAMP"
        elif base is pl.Decimal:
            out[name] = "DECIMAL"
        else:
            out[name] = _POLARS.get(base, "UNKNOWN")
    return out


class Compiler:
    """Compiles checked trees against one column-type map (see :func:`compile_expr`)."""

    def __init__(self, types: Mapping[str, str]) -> None:
        self.types = dict(types)

    def compile(self, node: exp.Expr) -> Typed:
        from chipcustoms.policy import rowfuncs  # the function table, split out for size

        kind = type(node)
        handler = _NODES.get(kind)
        if handler is not None:
            return handler(self, node)
        return rowfuncs.compile_function(self, node)

    def boolean(self, node: exp.Expr) -> Fn:
        """A node in a boolean place (AND/OR/NOT/WHEN): DuckDB casts an integer to BOOLEAN."""
        t = self.compile(node)
        if t.type in ("BOOLEAN", "NULL"):
            return t.fn
        if is_int(t.type):
            f = t.fn
            return lambda row: None if (v := f(row)) is None else v != 0
        raise RuleError(f"{node.sql()[:60]}: a {t.type} where a BOOLEAN is needed")

    def same(self, items: list[Typed], what: str) -> tuple[str, list[Typed]]:
        """Bring values to one type (CASE branches, IN lists, coalesce): string literals take
        the other side's type, numbers are promoted."""
        typed = [t for t in items if t.type != "NULL" and not (t.literal and t.type == "VARCHAR")]
        target = "NULL"
        for t in typed or items:
            target = promote(target, t.type)
        if target == "DECIMAL":
            scale = max(t.scale for t in items if t.type == "DECIMAL")
            return target, [self.to_scale(self.to(t, target), scale) for t in items]
        return target, [self.to(t, target) for t in items]

    @staticmethod
    def to_scale(t: Typed, scale: int) -> Typed:
        """A DECIMAL widened to ``scale`` digits after the point (the shared type's scale)."""
        if t.scale == scale or t.type != "DECIMAL":
            return t
        q, f = Decimal(1).scaleb(-scale), t.fn
        return Typed(lambda row: None if (v := f(row)) is None else v.quantize(q), t.type,
                     scale=scale)  # fmt: skip

    def to(self, t: Typed, target: str) -> Typed:
        if t.type == target or t.type == "NULL" or target == "NULL":
            return Typed(t.fn, target, t.literal, t.value, t.scale)
        src, f = t.type, t.fn
        if t.literal:
            try:
                value = (
                    cast(t.value, src, target)
                    if src == "VARCHAR"
                    else convert(t.value, src, target)
                )
                return const(value, target)
            except RowEvalError:
                pass  # raised when evaluated, as DuckDB does
        if target == "FLOAT":
            return Typed(
                lambda row: None if (v := f(row)) is None else to_float32(float(v)), target
            )
        return Typed(lambda row: convert(f(row), src, target), target)


def _column(c: Compiler, node: exp.Expr) -> Typed:
    name = node.name
    if name not in c.types:
        raise RuleError(f"unknown column {name!r}")
    return Typed(lambda row: row.get(name), c.types[name])


def _literal(c: Compiler, node: exp.Expr) -> Typed:
    text = str(node.this)
    if node.is_string:
        return const(text, "VARCHAR")
    if "e" in text.lower():
        return const(float(text), "DOUBLE")
    if "." in text:
        return const(Decimal(text), "DECIMAL")
    value = int(text)
    for t in ("INTEGER", "BIGINT", "HUGEINT"):
        if -(1 << (INTS[t] - 1)) <= value < (1 << (INTS[t] - 1)):
            return const(value, t)
    return const(Decimal(value), "DECIMAL")


def _junction(decisive: bool) -> Callable[[Compiler, exp.Expr], Typed]:
    """AND (``decisive=False``) or OR (``True``) in SQL's three-valued logic: a side that is
    ``decisive`` decides without the other being evaluated; otherwise NULL when either side
    is NULL, else the other value."""

    def junction(c: Compiler, node: exp.Expr) -> Typed:
        a, b = c.boolean(node.this), c.boolean(node.expression)

        def f(row: Row) -> Any:
            x = a(row)
            if x is decisive:
                return decisive
            y = b(row)
            if y is decisive:
                return decisive
            return None if x is None or y is None else not decisive

        return Typed(f, "BOOLEAN")

    return junction


_and, _or = _junction(False), _junction(True)


def _not(c: Compiler, node: exp.Expr) -> Typed:
    a = c.boolean(node.this)
    return Typed(lambda row: None if (v := a(row)) is None else not v, "BOOLEAN")


def _nan_aware(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """DuckDB orders NaN above every number and equal to itself."""

    def cmp(x: Any, y: Any) -> bool:
        if x != x or y != y:
            kx, ky = (1, 0.0) if x != x else (0, x), (1, 0.0) if y != y else (0, y)
            return op(kx, ky)
        return op(x, y)

    return cmp


_OPS: dict[type[exp.Expr], Callable[[Any, Any], bool]] = {
    exp.EQ: lambda x, y: x == y, exp.NEQ: lambda x, y: x != y,
    exp.GT: lambda x, y: x > y, exp.GTE: lambda x, y: x >= y,
    exp.LT: lambda x, y: x < y, exp.LTE: lambda x, y: x <= y,
}  # fmt: skip


def comparable(c: Compiler, left: Typed, right: Typed, where: str) -> tuple[Typed, Typed, str]:
    """Both sides in the type DuckDB compares them in; a string literal takes the other side's
    type (``date >= '2025-01-01'``); a string column against a number is refused, as DuckDB's
    binder refuses it."""
    if left.type == "VARCHAR" and left.literal and right.type not in ("VARCHAR", "NULL"):
        return c.to(left, right.type), right, right.type
    if right.type == "VARCHAR" and right.literal and left.type not in ("VARCHAR", "NULL"):
        return left, c.to(right, left.type), left.type
    if "BOOLEAN" in (left.type, right.type) and {left.type, right.type} - {"BOOLEAN", "NULL"}:
        raise RuleError(f"{where}: cannot compare {left.type} and {right.type} in a row evaluator")
    try:
        target = promote(left.type, right.type)
    except RuleError as exc:
        raise RuleError(f"{where}: cannot compare {left.type} and {right.type}") from exc
    return c.to(left, target), c.to(right, target), target


def compare_fn(kind: type[exp.Expr], target: str) -> Callable[[Any, Any], bool]:
    op = _OPS[kind]
    return _nan_aware(op) if target in ("DOUBLE", "FLOAT") else op


def _compare(c: Compiler, node: exp.Expr) -> Typed:
    left, right, target = comparable(
        c, c.compile(node.this), c.compile(node.expression), node.sql()[:60]
    )
    if is_null(left) or is_null(right):
        return const(None, "BOOLEAN")  # DuckDB folds it: the other side is never evaluated
    a, b, op = left.fn, right.fn, compare_fn(type(node), target)

    def f(row: Row) -> Any:
        x, y = a(row), b(row)  # both sides, always: DuckDB evaluates both
        return None if x is None or y is None else op(x, y)

    return Typed(f, "BOOLEAN")


def _arith_type(node: exp.Expr, lt: str, rt: str) -> str:
    if lt not in NUMERIC | {"NULL"} or rt not in NUMERIC | {"NULL"}:
        raise RuleError(f"{node.sql()[:60]}: arithmetic on {lt} and {rt}")
    return promote(lt, rt)


def _binary(c: Compiler, node: exp.Expr) -> Typed:
    from chipcustoms.policy.rowfuncs import date_arith

    left, right = c.compile(node.this), c.compile(node.expression)
    kind = type(node)
    temporal = {"DATE", "TIMESTAMP", "INTERVAL"} & {left.type, right.type}
    if temporal and kind in (exp.Add, exp.Sub):
        return date_arith(c, kind is exp.Add, left, right, node.sql()[:60])
    t = _arith_type(node, left.type, right.type)
    if kind is exp.Div:
        t = "FLOAT" if t == "FLOAT" else "DOUBLE"
        left, right = c.to(left, t), c.to(right, t)
    else:
        left, right = c.to(left, t), c.to(right, t)
    if is_null(left) or is_null(right):
        return const(None, t)  # folded by DuckDB, the other side never evaluated
    a, b = left.fn, right.fn
    op = _arith_op(kind, t)
    scale = left.scale + right.scale if kind is exp.Mul else max(left.scale, right.scale)

    def f(row: Row) -> Any:
        x, y = a(row), b(row)  # both sides, always: DuckDB evaluates both
        return None if x is None or y is None else op(x, y)

    return Typed(f, t, scale=scale)


def _divide(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or x != x:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _int_mod(x: int, y: int) -> int:
    if y == 0:
        raise RowEvalError("invalid_input", "Division by zero")
    r = abs(x) % abs(y)
    return r if x >= 0 else -r


def _dec_mod(x: Decimal, y: Decimal) -> Decimal:
    if y == 0:
        raise RowEvalError("invalid_input", "Division by zero")
    return x % y


def _float_mod(x: float, y: float) -> float:
    if y == 0 or not math.isfinite(x):
        return math.nan
    return math.fmod(x, y)


_PLAIN: dict[type[exp.Expr], tuple[Callable[[Any, Any], Any], str]] = {
    exp.Add: (lambda x, y: x + y, "addition"),
    exp.Sub: (lambda x, y: x - y, "subtraction"),
    exp.Mul: (lambda x, y: x * y, "multiplication"),
}


def _arith_op(kind: type[exp.Expr], t: str) -> Callable[[Any, Any], Any]:
    if kind is exp.Div:
        return (lambda x, y: to_float32(_divide(x, y))) if t == "FLOAT" else _divide
    if kind is exp.Mod:
        if is_int(t):
            return lambda x, y: check_int(_int_mod(x, y), t, "modulo")
        if t == "DECIMAL":
            return _dec_mod
        return _float_mod
    base, what = _PLAIN[kind]
    if is_int(t):
        return lambda x, y: check_int(base(x, y), t, what)
    if t == "FLOAT":
        return lambda x, y: to_float32(base(x, y))
    return base


def _neg(c: Compiler, node: exp.Expr) -> Typed:
    inner = c.compile(node.this)
    if inner.type not in NUMERIC | {"NULL", "INTERVAL"}:
        raise RuleError(f"{node.sql()[:60]}: negation of {inner.type}")
    f, t = inner.fn, inner.type
    if inner.literal and inner.value is not None and t != "INTERVAL":
        return const(-inner.value, t, inner.scale)
    if t == "INTERVAL":
        return Typed(lambda row: None if (v := f(row)) is None else (-v[0], -v[1]), t)
    if is_int(t):
        return Typed(lambda row: None if (v := f(row)) is None else check_int(-v, t, "negation"), t)
    return Typed(lambda row: None if (v := f(row)) is None else -v, t)


def _paren(c: Compiler, node: exp.Expr) -> Typed:
    return c.compile(node.this)


def _boolean(c: Compiler, node: exp.Expr) -> Typed:
    return const(bool(node.this), "BOOLEAN")


def _null(c: Compiler, node: exp.Expr) -> Typed:
    return const(None, "NULL")


_NODES: dict[type[exp.Expr], Callable[[Compiler, Any], Typed]] = {
    exp.Column: _column, exp.Literal: _literal, exp.Boolean: _boolean, exp.Null: _null,
    exp.Paren: _paren, exp.And: _and, exp.Or: _or, exp.Not: _not, exp.Neg: _neg,
    exp.EQ: _compare, exp.NEQ: _compare, exp.GT: _compare, exp.GTE: _compare,
    exp.LT: _compare, exp.LTE: _compare,
    exp.Add: _binary, exp.Sub: _binary, exp.Mul: _binary, exp.Div: _binary, exp.Mod: _binary,
}  # fmt: skip


def compile_expr(checked: Checked | exp.Expr, types: Mapping[str, str]) -> Typed:
    """Compile a checked tree (never raw text: only what :func:`sqlexpr.parse` passed) against
    the DuckDB types of the columns (:func:`duck_types`); raise :class:`RuleError` where DuckDB
    would refuse to bind it or where the row compiler has no exact equivalent."""
    tree = checked.tree if isinstance(checked, Checked) else checked
    return Compiler(types).compile(tree)
