"""Frame helpers shared by the pipeline stages."""

from __future__ import annotations

import io

import polars as pl


def lookup(df: pl.DataFrame, table: pl.DataFrame, on: str | list[str]) -> pl.DataFrame:
    """Add ``table``'s columns to ``df`` by key, without copying ``df``'s own columns.

    A left join of a wide frame gathers every column; joining only the key columns and stacking
    the result beside the frame keeps a million-line batch from being copied at each stage.
    ``table`` must be unique on ``on``.
    """
    keys = [on] if isinstance(on, str) else on
    found = df.select(keys).join(table, on=keys, how="left", maintain_order="left")
    return df.with_columns(found.drop(keys))


def compact(df: pl.DataFrame) -> pl.DataFrame:
    """A copy of ``df`` that owns its memory.

    Polars strings are views into shared buffers: a few rows filtered or gathered from a
    batch keep the whole batch's text alive. What outlives its batch (a run's digest, the
    selection pool) is copied out through Arrow IPC, which writes only the bytes it uses.
    """
    buf = io.BytesIO()
    df.write_ipc(buf)
    buf.seek(0)
    return pl.read_ipc(buf)
