"""Writing tables by file extension; ``-`` means stdout (CSV unless the format says so).

One writer for every table the commands write: a whole batch and a streamed run's parts go
through the same :class:`TableSink`, so an output cannot differ by the path that made it.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import polars as pl
import pyarrow.parquet as pq

from chipcustoms.lines.tableio import format_of


def write_table(
    frames: pl.DataFrame | Iterable[pl.DataFrame],
    path: str | Path,
    *,
    json_columns: tuple[str, ...] = (),
) -> int:
    """Write one frame, or frames batch by batch, as one table in the format of ``path``;
    returns the rows written. The one table writer: a whole batch and a streamed run's parts
    go through the same :class:`TableSink`, so the output cannot differ by path.

    CSV cannot hold nested values, so ``json_columns`` (lists of structs such as `reasons`) are
    encoded as JSON text there; JSONL and Parquet keep them native.
    """
    sink = TableSink(str(path), json_columns=json_columns)
    rows = 0
    try:
        for df in [frames] if isinstance(frames, pl.DataFrame) else frames:
            sink.write(df)
            rows += df.height
    finally:
        sink.close()
    return rows


class TableSink:
    """One output file written batch by batch (CSV, JSONL or Parquet), or stdout."""

    def __init__(self, path: str, *, json_columns: tuple[str, ...] = ()) -> None:
        self.path, self.fmt = path, format_of(path)
        self.json_columns = json_columns
        self._fh: IO[bytes] | None = None
        self._pq: pq.ParquetWriter | None = None
        self._header = True

    def _open(self) -> IO[bytes]:
        if self._fh is None:
            if self.path != "-":
                # Held open across batches and closed in close(): not a with-block by design.
                self._fh = open(self.path, "wb")  # noqa: SIM115
            elif self.fmt == "parquet":
                self._fh = io.BytesIO()  # the Parquet writer seeks, a pipe cannot
            else:
                sys.stdout.flush()  # text written before goes first
                self._fh = sys.stdout.buffer
        return self._fh

    def write(self, df: pl.DataFrame) -> None:
        if self.fmt == "parquet":
            table = df.to_arrow()
            if self._pq is None:
                where: IO[bytes] | str = self._open() if self.path == "-" else self.path
                self._pq = pq.ParquetWriter(where, table.schema)
            if table.schema != self._pq.schema:
                table = table.cast(self._pq.schema)
            self._pq.write_table(table)
        elif self.fmt == "csv":
            out = for_people(df).with_columns(
                [json_text(c) for c in self.json_columns if c in df.columns]
            )
            nested = [c for c, t in out.schema.items() if t.is_nested()]
            out = out.with_columns([json_text(c) for c in nested])
            out.write_csv(self._open(), include_header=self._header)
        else:
            df.write_ndjson(self._open())
        self._header = False

    def close(self) -> None:
        """Finish the file; a sink that got no batch leaves an empty CSV or JSONL file."""
        if self._pq is not None:
            self._pq.close()
        elif self.fmt != "parquet":
            self._open()
        if self._fh is None:
            return
        if self.path != "-":
            self._fh.close()
        elif isinstance(self._fh, io.BytesIO):
            sys.stdout.buffer.write(self._fh.getvalue())
            sys.stdout.buffer.flush()
        else:
            self._fh.flush()


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
