"""DuckDB's value semantics in Python, for the row evaluators of :mod:`chipcustoms.policy.rowexpr`.

A row evaluator must give, for one line, exactly what DuckDB gives for the same SQL over a
batch. What DuckDB does depends on the *static* type of each expression (an integer literal is
an INTEGER, ``1.5`` a DECIMAL, a Float64 column a DOUBLE), so values travel with a type tag
decided at compile time: ``INTEGER``/``BIGINT``/``HUGEINT`` (Python ``int``), ``DECIMAL``
(:class:`decimal.Decimal`), ``FLOAT``/``DOUBLE`` (``float``), ``VARCHAR``, ``BOOLEAN``,
``DATE``, ``TIMESTAMP``, ``INTERVAL`` (months, days) and ``LIST``. NULL is ``None``.

Here: the numeric tower and promotion, casts (with DuckDB's errors: a string that is no
number raises a conversion error, as DuckDB does, rather than giving NULL), the text DuckDB
writes for a value (``CAST AS VARCHAR``) and the JSON text ``json_object(...)::VARCHAR``
writes (yyjson: shortest round-trip digits, positional between 1e-6 and 1e21).
"""

from __future__ import annotations

import datetime as dt
import math
import struct
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from chipcustoms.errors import RuleError


class RowEvalError(RuleError):
    """An error DuckDB raises at run time for the same value (``kind``: ``conversion``,
    ``out_of_range`` or ``invalid_input``, after DuckDB's exception classes)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


INTS = {"TINYINT": 8, "SMALLINT": 16, "INTEGER": 32, "BIGINT": 64, "HUGEINT": 128}
NUMERIC_ORDER = [
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "DECIMAL",
    "FLOAT",
    "DOUBLE",
]
NUMERIC = frozenset(NUMERIC_ORDER)
TRUE_TEXT = frozenset({"true", "t", "yes", "y", "1"})
FALSE_TEXT = frozenset({"false", "f", "no", "n", "0"})


def is_int(t: str) -> bool:
    return t in INTS


def promote(a: str, b: str) -> str:
    """The type DuckDB computes ``a op b`` in (numeric), or the shared type of two others."""
    if a == b:
        return a
    if a == "NULL":
        return b
    if b == "NULL":
        return a
    if a in NUMERIC and b in NUMERIC:
        if {a, b} == {"FLOAT", "DECIMAL"}:
            return "DOUBLE"
        return max(a, b, key=NUMERIC_ORDER.index)
    if {a, b} == {"DATE", "TIMESTAMP"}:
        return "TIMESTAMP"
    raise RuleError(f"no common type for {a} and {b} in a row evaluator")


def check_int(value: int, t: str, what: str) -> int:
    bits = INTS[t]
    if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
        raise RowEvalError("out_of_range", f"Overflow in {what} of {t}")
    return value


def to_float32(x: float) -> float:
    if not math.isfinite(x):
        return x
    try:
        return float(struct.unpack("f", struct.pack("f", x))[0])
    except OverflowError as exc:
        raise RowEvalError("out_of_range", f"{x} out of range for FLOAT") from exc


def _round_half_away(x: float) -> float:
    """C's ``std::round``: halves away from zero, the sign of zero kept."""
    if not math.isfinite(x):
        return x
    t = float(math.trunc(x))
    if abs(x - t) >= 0.5:
        t += math.copysign(1.0, x)
    return math.copysign(t, x) if t == 0 else t


def _parse_number(text: str, target: str) -> Any:
    s = text.strip(" \t\n\r")
    if is_int(target):
        try:
            return int(s)
        except ValueError:
            pass
        try:
            d = Decimal(s)
        except InvalidOperation:
            d = None
        if d is None or not d.is_finite():
            raise RowEvalError("conversion", f"Could not convert string '{text}' to {target}")
        return int(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    try:
        if s.lower().lstrip("+-") in {"inf", "infinity", "nan"} or _plain_number(s):
            return float(s)
    except ValueError:
        pass
    raise RowEvalError("conversion", f"Could not convert string '{text}' to {target}")


def _plain_number(s: str) -> bool:
    body = s.lstrip("+-")
    mantissa, _, exponent = body.lower().partition("e")
    digits = mantissa.replace(".", "", 1)
    ok_exp = not exponent or exponent.lstrip("+-").isdigit()
    return bool(digits) and digits.isdigit() and digits.isascii() and ok_exp


def cast(value: Any, src: str, dst: str, scale: int = 3, precision: int = 18) -> Any:
    """``CAST(value AS dst)`` as DuckDB does it for a value of static type ``src``."""
    if value is None:
        return None
    if dst in ("VARCHAR", "TEXT"):
        return to_text(value, src)
    if is_int(dst):
        if src == "BOOLEAN":
            out = int(value)
        elif src in ("DOUBLE", "FLOAT"):
            if not math.isfinite(value):
                raise RowEvalError("conversion", f"{value} out of range for {dst}")
            out = round(value)  # nearbyint: halves to even, as DuckDB casts a double
        elif src == "DECIMAL":
            out = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        elif src == "VARCHAR":
            out = _parse_number(value, dst)
        elif is_int(src):
            out = value
        else:
            raise RuleError(f"no cast from {src} to {dst} in a row evaluator")
        try:
            return check_int(out, dst, "cast")
        except RowEvalError as exc:
            raise RowEvalError("conversion", str(exc)) from exc
    if dst in ("DOUBLE", "FLOAT"):
        if src == "VARCHAR":
            out_f = _parse_number(value, dst)
        elif src in NUMERIC or src == "BOOLEAN":
            out_f = float(value)
        else:
            raise RuleError(f"no cast from {src} to {dst} in a row evaluator")
        return to_float32(out_f) if dst == "FLOAT" else out_f
    if dst == "DECIMAL":
        return to_decimal(value, src, scale, precision)
    if dst == "BOOLEAN":
        if src == "VARCHAR":
            low = value.strip().lower()
            if low in TRUE_TEXT or low in FALSE_TEXT:
                return low in TRUE_TEXT
            raise RowEvalError("conversion", f"Could not convert string '{value}' to BOOL")
        if src in NUMERIC or src == "BOOLEAN":
            return bool(value)
    if dst == "DATE":
        if src == "DATE":
            return value
        if src == "TIMESTAMP":
            return value.date()
        if src == "VARCHAR":
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError as exc:
                raise RowEvalError("conversion", f"invalid date field format: '{value}'") from exc
    if dst == "TIMESTAMP":
        if src == "TIMESTAMP":
            return value
        if src == "DATE":
            return dt.datetime(value.year, value.month, value.day)
        if src == "VARCHAR":
            try:
                return dt.datetime.fromisoformat(value.strip())
            except ValueError as exc:
                raise RowEvalError("conversion", f"invalid timestamp: '{value}'") from exc
    raise RuleError(f"no cast from {src} to {dst} in a row evaluator")


def to_decimal(value: Any, src: str, scale: int, precision: int) -> Decimal:
    if src == "VARCHAR":
        try:
            d = Decimal(value.strip())
        except InvalidOperation as exc:
            raise RowEvalError(
                "conversion", f"Could not convert string '{value}' to DECIMAL"
            ) from exc
    elif src in ("DOUBLE", "FLOAT"):
        if not math.isfinite(value):
            raise RowEvalError("conversion", f"Could not cast value {value} to DECIMAL")
        d = Decimal(repr(value)) if src == "DOUBLE" else Decimal(value)
    elif src == "BOOLEAN" or is_int(src) or src == "DECIMAL":
        d = Decimal(int(value)) if src == "BOOLEAN" else Decimal(value)
    else:
        raise RuleError(f"no cast from {src} to DECIMAL in a row evaluator")
    out = d.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    if out.adjusted() >= precision - scale:
        raise RowEvalError(
            "conversion", f"Could not cast value {d} to DECIMAL({precision},{scale})"
        )
    return out


def convert(value: Any, src: str, dst: str) -> Any:
    """An implicit conversion inside one expression (promotion of numbers, date to timestamp)."""
    if value is None or src == dst or dst == "NULL":
        return value
    if dst in ("DOUBLE", "FLOAT"):
        return float(value)
    if dst == "DECIMAL":
        return Decimal(int(value)) if isinstance(value, bool) else Decimal(value)
    if is_int(dst) and is_int(src):
        return value
    return cast(value, src, dst)


def to_text(value: Any, t: str) -> str:
    """``CAST(value AS VARCHAR)``: DuckDB writes a DOUBLE with the shortest round-trip digits,
    which is Python's ``repr``."""
    if t == "BOOLEAN":
        return "true" if value else "false"
    if t == "DOUBLE":
        return _signed_nan(value) or repr(float(value))
    if t == "FLOAT":
        return _float32_text(value)
    if t == "DECIMAL":
        return format(value, "f")
    if t == "TIMESTAMP":
        return value.isoformat(sep=" ")
    if t == "DATE":
        return value.isoformat()
    if t == "LIST":
        return "[" + ", ".join("NULL" if v is None else str(v) for v in value) + "]"
    return str(value)


def _signed_nan(value: float) -> str:
    """DuckDB writes a NaN with its sign bit set as ``-nan``; Python drops the sign."""
    return "-nan" if value != value and math.copysign(1.0, value) < 0 else ""


def _float32_text(value: float) -> str:
    import numpy as np

    return repr(float(np.float32(value))) if not math.isfinite(value) else str(np.float32(value))


def json_number(x: float) -> str:
    """A DOUBLE as yyjson writes it: shortest digits, positional from 1e-6 up to 1e21."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    text = repr(x)
    sign = "-" if text.startswith("-") else ""
    body = text.lstrip("-")
    mantissa, _, exp_text = body.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0") or "0"
    lead_zeros = len(whole + frac) - len((whole + frac).lstrip("0"))
    point = len(whole) - lead_zeros + (int(exp_text) if exp_text else 0)
    digits = digits.rstrip("0") or "0"
    if digits == "0":
        return sign + "0.0"
    exp10 = point - 1
    if -6 <= exp10 < 21:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}.0"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    tail = f".{digits[1:]}" if len(digits) > 1 else ""
    return f"{sign}{digits[0]}{tail}e{exp10}"


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
                 "\f": "\\f"}  # fmt: skip


def json_text(s: str) -> str:
    out = []
    for ch in s:
        if ch in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def json_value(value: Any, t: str) -> str:
    """One value inside ``json_object(...)::VARCHAR``, as DuckDB writes it."""
    if value is None:
        return "null"
    if t == "BOOLEAN":
        return "true" if value else "false"
    if is_int(t):
        return str(value)
    if t in ("DOUBLE", "FLOAT"):
        return json_number(float(value))
    if t == "DECIMAL":
        return json_number(float(value))
    if t in ("DATE", "TIMESTAMP"):
        return json_text(to_text(value, t))
    if t == "LIST":
        return "[" + ",".join(json_scalar(v) for v in value) + "]"
    return json_text(str(value))


def json_scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return json_number(v)
    return json_text(str(v))


def json_object(pairs: list[tuple[str, Any, str]]) -> str:
    """``json_object(k1, v1, ...)::VARCHAR``: keys in the order given, no spaces."""
    return "{" + ",".join(f"{json_text(k)}:{json_value(v, t)}" for k, v, t in pairs) + "}"


def format_number(value: Any, t: str, spec: str) -> str:
    """DuckDB's ``format('{:spec}', value)`` (fmt): Python's format mini-language agrees for the
    plain number specs a pack may use; an integer with a precision is refused, as fmt does."""
    if t in ("DOUBLE", "FLOAT"):
        return _signed_nan(value) or format(float(value), spec)
    if is_int(t):
        if "." in spec or spec.endswith(("f", "e", "g", "%")):
            raise RowEvalError("invalid_input", "precision not allowed for this argument type")
        return format(value, spec)
    if t == "VARCHAR" and not spec.strip("<>^"):
        return str(value)
    raise RowEvalError("invalid_input", f"format spec {spec!r} does not fit a {t}")


def round_value(value: Any, t: str, digits: int) -> Any:
    """``round(x, n)``: halves away from zero (DuckDB's ``std::round`` on a double, HALF_UP on
    a decimal)."""
    if t in ("DOUBLE", "FLOAT"):
        if not math.isfinite(value):
            return value
        if digits == 0:
            return _round_half_away(value)
        if digits > 0:
            mod = 10.0**digits
            return _round_half_away(value * mod) / mod
        mod = 10.0**-digits
        return _round_half_away(value / mod) * mod
    if t == "DECIMAL":
        return (
            value.quantize(Decimal(1).scaleb(-max(digits, 0)), rounding=ROUND_HALF_UP)
            if (digits >= 0)
            else (value.scaleb(digits).quantize(Decimal(1), rounding=ROUND_HALF_UP).scaleb(-digits))
        )
    if digits >= 0:
        return value
    mod = 10**-digits
    q = (abs(value) + mod // 2) // mod * mod
    return q if value >= 0 else -q
