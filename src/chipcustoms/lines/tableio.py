"""Reading and writing tables by file extension; ``-`` means stdin / stdout.

CLI commands are filters (style notes §5): the extension picks the format, and stdin/stdout
default to CSV so that pipes work without flags.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import polars as pl

from chipcustoms.errors import InputError

FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def format_of(path: str | Path, default: str = "csv") -> str:
    """The format a path implies; stdin/stdout (``-``) use ``default``."""
    if str(path) == "-" or Path(path).is_char_device():  # stdout, /dev/null
        return default
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path}: unknown file type {suffix!r}; use .csv, .jsonl or .parquet")
    return FORMATS[suffix]


TypedFor = Callable[[list[str]], dict[str, pl.DataType]]


def read_raw_checked(
    path: str | Path, typed_for: TypedFor | None = None
) -> tuple[pl.DataFrame, bool]:
    """Read a declarations file without interpreting values.

    CSV is read as text (every column Utf8); JSONL and Parquet keep their own types. Returns
    the frame and whether it may hold broken encoding: a CSV that is not valid UTF-8 is re-read
    with invalid bytes replaced by U+FFFD, so that its rows can be quarantined one by one
    instead of failing the whole file. Validation of values is ingest's job, not this one's.

    ``typed_for(header)`` may name CSV columns to parse as numbers or dates while reading: the
    common, clean file then skips a text round trip. If any cell does not parse, the file is
    read again as text so that ingest can quarantine exactly the bad rows.
    """
    fmt = format_of(path)
    source: str | Path | io.BytesIO
    if str(path) == "-":
        source = io.BytesIO(sys.stdin.buffer.read())
    else:
        source = Path(path)
        if not source.exists():
            raise InputError(f"{path}: file not found")
    try:
        if fmt == "csv":
            return _read_csv(source, typed_for)
        if fmt == "jsonl":
            return pl.read_ndjson(source, infer_schema_length=10_000), False
        return pl.read_parquet(source), False
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError) as exc:
        raise InputError(f"{path}: cannot read as {fmt}: {exc}") from exc


def _read_csv(source: Path | io.BytesIO, typed_for: TypedFor | None) -> tuple[pl.DataFrame, bool]:
    def rewind() -> None:
        if isinstance(source, io.BytesIO):
            source.seek(0)

    overrides: dict[str, pl.DataType] = {}
    if typed_for is not None:
        header = pl.read_csv(source, n_rows=0, infer_schema=False, encoding="utf8-lossy").columns
        rewind()
        overrides = typed_for(header)
    for attempt in ([overrides] if overrides else []) + [{}]:
        try:
            return pl.read_csv(source, infer_schema=False, schema_overrides=attempt), False
        except pl.exceptions.ComputeError as exc:
            rewind()
            if "utf-8" in str(exc).lower():
                break
            if not attempt:
                raise
    return pl.read_csv(source, infer_schema=False, encoding="utf8-lossy"), True


def write_table(df: pl.DataFrame, path: str | Path, *, json_columns: tuple[str, ...] = ()) -> None:
    """Write ``df`` in the format of ``path``.

    CSV cannot hold nested values, so ``json_columns`` (lists of structs such as `reasons`) are
    encoded as JSON text there; JSONL and Parquet keep them native.
    """
    fmt = format_of(path)
    if fmt == "csv":
        out = for_people(df).with_columns([json_text(c) for c in json_columns if c in df.columns])
        nested = [c for c, t in out.schema.items() if t.is_nested()]
        out = out.with_columns([json_text(c) for c in nested])
        if str(path) == "-":
            sys.stdout.write(out.write_csv())
        else:
            out.write_csv(path)
    elif fmt == "jsonl":
        if str(path) == "-":
            sys.stdout.write(df.write_ndjson())
        else:
            df.write_ndjson(path)
    else:
        if str(path) == "-":
            buf = io.BytesIO()
            df.write_parquet(buf)
            sys.stdout.buffer.write(buf.getvalue())
        else:
            df.write_parquet(path)


# Computed numbers in a CSV are for people: USD to the cent, scores to 3 decimals. Parquet,
# JSONL and the store keep full precision (the ranking reads them); declared values and
# weights are written as read.
USD_SUFFIX = "_usd"
SCORE_COLUMNS = ("risk_score", "model_score", "screening_score", "resolution_confidence")
SCORE_PREFIX = "anom_"


def for_people(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with its computed float columns rounded for a CSV a person reads."""
    floats = [c for c, t in df.schema.items() if t in (pl.Float32, pl.Float64)]
    usd = [c for c in floats if c.endswith(USD_SUFFIX)]
    scores = [c for c in floats if c in SCORE_COLUMNS or c.startswith(SCORE_PREFIX)]
    return df.with_columns(
        *(pl.col(c).round(2) for c in usd), *(pl.col(c).round(3) for c in scores)
    )


def json_text(column: str) -> pl.Expr:
    """Vectorised JSON encoding of a nested column (wrapped in a struct so lists encode too)."""
    return (
        pl.struct(pl.col(column).alias("v"))
        .struct.json_encode()
        .str.strip_prefix('{"v":')
        .str.strip_suffix("}")
        .alias(column)
    )
