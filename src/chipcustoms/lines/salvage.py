"""Rows the fast readers refuse, kept one by one; and a raw table made safe for ingest.

Polars reads a clean CSV or JSONL file in one vectorised call, but refuses the whole file for
one ragged CSV row, one line that is not JSON, not an object or not UTF-8, or values of mixed
types across rows. Only then is the file read again here, row by row (Python's ``csv`` and
``json``, both in C), so that each unreadable row becomes a marker row (its reason in
``READ_ERROR``, its text in ``RAW_LINE``, its values null) at its own place in the file: row
numbers stay those of the file, and ingest quarantines it, so ``read = accepted + quarantined``.

:func:`flatten` turns what ingest cannot compare as text (nested lists and structs, binary,
Python objects) into text, and :func:`check_names` refuses column names ingest cannot hold.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from typing import Any

import polars as pl

from chipcustoms.errors import InputError

READ_ERROR = "__unreadable"  # why the reader could not split this row into fields
RAW_LINE = "__raw_line"  # that row's text as read
MARKERS = (READ_ERROR, RAW_LINE)
INT64 = (-(2**63), 2**63 - 1)
FIELD_LIMIT = 1 << 30  # bytes in one CSV field: the fast reader has no limit, so nor does this
HOLDS = ("\ue000", "\ue001", "\ue002", "\ufdd0", "\ufdd1", "\U0010fffd")  # stand-ins, see csv_rows


def check_names(columns: list[str], path: str, *, allow: tuple[str, ...] = ()) -> None:
    """Refuse a table whose column names ingest cannot keep apart.

    Names starting with ``__`` are ingest's working columns (row numbers, check flags), and a
    duplicate name would leave it guessing which column a field comes from.
    """
    dup = [c for c, n in Counter(columns).items() if n > 1]
    if dup:
        raise InputError(f"{path}: duplicate column name {dup[0]!r}; each column needs its own")
    bad = [c for c in columns if c.startswith("__") and c not in allow]
    if bad:
        raise InputError(
            f"{path}: column name {bad[0]!r} is reserved (names starting with '__' are used "
            "internally); rename the column"
        )


def flatten(df: pl.DataFrame, lossy: bool = False) -> tuple[pl.DataFrame, bool]:
    """Nested values as JSON text, binary as text (invalid UTF-8 as U+FFFD), objects as text.

    Returns the frame and whether it may now hold broken encoding (``lossy``, or binary seen).
    """
    from chipcustoms.lines.tablewrite import json_text

    fixes: list[pl.Expr | pl.Series] = []
    for name, dtype in df.schema.items():
        if dtype.is_nested():
            fixes.append(pl.when(pl.col(name).is_not_null()).then(json_text(name)).alias(name))
        elif dtype == pl.Binary:
            fixes.append(pl.Series(name, _lossy(df[name]), dtype=pl.Utf8))
        elif dtype == pl.Object or isinstance(dtype, pl.Time | pl.Duration):
            fixes.append(pl.col(name).map_elements(str, return_dtype=pl.Utf8))
    binary = any(dtype == pl.Binary for dtype in df.schema.values())
    return (df.with_columns(fixes) if fixes else df), lossy or binary


def _lossy(col: pl.Series) -> list[str | None]:
    """Binary column values as text; binary columns are rare, so a plain loop is fine."""
    return [None if b is None else bytes(b).decode("utf-8", "replace") for b in col.to_list()]


def csv_rows(data: bytes, path: str, eol: str = "\n") -> tuple[pl.DataFrame, bool]:
    """Every row of a CSV text; rows with the wrong number of fields become marker rows.

    Returns the frame (all columns text) and whether invalid UTF-8 was replaced by U+FFFD.
    A blank line is a row of nulls, as the fast reader reads it, so row numbers agree.
    """
    text, lossy = _decode(data)
    # Python's csv ends a row at CR or LF alike; the fast reader only at the file's own line
    # ending. The other one, unquoted inside a value, is held aside so that both agree.
    other = re.compile("\r(?!\n)" if eol == "\n" else "\n")
    hold = next((c for c in HOLDS if c not in text), "")
    if hold:
        text = other.sub(hold, text)
    original = "\r" if eol == "\n" else "\n"
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    rows = (
        [v.replace(hold, original) for v in row] if hold and hold in "".join(row) else row
        for row in csv.reader(io.StringIO(text, newline=""))
    )
    header = next(rows, None)
    if not header:
        raise InputError(f"{path}: empty file, no header row")
    check_names(header, path)
    width = len(header)
    columns: list[list[str | None]] = [[] for _ in header]
    errors: list[str | None] = []
    lines: list[str | None] = []
    for row in rows:
        if not row:  # a blank line: a row of nulls, as the fast reader counts it
            row = [""] * width
        if len(row) == width:
            for col, v in zip(columns, row, strict=True):
                col.append(v or None)
            errors.append(None)
            lines.append(None)
            continue
        for col in columns:
            col.append(None)
        errors.append(f"ragged row: {len(row)} fields where the header has {width}")
        lines.append(_csv_line(row))
    frame = {
        name: pl.Series(name, col, dtype=pl.Utf8) for name, col in zip(header, columns, strict=True)
    }
    return _with_markers(pl.DataFrame(frame), errors, lines), lossy


def jsonl_rows(data: bytes, path: str) -> tuple[pl.DataFrame, bool]:
    """Every line of a JSONL text; a line that is not a UTF-8 JSON object becomes a marker row.

    A column whose values are of one JSON scalar type keeps it (integers and numbers mixed
    become numbers); mixed or nested values become text (nested as JSON), for ingest to judge.
    """
    records: list[dict[str, Any] | None] = []
    errors: list[str | None] = []
    lines: list[str | None] = []
    lossy = False
    for raw in data.split(b"\n"):
        raw = raw.rstrip(b"\r")
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            lossy = True
            _bad(records, errors, lines, "broken encoding (invalid UTF-8 bytes)", raw)
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            _bad(records, errors, lines, f"invalid JSON: {exc}", raw)
            continue
        if not isinstance(obj, dict):
            _bad(records, errors, lines, f"not a JSON object: {type(obj).__name__}", raw)
            continue
        records.append(obj)
        errors.append(None)
        lines.append(None)
    names: dict[str, None] = {}
    for rec in records:
        if rec:
            names.update(dict.fromkeys(rec))
    check_names(list(names), path)
    frame = {
        name: _column(name, [None if r is None else r.get(name) for r in records]) for name in names
    }
    df = pl.DataFrame(frame) if frame else pl.DataFrame(height=len(records))
    return _with_markers(df, errors, lines), lossy


def _bad(records: list[Any], errors: list[Any], lines: list[Any], why: str, raw: bytes) -> None:
    records.append(None)
    errors.append(why)
    lines.append(raw.decode("utf-8", "replace"))


def _column(name: str, values: list[Any]) -> pl.Series:
    """One column: a single JSON scalar type kept, anything else as text."""
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return pl.Series(name, values, dtype=pl.Boolean)
    if (
        kinds
        and kinds <= {int, float}
        and all(isinstance(v, float) or INT64[0] <= v <= INT64[1] for v in values if v is not None)
    ):
        return pl.Series(name, values, dtype=pl.Int64 if kinds == {int} else pl.Float64)
    return pl.Series(name, [_text(v) for v in values], dtype=pl.Utf8)


def _csv_line(row: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    return out.getvalue()


def _text(v: Any) -> str | None:
    if v is None or isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))  # as polars encodes


def _decode(data: bytes) -> tuple[str, bool]:
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("utf-8-sig", "replace"), True


def _with_markers(
    df: pl.DataFrame, errors: list[str | None], lines: list[str | None]
) -> pl.DataFrame:
    if not any(e is not None for e in errors):
        return df
    return df.with_columns(
        pl.Series(READ_ERROR, errors, dtype=pl.Utf8), pl.Series(RAW_LINE, lines, dtype=pl.Utf8)
    )
