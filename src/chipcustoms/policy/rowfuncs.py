"""The row compiler's predicates and functions (:mod:`chipcustoms.policy.rowexpr`), each as
DuckDB computes it: IN / BETWEEN / IS / CASE / CAST and the allow-listed numeric functions of
:mod:`chipcustoms.policy.sqlexpr`. Text and list functions are in
:mod:`chipcustoms.policy.rowtext`, dates and intervals in :mod:`chipcustoms.policy.rowdates`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from sqlglot import exp

from chipcustoms.errors import RuleError
from chipcustoms.policy.rowdates import (
    compile_date_diff,
    compile_dayofweek,
    compile_extract,
    compile_interval,
    date_arith,
)
from chipcustoms.policy.rowexpr import (
    Compiler,
    Fn,
    Row,
    Typed,
    comparable,
    compare_fn,
    const,
)
from chipcustoms.policy.rowtext import (
    binary,
    length,
    like,
    list_contains,
    need,
    regexp,
    starts_with,
    strpos,
    substr,
    text_fn,
    trim,
    unary,
)
from chipcustoms.policy.rowvalues import NUMERIC, RowEvalError, cast, is_int, round_value

__all__ = ["compile_function", "date_arith"]


def _in(c: Compiler, node: exp.In) -> Typed:
    if node.args.get("query") or node.args.get("unnest") or node.args.get("field"):
        raise RuleError(f"{node.sql()[:60]}: only IN (list) in a row evaluator")
    left = c.compile(node.this)
    items = [c.compile(e) for e in node.expressions]
    fns = []
    for item in items:
        lt, it, target = comparable(c, left, item, node.sql()[:60])
        fns.append((lt.fn, it.fn, compare_fn(exp.EQ, target)))

    def f(row: Row) -> Any:
        pairs = [(fl(row), fi(row), eq) for fl, fi, eq in fns]  # every item, as DuckDB does
        null = False
        for x, y, eq in pairs:
            if x is None:
                return None
            if y is None:
                null = True
            elif eq(x, y):
                return True
        return None if null else False

    return Typed(f, "BOOLEAN")


def _between(c: Compiler, node: exp.Between) -> Typed:
    x = c.compile(node.this)
    lo_l, lo_r, lo_t = comparable(c, x, c.compile(node.args["low"]), node.sql()[:60])
    hi_l, hi_r, hi_t = comparable(c, x, c.compile(node.args["high"]), node.sql()[:60])
    ge, le = compare_fn(exp.GTE, lo_t), compare_fn(exp.LTE, hi_t)

    def f(row: Row) -> Any:
        a, lo, b, hi = lo_l.fn(row), lo_r.fn(row), hi_l.fn(row), hi_r.fn(row)
        first = None if a is None or lo is None else ge(a, lo)
        second = None if b is None or hi is None else le(b, hi)
        if first is False or second is False:
            return False
        return None if first is None or second is None else True

    return Typed(f, "BOOLEAN")


def _is(c: Compiler, node: exp.Is) -> Typed:
    inner = c.compile(node.this).fn
    rhs = node.expression
    if isinstance(rhs, exp.Null):
        return Typed(lambda row: inner(row) is None, "BOOLEAN")
    if isinstance(rhs, exp.Boolean):
        want = bool(rhs.this)
        return Typed(lambda row: inner(row) is want, "BOOLEAN")
    raise RuleError(f"{node.sql()[:60]}: IS takes NULL, TRUE or FALSE")


def _when_equal(a: Fn, b: Fn, eq: Callable[[Any, Any], bool]) -> Fn:
    """``CASE x WHEN v``: x = v, where a NULL on either side is no match."""
    return lambda row: (x := a(row)) is not None and (y := b(row)) is not None and eq(x, y)


def _constant(node: exp.Expr | None) -> bool:
    """A literal value: CASE branches all equal to one are folded away by DuckDB."""
    return isinstance(node, exp.Literal | exp.Null | exp.Boolean)


def _case(c: Compiler, node: exp.Case) -> Typed:
    ifs, default_node = node.args.get("ifs") or [], node.args.get("default")
    if (
        isinstance(default_node, exp.Expr)
        and _constant(default_node)
        and all(b.args["true"] == default_node for b in ifs)
    ):
        return c.compile(default_node)  # DuckDB's optimizer drops the conditions: never run
    operand = node.this
    conds: list[Callable[[Row], Any]] = []
    for branch in node.args.get("ifs") or []:
        if operand is not None:
            lt, rt, target = comparable(
                c, c.compile(operand), c.compile(branch.this), node.sql()[:60]
            )
            eq = compare_fn(exp.EQ, target)
            conds.append(_when_equal(lt.fn, rt.fn, eq))
        else:
            conds.append(c.boolean(branch.this))
    values = [c.compile(b.args["true"]) for b in node.args.get("ifs") or []]
    default = node.args.get("default")
    values.append(c.compile(default) if default is not None else const(None, "NULL"))
    t, values = c.same(values, "CASE")
    fns = [v.fn for v in values]
    pairs, last = list(zip(conds, fns[:-1], strict=True)), fns[-1]

    def f(row: Row) -> Any:
        for cond, val in pairs:
            if cond(row) is True:
                return val(row)
        return last(row)

    return Typed(f, t, scale=values[0].scale)


def _if(c: Compiler, node: exp.If) -> Typed:
    false = node.args.get("false")
    if isinstance(false, exp.Expr) and _constant(false) and node.args["true"] == false:
        return c.compile(false)  # as CASE with equal branches: the condition is never run
    cond = c.boolean(node.this)
    t, (yes, no) = c.same(
        [
            c.compile(node.args["true"]),
            c.compile(false) if false is not None else const(None, "NULL"),
        ],
        "IF",
    )
    a, b = yes.fn, no.fn
    return Typed(lambda row: a(row) if cond(row) is True else b(row), t, scale=yes.scale)


_TYPE_NAMES = {
    "TEXT": "VARCHAR", "VARCHAR": "VARCHAR", "DOUBLE": "DOUBLE", "FLOAT": "FLOAT",
    "DECIMAL": "DECIMAL", "TINYINT": "TINYINT", "SMALLINT": "SMALLINT", "INT": "INTEGER",
    "BIGINT": "BIGINT", "BOOLEAN": "BOOLEAN", "DATE": "DATE", "TIMESTAMP": "TIMESTAMP",
}  # fmt: skip


def _cast(c: Compiler, node: exp.Cast) -> Typed:
    to = node.args["to"]
    dst = _TYPE_NAMES.get(to.this.name)
    if dst is None:
        raise RuleError(f"{node.sql()[:60]}: no row cast to {to.sql()}")
    params = [int(p.this.this) for p in to.expressions]
    precision, scale = (params + [18, 3][len(params) :])[:2] if dst == "DECIMAL" else (18, 3)
    if dst == "DECIMAL" and len(params) == 1:
        scale = 0
    inner = c.compile(node.this)
    src = inner.type
    f = inner.fn
    if inner.literal:
        try:
            return const(cast(inner.value, src, dst, scale, precision), dst, scale)
        except RowEvalError:
            pass  # raised when evaluated, as DuckDB does (a lazy branch may never get there)
    return Typed(lambda row: cast(f(row), src, dst, scale, precision), dst, scale=scale)


def _array(c: Compiler, node: exp.Array) -> Typed:
    _, items = c.same([c.compile(e) for e in node.expressions], "list")
    fns = [i.fn for i in items]
    return Typed(lambda row: [f(row) for f in fns], "LIST")


def _coalesce(c: Compiler, node: exp.Expr) -> Typed:
    t, items = c.same([c.compile(e) for e in [node.this, *node.expressions]], "coalesce")
    fns = [i.fn for i in items]

    def f(row: Row) -> Any:
        for fn in fns:
            v = fn(row)
            if v is not None:
                return v
        return None

    return Typed(f, t, scale=items[0].scale if items else 0)


def _extreme(c: Compiler, node: exp.Expr) -> Typed:
    t, items = c.same([c.compile(e) for e in [node.this, *node.expressions]], "least")
    pick = max if isinstance(node, exp.Greatest) else min
    fns = [i.fn for i in items]
    nan_key = t in ("DOUBLE", "FLOAT")

    def f(row: Row) -> Any:
        vals = [v for fn in fns if (v := fn(row)) is not None]
        if not vals:
            return None
        if nan_key:
            return pick(vals, key=lambda v: (1, 0.0) if v != v else (0, v))
        return pick(vals)

    return Typed(f, t, scale=items[0].scale if items else 0)


def _number(c: Compiler, node: exp.Expr) -> Typed:
    t = c.compile(node.this)
    need(t, set(NUMERIC), node)
    return t


def _abs(c: Compiler, node: exp.Expr) -> Typed:
    t = _number(c, node)
    return unary(t, abs, t.type, t.scale)


def _floor_ceil(c: Compiler, node: exp.Expr) -> Typed:
    if node.args.get("decimals") is not None:
        raise RuleError(f"{node.sql()[:60]}: floor/ceil take one argument")
    t = _number(c, node)
    up = isinstance(node, exp.Ceil)
    if is_int(t.type):  # DuckDB floors an integer into a DOUBLE
        return unary(t, float, "DOUBLE")
    if t.type == "DECIMAL":
        mode = ROUND_CEILING if up else ROUND_FLOOR
        return unary(t, lambda v: v.quantize(Decimal(1), rounding=mode), "DECIMAL")
    op = math.ceil if up else math.floor
    return unary(t, lambda v: v if not math.isfinite(v) else math.copysign(float(op(v)), v), t.type)


def _round(c: Compiler, node: exp.Round) -> Typed:
    t = _number(c, node)
    digits_node = node.args.get("decimals")
    if digits_node is None:
        return unary(t, lambda v: round_value(v, t.type, 0), t.type)
    if t.type == "DECIMAL":  # the result's scale is the literal digits asked for
        n = c.compile(digits_node)
        if not n.literal or not isinstance(n.value, int):
            raise RuleError(f"{node.sql()[:60]}: round a DECIMAL to a literal number of digits")
        return unary(t, lambda v: round_value(v, "DECIMAL", n.value), t.type, max(n.value, 0))
    d = c.compile(digits_node)
    need(d, {"INTEGER", "BIGINT"}, node)
    return binary(t, d, lambda v, n: round_value(v, t.type, n), t.type)


def _ln(x: float) -> float:
    if x != x or x < 0:
        return math.nan
    return -math.inf if x == 0 else math.log(x)


def _log10(x: float) -> float:
    if x != x or x < 0:
        return math.nan
    return -math.inf if x == 0 else math.log10(x)


def _logs(c: Compiler, node: exp.Expr) -> Typed:
    t = c.to(_number(c, node), "DOUBLE")
    if isinstance(node, exp.Ln):
        return unary(t, _ln, "DOUBLE")
    other = node.args.get("expression")
    if other is None:
        return unary(t, _log10, "DOUBLE")
    x = c.compile(other)
    need(x, set(NUMERIC), node)
    return binary(t, c.to(x, "DOUBLE"), lambda b, v: _ln(v) / _ln(b), "DOUBLE")


def _nullif(c: Compiler, node: exp.Expr) -> Typed:
    a, b, target = comparable(c, c.compile(node.this), c.compile(node.expression), "nullif")
    eq, fa, fb = compare_fn(exp.EQ, target), a.fn, b.fn
    keep = c.compile(node.this)

    def f(row: Row) -> Any:
        x, y = fa(row), fb(row)
        return None if x is not None and y is not None and eq(x, y) else keep.fn(row)

    return Typed(f, keep.type)


_ANONYMOUS = {"contains": exp.Contains, "list_contains": exp.ArrayContains,
              "regexp_matches": exp.RegexpLike}  # fmt: skip

_FUNCTIONS: dict[type[exp.Expr], Callable[[Compiler, Any], Typed]] = {
    exp.In: _in, exp.Between: _between, exp.Is: _is, exp.Like: like, exp.ILike: like,
    exp.Case: _case, exp.If: _if, exp.Cast: _cast, exp.Array: _array,
    exp.Coalesce: _coalesce, exp.Least: _extreme, exp.Greatest: _extreme,
    exp.Lower: lambda c, n: text_fn(c, n, str.lower, "VARCHAR"),
    exp.Upper: lambda c, n: text_fn(c, n, str.upper, "VARCHAR"),
    exp.Length: length, exp.Abs: _abs, exp.Floor: _floor_ceil, exp.Ceil: _floor_ceil,
    exp.Round: _round, exp.Ln: _logs, exp.Log: _logs, exp.RegexpLike: regexp,
    exp.Substring: substr, exp.Nullif: _nullif, exp.ArrayContains: list_contains,
    exp.Contains: list_contains, exp.StrPosition: strpos, exp.Trim: trim,
    exp.StartsWith: starts_with, exp.Interval: compile_interval,
    exp.DateDiff: compile_date_diff, exp.Extract: compile_extract,
    exp.DayOfWeek: compile_dayofweek,
}  # fmt: skip


def compile_function(c: Compiler, node: exp.Expr) -> Typed:
    """Compile a predicate or function node, or refuse it (a node the row compiler lacks)."""
    kind = type(node)
    if kind is exp.Anonymous:
        target = _ANONYMOUS.get(node.name.lower())
        if target is None or len(node.expressions) != 2:
            raise RuleError(f"function {node.name}() has no row evaluator")
        a, b = node.expressions
        return _FUNCTIONS[target](c, target(this=a.copy(), expression=b.copy()))
    handler = _FUNCTIONS.get(kind)
    if handler is None:
        raise RuleError(f"{node.key.upper()} has no row evaluator: {node.sql()[:60]}")
    return handler(c, node)
