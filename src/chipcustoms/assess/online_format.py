"""Polars' own value semantics, one row at a time: what the online path needs to give the batch
path's exact text and numbers without building a frame.

The batch path writes numbers into messages (``round(d).cast(Utf8)``), rounds reason scores
(``round(4)``) and writes evidence as ``struct.json_encode()``; each has its own conventions
(ties to even after scaling by a power of ten; positional notation down to 1e-5; NaN as null in
JSON) that Python's ``round``, ``repr`` and ``json`` do not share. Conditions over nullable
columns follow Kleene logic (null AND false is false). tests/test_online_format.py checks each
function against Polars on generated values.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any


def div(a: float | None, b: float | None) -> float | None:
    """``a / b`` as IEEE division (Polars): null in, null out; x/0 is ±inf, 0/0 NaN."""
    if a is None or b is None:
        return None
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def ln(x: float | None) -> float | None:
    """Natural log as Polars computes it: ln(0) = -inf, ln(<0) = NaN."""
    if x is None:
        return None
    if x == 0:
        return -math.inf
    if x < 0 or math.isnan(x):
        return math.nan
    if math.isinf(x):
        return math.inf
    return math.log(x)


def clip01(x: float | None) -> float | None:
    """``clip(0, 1).fill_nan(None)``, the anomaly scores' range."""
    if x is None or math.isnan(x):
        return None
    return min(max(x, 0.0), 1.0)


def round_even(x: float, decimals: int) -> float:
    """``Expr.round(decimals)``: scale by 10**decimals, round half to even, scale back."""
    if not math.isfinite(x):
        return x
    if decimals == 0:
        return math.copysign(float(round(x)), x)
    m = 10.0**decimals
    r = x * m
    if not math.isfinite(r):
        return x
    return math.copysign(float(round(r)), r) / m


def float_text(x: float) -> str:
    """A Float64 cast to text: the shortest round-trip digits, positional down to 1e-5
    (Python's ``repr`` switches to an exponent below 1e-4) and exponents without padding."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    r = repr(x)
    if "e-" not in r:
        return r
    mant, exp = r.split("e-")
    e = int(exp)
    if e <= 5:
        sign = "-" if mant.startswith("-") else ""
        return f"{sign}0.{'0' * (e - 1)}{mant.lstrip('-').replace('.', '')}"
    return f"{mant}e-{e}"


def fmt(x: float | None, decimals: int = 0) -> str | None:
    """anomalies.fmt: a number as message text (whole numbers without a decimal point)."""
    if x is None:
        return None
    r = round_even(x, decimals)
    if decimals == 0:
        return str(int(r)) if math.isfinite(r) else None
    return float_text(r)


def concat(*parts: str | None) -> str | None:
    """``pl.concat_str`` without ignore_nulls: one null part makes the whole text null."""
    if any(p is None for p in parts):
        return None
    return "".join(p for p in parts if p is not None)


def _json_value(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "null" if not math.isfinite(v) else float_text(v)
    if isinstance(v, (date, datetime)):
        return json.dumps(v.isoformat())
    if isinstance(v, list):
        return "[" + ",".join(_json_value(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)


def json_object(items: Iterable[tuple[str, Any]]) -> str:
    """``pl.struct(cols).struct.json_encode()`` of one row: keys in order, compact."""
    return "{" + ",".join(f"{json.dumps(k)}:{_json_value(v)}" for k, v in items) + "}"


def k_and(*xs: bool | None) -> bool | None:
    """Kleene AND (Polars' ``&`` over nullable booleans)."""
    if any(x is False for x in xs):
        return False
    return None if any(x is None for x in xs) else True


def k_or(*xs: bool | None) -> bool | None:
    """Kleene OR (Polars' ``|`` over nullable booleans)."""
    if any(x is True for x in xs):
        return True
    return None if any(x is None for x in xs) else False


def gt(a: float | None, b: float) -> bool | None:
    """``a > b`` as Polars compares: null gives null, NaN is above every number."""
    if a is None:
        return None
    return True if math.isnan(a) else a > b


def ge(a: float | None, b: float) -> bool | None:
    """``a >= b`` as Polars compares (see :func:`gt`)."""
    if a is None:
        return None
    return True if math.isnan(a) else a >= b


def eq(a: object, b: object) -> bool | None:
    return None if a is None else a == b
