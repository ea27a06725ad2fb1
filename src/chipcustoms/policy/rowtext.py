"""Text and list functions for the row compiler (:mod:`chipcustoms.policy.rowexpr`), as
DuckDB computes them, and the small lifting helpers the function tables share (NULL in, NULL
out; a NULL literal folds the call away, as DuckDB's optimizer does).

Known differences from DuckDB, kept out of the bundled packs and out of the property test's
grammar: ``regexp_matches`` runs Python's ``re`` where DuckDB runs RE2 (RE2 refuses
back-references and look-arounds, Python accepts them; ``\\d``/``\\w``/``\\s`` are ASCII in
RE2 and Unicode in ``re``; ``$`` in ``re`` also matches before a final newline); ``lower`` and
``upper`` use Python's full case mapping where DuckDB maps one code point to one (``ß``);
``ILIKE`` folds with ``str.lower``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from sqlglot import exp

from chipcustoms.errors import RuleError
from chipcustoms.policy.rowexpr import Compiler, Row, Typed, const, is_null
from chipcustoms.policy.rowvalues import RowEvalError


def unary(t: Typed, op: Callable[[Any], Any], out: str, scale: int = 0) -> Typed:
    if is_null(t):
        return const(None, out)
    f = t.fn
    return Typed(lambda row: None if (v := f(row)) is None else op(v), out, scale=scale)


def binary(a: Typed, b: Typed, op: Callable[[Any, Any], Any], out: str) -> Typed:
    if is_null(a) or is_null(b):
        return const(None, out)
    fa, fb = a.fn, b.fn

    def f(row: Row) -> Any:
        x, y = fa(row), fb(row)  # both sides, always: DuckDB evaluates both
        return None if x is None or y is None else op(x, y)

    return Typed(f, out)


def need(t: Typed, allowed: set[str], node: exp.Expr) -> None:
    if t.type not in allowed | {"NULL"}:
        raise RuleError(f"{node.sql()[:60]}: no such function for a {t.type} argument")


@functools.lru_cache(maxsize=4096)
def _like_regex(pattern: str, fold: bool) -> re.Pattern[str]:
    """DuckDB's LIKE without ESCAPE: ``%`` any run, ``_`` one character, nothing else special
    (a backslash is a plain character)."""
    out = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.compile(out, re.DOTALL | (re.IGNORECASE if fold else 0))


def like(c: Compiler, node: exp.Expr) -> Typed:
    s, p = c.compile(node.this), c.compile(node.expression)
    need(s, {"VARCHAR"}, node)
    need(p, {"VARCHAR"}, node)
    fold = isinstance(node, exp.ILike)
    if fold:
        return binary(s, p, lambda x, y: _like_regex(y.lower(), False).fullmatch(x.lower())
                       is not None, "BOOLEAN")  # fmt: skip
    return binary(s, p, lambda x, y: _like_regex(y, False).fullmatch(x) is not None, "BOOLEAN")


def text_fn(c: Compiler, node: exp.Expr, op: Callable[[str], Any], out: str) -> Typed:
    t = c.compile(node.this)
    need(t, {"VARCHAR"}, node)
    return unary(t, op, out)


def length(c: Compiler, node: exp.Expr) -> Typed:
    t = c.compile(node.this)
    need(t, {"VARCHAR", "LIST"}, node)
    return unary(t, len, "BIGINT")


def regexp(c: Compiler, node: exp.Expr) -> Typed:
    if node.args.get("flag") is not None:
        raise RuleError(f"{node.sql()[:60]}: regexp options are not supported in a row evaluator")
    s, p = c.compile(node.this), c.compile(node.expression)
    need(s, {"VARCHAR"}, node)
    need(p, {"VARCHAR"}, node)
    return binary(s, p, lambda x, y: _regex(y).search(x) is not None, "BOOLEAN")


@functools.lru_cache(maxsize=4096)
def _regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RowEvalError("invalid_input", f"invalid regular expression: {exc}") from exc


def _substring(s: str, offset: int, length: int | None) -> str:
    """DuckDB's substring: 1-based, a negative start counts from the end, start 0 is one
    character before the first, a negative length goes backwards; the span is clipped to the
    string only after it is placed (checked against DuckDB over every start and length)."""
    size = len(s)
    if length is None:
        length = size + 1 if offset >= 0 else -offset
    start = offset - 1 if offset > 0 else size + offset if offset < 0 else -1
    end = start + length
    if length < 0:
        start, end = end, start
    start, end = max(start, 0), min(end, size)
    return s[start:end] if end > start else ""


def substr(c: Compiler, node: exp.Substring) -> Typed:
    s = c.compile(node.this)
    need(s, {"VARCHAR"}, node)
    start = c.compile(node.args["start"])
    length_node = node.args.get("length")
    length = c.compile(length_node) if length_node is not None else const(0, "NULL")
    fs, fa, fl, has_len = s.fn, start.fn, length.fn, length_node is not None

    def f(row: Row) -> Any:
        v, a = fs(row), fa(row)
        n = fl(row) if has_len else None
        if v is None or a is None or (has_len and n is None):
            return None
        return _substring(v, int(a), None if n is None else int(n))

    return Typed(f, "VARCHAR")


def list_contains(c: Compiler, node: exp.Expr) -> Typed:
    lst, item = c.compile(node.this), c.compile(node.expression)
    if lst.type == "VARCHAR" and isinstance(node, exp.Contains):
        need(item, {"VARCHAR"}, node)
        return binary(lst, item, lambda x, y: y in x, "BOOLEAN")
    need(lst, {"LIST"}, node)
    return binary(lst, item, lambda x, y: any(v == y for v in x if v is not None), "BOOLEAN")


def strpos(c: Compiler, node: exp.Expr) -> Typed:
    s, sub = c.compile(node.this), c.compile(node.args["substr"])
    need(s, {"VARCHAR"}, node)
    need(sub, {"VARCHAR"}, node)
    return binary(s, sub, lambda x, y: x.find(y) + 1, "BIGINT")


def trim(c: Compiler, node: exp.Trim) -> Typed:
    s = c.compile(node.this)
    need(s, {"VARCHAR"}, node)
    position = str(node.args.get("position") or "BOTH").upper()
    chars_node = node.args.get("expression")
    chars = c.compile(chars_node) if chars_node is not None else const(" ", "VARCHAR")
    need(chars, {"VARCHAR"}, node)
    op = {"LEADING": str.lstrip, "TRAILING": str.rstrip}.get(position, str.strip)
    return binary(s, chars, lambda x, y: op(x, y), "VARCHAR")


def starts_with(c: Compiler, node: exp.Expr) -> Typed:
    s, p = c.compile(node.this), c.compile(node.expression)
    need(s, {"VARCHAR"}, node)
    need(p, {"VARCHAR"}, node)
    return binary(s, p, lambda x, y: x.startswith(y), "BOOLEAN")
