"""Generated declaration files for the ingest fuzzer: CSV, JSONL and Parquet, good rows mixed
with bad ones. One seeded ``random.Random`` drives everything, so the hypothesis test
(``st.randoms``) and ``benchmarks/fuzz_ingest.py`` share the generator, and any failure is
reproduced from its seed.

Each input says what a correct reader owes it: ``rows`` (the number of rows the file holds,
when the generator knows it exactly: then ``read`` must equal it, or rows were lost silently)
and ``refusable`` (whether refusing the whole file, with a message, is a right answer: a
corrupt Parquet file, a duplicate or reserved column name, an empty file).
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from chipcustoms.lines.schema import FIELDS

NAMES = [f.name for f in FIELDS] + ["container_no", "inspected", "fraud", "notes"]
ODD_NAMES = ["", " ", "Ünïcödé 名前", "a,b", 'q"uote', "new\nline", "x" * 300, "__row", "__e0"]
GOOD = {
    "declaration_id": lambda r: f"D{r.randrange(10**6)}",
    "item_no": lambda r: str(r.randint(1, 5)),
    "date": lambda r: f"2025-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    "flow": lambda r: r.choice(["import", "export", "transit", "IMPORT"]),
    "origin_country": lambda r: r.choice(["TW", "CN", "US", "ZZ", "Taiwan"]),
    "destination_country": lambda r: r.choice(["CN", "HK", "SG"]),
    "transport_mode": lambda r: r.choice(["air", "sea", "truck", "drone"]),
    "hs_code": lambda r: r.choice(["847330", "8473.30.90", "854231"]),
    "description": lambda r: r.choice(["NVIDIA H20 96GB", "Ｈ１００ PCIe", "显卡 RTX 4090"]),
    "quantity": lambda r: str(r.randint(0, 50)),
    "value": lambda r: f"{r.uniform(0, 1e6):.2f}",
    "currency": lambda r: r.choice(["USD", "CNY", "eur"]),
}
ODD_TEXT = [
    "",
    " ",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1e400",
    "-1",
    "-0",
    "0",
    "1e-400",
    "9" * 40,
    "-001-01-01",
    "0000-01-01",
    "99999-12-31",
    "2025-02-30",
    "2025/13/01",
    "31.12.2025",
    "true",
    "FALSE",
    "null",
    "ZZ",
    "\u200b",
    "😀" * 20,
    "名前",
    "a\x00b",
    "\ufeffD1",
    "\ufffd",
    'say "hi"',
    "a,b",
    "line\nbreak",
    "cr\rinside",
    "tab\tbed",
    "x" * 70_000,
    "  padded  ",
]
ODD_JSON: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    -(2**70),
    1e308,
    math.nan,
    math.inf,
    -math.inf,
    1.5,
    "",
    [],
    [1, "a"],
    {},
    {"a": {"b": [1]}},
    "2025-01-01",
    "-001-01-01",
    12345678901234567890,
]


@dataclass(frozen=True)
class FuzzInput:
    fmt: str  # csv, jsonl or parquet
    data: bytes
    rows: int | None  # rows the file holds, where known exactly
    refusable: bool

    @property
    def suffix(self) -> str:
        return "." + self.fmt


def make_input(rng: random.Random) -> FuzzInput:
    """One generated file; the format and every defect are drawn from ``rng``."""
    fmt = rng.choice(["csv", "jsonl", "parquet"])
    made = {"csv": _csv, "jsonl": _jsonl, "parquet": _parquet}[fmt](rng)
    if rng.random() < 0.08:  # byte-level damage: anything may happen, nothing may crash
        return FuzzInput(fmt, _mangle(rng, made.data), None, True)
    return made


def _columns(rng: random.Random) -> tuple[list[str], bool]:
    cols = rng.sample(NAMES, rng.randint(1, 12))
    if rng.random() < 0.6:
        cols = ["declaration_id", "date", *[c for c in cols if c not in ("declaration_id", "date")]]
    refusable = False
    if rng.random() < 0.1:
        odd = rng.choice(ODD_NAMES)
        cols.append(odd)
        refusable = odd.startswith("__") or not odd.strip()
    if rng.random() < 0.05:
        cols.append(rng.choice(cols))
    return cols, refusable or len(set(cols)) < len(cols)


def _cell(rng: random.Random, name: str) -> str:
    if name in GOOD and rng.random() < 0.8:
        return str(GOOD[name](rng))
    return rng.choice(ODD_TEXT)


def _csv(rng: random.Random) -> FuzzInput:
    cols, refusable = _columns(rng)
    out = io.StringIO()
    eol = rng.choice(["\n", "\n", "\r\n", "\r"])
    writer = csv.writer(out, lineterminator=eol)
    writer.writerow(cols)
    n = 0
    for _ in range(rng.randint(0, 40)):
        if rng.random() < 0.03:  # a blank line: a row of nulls to every reader
            out.write(eol)
            n += 1
            continue
        n += 1
        row = [_cell(rng, c) for c in cols]
        if rng.random() < 0.1:  # ragged: a field too many or too few
            row = [*row, "extra"] if rng.random() < 0.5 or len(row) < 2 else row[:-1]
        writer.writerow(row)
    text = out.getvalue()
    rows: int | None = n
    if eol == "\r" and "\n" in text:  # LF inside values of a CR file: ambiguous line ends
        refusable, rows = True, None
    data = ("\ufeff" if rng.random() < 0.1 else "").encode() + text.encode("utf-8")
    if rng.random() < 0.1 and n:  # invalid UTF-8 inside one data row
        cut = data.rfind(eol.encode(), 0, len(data) - 1) + len(eol)
        if data[cut : cut + 1] == b'"':  # bytes before an opening quote unquote the field
            rows = None
        data = data[:cut] + b"\xff\xfe" + data[cut:]
    return FuzzInput("csv", data, rows, refusable or not cols)


def _json_value(rng: random.Random, name: str) -> Any:
    r = rng.random()
    if name in GOOD and r < 0.7:
        v = GOOD[name](rng)
        return int(v) if name in ("item_no", "quantity") and rng.random() < 0.5 else v
    if r < 0.85:
        return rng.choice(ODD_JSON)
    return rng.choice(ODD_TEXT)


def _jsonl(rng: random.Random) -> FuzzInput:
    cols, _ = _columns(rng)
    cols = [c for c in cols if not c.startswith("__")]
    lines: list[bytes] = []
    for _ in range(rng.randint(0, 40)):
        r = rng.random()
        if r < 0.05:
            lines.append(rng.choice([b"[1, 2]", b"null", b"42", b'"text"', b"true"]))
        elif r < 0.1:
            lines.append(rng.choice([b"{bad", b'{"a": }', b"{'a': 1}", b'{"a": 1']))
        elif r < 0.13:
            lines.append(b'{"declaration_id": "D\xff\xfe", "date": "2025-01-01"}')
        elif r < 0.16:
            lines.append(b'{"declaration_id": "D1", "declaration_id": "D2", "item_no": 1}')
        else:
            rec = {c: _json_value(rng, c) for c in cols if rng.random() < 0.9}
            lines.append(json.dumps(rec, ensure_ascii=rng.random() < 0.5).encode())
    blank = rng.random() < 0.1
    body = b"\n".join(line + (b"\n\n" if blank else b"") for line in lines)
    return FuzzInput("jsonl", body + (b"\n" if lines else b""), len(lines), False)


def _parquet(rng: random.Random) -> FuzzInput:
    cols, refusable = _columns(rng)
    n = rng.randint(0, 40)
    arrays = [_arrow_column(rng, c, n) for c in cols]
    table = pa.Table.from_arrays(arrays, names=cols) if cols else pa.table({})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return FuzzInput("parquet", buf.getvalue(), table.num_rows, refusable)


def _arrow_column(rng: random.Random, name: str, n: int) -> pa.Array:
    kind = rng.choice(["text", "text", "int", "float", "date", "binary", "nested", "bool", "ts"])
    if kind == "text":
        return pa.array([_cell(rng, name) if rng.random() < 0.9 else None for _ in range(n)])
    if kind == "int":
        return pa.array([rng.choice([1, 0, -5, 2**62, -(2**63), None]) for _ in range(n)])
    if kind == "float":
        pool = [1.5, -2.0, math.nan, math.inf, -math.inf, 1e308, None]
        return pa.array([rng.choice(pool) for _ in range(n)], pa.float64())
    if kind == "date":
        pool = [20_000, -800_000, 2_900_000, 0, -719_162, 2_932_896, None]
        return pa.array([rng.choice(pool) for _ in range(n)], pa.date32())
    if kind == "binary":
        return pa.array([rng.choice([b"ok", b"\xff\xfe", b"", b"a\x00b"]) for _ in range(n)])
    if kind == "nested":
        return pa.array([rng.choice([{"a": 1}, {"a": None}, None]) for _ in range(n)])
    if kind == "bool":
        return pa.array([rng.choice([True, False, None]) for _ in range(n)])
    return pa.array(
        [rng.choice([0, 10**18, -(10**18), None]) for _ in range(n)], pa.timestamp("us")
    )


def _mangle(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not data:
            break
        at = rng.randrange(len(data))
        op = rng.random()
        if op < 0.4:
            data[at] = rng.randrange(256)
        elif op < 0.7:
            del data[at : at + rng.randint(1, 64)]
        else:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(data)


def check_in_process(inp: FuzzInput, path: str) -> str | None:
    """Read and ingest ``path`` (holding ``inp``): None when the outcome is a right one, else
    what went wrong. Right: screened with ``read = accepted + quarantined`` (and ``read`` the
    file's row count where known, every accepted value a Python value), or, for an input
    allowed to be refused, an :class:`InputError` naming the file."""
    from chipcustoms.errors import InputError
    from chipcustoms.lines.ingest import read_and_ingest
    from chipcustoms.lines.mapping import load_mapping

    try:
        result = read_and_ingest(path, load_mapping(None))
    except InputError as exc:
        if isinstance(exc.__cause__, BaseException) and "Panic" in type(exc.__cause__).__name__:
            return f"refused, but after a Rust panic (printed on stderr): {exc}"
        if inp.refusable and path in str(exc):
            return None
        return f"refused: {exc}"
    except BaseException as exc:  # a Rust panic is a BaseException: that is a failure too
        if isinstance(exc, KeyboardInterrupt):
            raise
        return f"{type(exc).__name__}: {str(exc)[:300]}"
    if result.read != result.accepted.height + result.quarantined:
        return f"read {result.read} != {result.accepted.height} + {result.quarantined}"
    if inp.rows is not None and result.read != inp.rows:
        return f"read {result.read} rows of {inp.rows}"
    try:
        result.accepted.to_dicts()  # what the summary, store and pages do with the values
        result.quarantine.to_dicts()
    except BaseException as exc:
        return f"accepted values: {type(exc).__name__}: {str(exc)[:300]}"
    return None
