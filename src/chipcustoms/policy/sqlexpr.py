"""The SQL subset a policy condition may use, checked with sqlglot before anything runs.

Conditions are data written by analysts; parsing them and allowing only expressions (no
subqueries, no tables, only listed functions, only known columns) is what makes it safe to
evaluate them over a whole batch in DuckDB, without `eval` and without a row loop.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from chipcustoms.errors import RuleError

ALLOWED_NODES: tuple[type[exp.Expression], ...] = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Paren,
    exp.Tuple,
    exp.And,
    exp.Or,
    exp.Not,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.In,
    exp.Between,
    exp.Is,
    exp.Like,
    exp.ILike,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Neg,
    exp.Mod,
    exp.Case,
    exp.If,
    exp.Cast,
    exp.DataType,
    exp.Interval,
    exp.Var,
    exp.Array,
)
ALLOWED_FUNCTIONS: tuple[type[exp.Expression], ...] = (
    exp.Coalesce,
    exp.Lower,
    exp.Upper,
    exp.Abs,
    exp.Least,
    exp.Greatest,
    exp.Length,
    exp.RegexpLike,
    exp.StartsWith,
    exp.Substring,
    exp.Nullif,
    exp.Round,
    exp.Ln,
    exp.Log,
    exp.ArrayContains,
    exp.Trim,
    exp.DateDiff,
    exp.Extract,
    exp.DayOfWeek,
    exp.Floor,
    exp.Ceil,
)
AGGREGATES: tuple[type[exp.Expression], ...] = (
    exp.Count,
    exp.Sum,
    exp.Min,
    exp.Max,
    exp.Avg,
    exp.Distinct,
    exp.Star,
)
ANONYMOUS_OK = frozenset({"contains", "list_contains", "regexp_matches", "strpos"})


def check(sql: str, columns: set[str], *, where: str, aggregate: bool = False) -> str:
    """Validate ``sql`` and return it re-rendered in DuckDB dialect (normalised quoting)."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise RuleError(f"{where}: not a SQL expression: {exc}") from exc
    if tree is None:
        raise RuleError(f"{where}: empty condition")
    allowed = ALLOWED_NODES + ALLOWED_FUNCTIONS + (AGGREGATES if aggregate else ())
    for node in tree.walk():
        if isinstance(node, exp.Anonymous):
            if node.name.lower() not in ANONYMOUS_OK:
                raise RuleError(f"{where}: function {node.name}() is not allowed")
            continue
        if not isinstance(node, allowed):
            raise RuleError(
                f"{where}: {node.key.upper()} is not allowed in a condition "
                f"(only expressions over the line's columns): {node.sql()[:80]}"
            )
        if isinstance(node, exp.Column):
            if node.table:
                raise RuleError(f"{where}: qualified column {node.sql()} is not allowed")
            if node.name not in columns:
                raise RuleError(f"{where}: unknown column {node.name!r}")
    return tree.sql(dialect="duckdb")


def columns_of(sql: str) -> set[str]:
    """The column names an (already checked) expression reads."""
    return {c.name for c in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Column)}
