"""The SQL subset a policy condition may use, checked on the parsed tree before anything runs.

Policy packs are data that people share, so a condition is untrusted text. It is tokenised and
parsed with sqlglot, and the *tree* is checked: every node's exact type is on an allow-list
(expressions only: no statements, subqueries, tables, set operations), every function is a
listed one, every column is one the batch has, type names and date parts come from short
lists, literals are plain and bounded, nesting is bounded, and comments or a ``;`` anywhere
refuse the text. The SQL DuckDB runs is then rendered from that checked tree, with every
identifier quoted, so what was checked is what runs; re-rendered text is never checked again
(a quoted type name once smuggled a whole query through that way). The connection that runs
it has no file, network or extension access either (:func:`chipcustoms.policy.rules.connect`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.tokens import TokenType

from chipcustoms import settings
from chipcustoms.errors import RuleError

# Exact node types (subclasses are not implied: ``type(node) in ...``).
ALLOWED_NODES: frozenset[type[exp.Expr]] = frozenset(
    {
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
        exp.DataTypeParam,
        exp.Interval,
        exp.Var,
        exp.Array,
    }
)
ALLOWED_FUNCTIONS: frozenset[type[exp.Expr]] = frozenset(
    {
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
        exp.Contains,
        exp.StrPosition,
        exp.Trim,
        exp.DateDiff,
        exp.Extract,
        exp.DayOfWeek,
        exp.Floor,
        exp.Ceil,
    }
)
AGGREGATES: frozenset[type[exp.Expr]] = frozenset(
    {exp.Count, exp.Sum, exp.Min, exp.Max, exp.Avg, exp.Distinct, exp.Star}
)
# Functions sqlglot may not know as a type (by lower-case name, unquoted).
ANONYMOUS_OK = frozenset({"contains", "list_contains", "regexp_matches", "strpos"})
TYPES = frozenset(
    {
        exp.DataType.Type.VARCHAR,
        exp.DataType.Type.TEXT,
        exp.DataType.Type.DOUBLE,
        exp.DataType.Type.FLOAT,
        exp.DataType.Type.DECIMAL,
        exp.DataType.Type.TINYINT,
        exp.DataType.Type.SMALLINT,
        exp.DataType.Type.INT,
        exp.DataType.Type.BIGINT,
        exp.DataType.Type.BOOLEAN,
        exp.DataType.Type.DATE,
        exp.DataType.Type.TIMESTAMP,
    }
)
DATE_PARTS = frozenset(
    {"YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "DOW", "DAYOFWEEK", "DOY", "DAYOFYEAR"}
)
NUMBER = re.compile(r"^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")  # quoted or not; known ones per batch
# A name a pack gives a column it computes (a group rule's aggregate): plain, so it can be
# quoted and shown anywhere without surprises.
NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Checked:
    """A condition whose tree passed every structural check; columns are checked per batch."""

    tree: exp.Expr
    where: str

    @property
    def columns(self) -> set[str]:
        return {c.name for c in self.tree.find_all(exp.Column)}

    def render(self, columns: set[str]) -> str:
        """DuckDB SQL from the checked tree, identifiers quoted, after the column check."""
        for name in sorted(self.columns):
            if name not in columns:
                raise RuleError(f"{self.where}: unknown column {name!r}")
        return self.tree.sql(dialect="duckdb", identify=True)


def quote(name: str) -> str:
    """A DuckDB identifier, quoted (a ``"`` inside doubled)."""
    return '"' + name.replace('"', '""') + '"'


def _refuse(where: str, why: str) -> RuleError:
    return RuleError(f"{where}: {why}")


def _tokens(sql: str, where: str, max_depth: int) -> None:
    """Refusals visible in the token stream: comments, ``;``, names that are not plain words,
    runaway bracket nesting."""
    try:
        tokens = DuckDB().tokenize(sql)
    except sqlglot.errors.TokenError as exc:
        raise _refuse(where, f"not a SQL expression: {str(exc)[:120]}") from exc
    depth = 0
    for tok in tokens:
        if tok.comments:
            raise _refuse(where, "comments are not allowed in a condition")
        if tok.token_type == TokenType.SEMICOLON:
            raise _refuse(where, "';' is not allowed: a condition is one expression")
        # Names (quoted or bare) are plain words: sqlglot reads a quoted name where a type goes
        # as that type and drops the rest, so a name must carry nothing beyond itself.
        if tok.token_type in (TokenType.IDENTIFIER, TokenType.VAR) and not COLUMN.match(tok.text):
            raise _refuse(where, f"name {tok.text[:40]!r} is not a plain name")
        if tok.token_type in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
            if depth > max_depth:
                raise _refuse(where, f"nested deeper than {max_depth} levels")
        elif tok.token_type in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1


def _check_node(node: exp.Expr, where: str, allowed: frozenset[type[exp.Expr]]) -> None:
    kind = type(node)
    if node.comments:
        raise _refuse(where, "comments are not allowed in a condition")
    if kind is exp.Anonymous:
        name = node.this.this if isinstance(node.this, exp.Identifier) else node.this
        quoted = isinstance(node.this, exp.Identifier) and node.this.quoted
        if quoted or str(name).lower() not in ANONYMOUS_OK:
            raise _refuse(where, f"function {node.name}() is not allowed")
        return
    if kind not in allowed:
        raise _refuse(
            where,
            f"{node.key.upper()} is not allowed in a condition "
            f"(only expressions over the line's columns): {node.sql()[:80]}",
        )
    if kind is exp.Column:
        if node.args.get("table") or node.args.get("db") or node.args.get("catalog"):
            raise _refuse(where, f"qualified column {node.sql()[:80]} is not allowed")
        if not isinstance(node.this, exp.Identifier) or not COLUMN.match(node.name):
            raise _refuse(where, f"{node.sql()[:80]} is not a plain column name")
    elif kind is exp.Identifier:
        parent = node.parent
        if not isinstance(parent, exp.Column | exp.Anonymous):
            raise _refuse(where, f"identifier {node.name[:40]!r} is not allowed here")
    elif kind is exp.DataType:
        if node.this not in TYPES:
            raise _refuse(
                where, f"type {node.sql()[:40]!r} is not allowed (use one of the plain types)"
            )
    elif kind is exp.Var:
        if not isinstance(node.parent, exp.Interval | exp.Extract | exp.DateDiff) or (
            node.name.upper() not in DATE_PARTS
        ):
            raise _refuse(where, f"{node.name[:40]!r} is not allowed here")
    elif kind is exp.Literal:
        text = str(node.this)
        if node.is_string:
            if any(ord(ch) < 32 and ch not in "\t\n" for ch in text):
                raise _refuse(where, "control characters are not allowed in a string")
        elif not NUMBER.match(text) or len(text) > 40 or not math.isfinite(float(text)):
            raise _refuse(where, f"number {text[:40]!r} is not a plain finite number")


def _depth(tree: exp.Expr) -> int:
    """The tree's depth, walked without recursion (a deep tree must not blow the stack)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in node.iter_expressions())
    return deepest


def parse(sql: str, *, where: str, aggregate: bool = False) -> Checked:
    """Parse and check ``sql`` structurally; raise :class:`RuleError` naming ``where``."""
    if not isinstance(sql, str) or not sql.strip():
        raise _refuse(where, "empty condition")
    max_chars = int(settings.get("policy_max_chars"))
    max_depth = int(settings.get("policy_max_depth"))
    if len(sql) > max_chars:
        raise _refuse(where, f"condition longer than {max_chars} characters")
    _tokens(sql, where, max_depth)
    try:
        trees = sqlglot.parse(sql, read="duckdb")
    except sqlglot.errors.SqlglotError as exc:
        raise _refuse(where, f"not a SQL expression: {str(exc)[:120]}") from exc
    except RecursionError as exc:
        raise _refuse(where, f"nested deeper than {max_depth} levels") from exc
    if len(trees) != 1 or trees[0] is None:
        raise _refuse(where, "a condition is exactly one expression")
    tree = trees[0]
    if _depth(tree) > max_depth:
        raise _refuse(where, f"nested deeper than {max_depth} levels")
    allowed = ALLOWED_NODES | ALLOWED_FUNCTIONS | (AGGREGATES if aggregate else frozenset())
    for node in tree.walk():
        _check_node(node, where, allowed)
    return Checked(tree, where)


def check(sql: str, columns: set[str], *, where: str, aggregate: bool = False) -> str:
    """Validate ``sql`` and return the DuckDB SQL rendered from its checked tree."""
    return parse(sql, where=where, aggregate=aggregate).render(columns)


def check_name(name: str, *, where: str, what: str) -> str:
    """A name a pack chooses (aggregate) or names (partition column): plain, or refused."""
    if not isinstance(name, str) or not NAME.match(name):
        raise _refuse(where, f"{what} {str(name)[:40]!r} is not a plain name ([a-z][a-z0-9_]*)")
    return name


def columns_of(sql: str) -> set[str]:
    """The column names an expression reads (structure checked first)."""
    return parse(sql, where="condition").columns
