"""Cutting an input (a file, or a folder of Parquet/CSV/JSONL partitions) into bounded batches.

A partition is a description, not data: a file and a slice of it (a row range of a Parquet
file, a byte range of a CSV or JSONL file, cut on a row boundary), so that whichever process
maps over it reads only its own slice, where the file lies. CSV ranges are cut outside quoted
fields: the planner counts quote characters up to each cut (one sequential pass of
``bytes.count``), so a newline inside a quoted description never splits a row.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chipcustoms.errors import InputError
from chipcustoms.lines.salvage import flatten
from chipcustoms.lines.tableio import (
    FORMATS,
    UNREADABLE,
    TypedFor,
    check_parquet,
    format_of,
    nul_in,
    parquet_rows,
    read_source,
)

BLOCK = 64 << 20  # bytes per read while counting quotes


@dataclass(frozen=True)
class Partition:
    """One bounded slice of one input file."""

    index: int
    path: str
    fmt: str
    rows: tuple[int, int] | None = None  # Parquet: (offset, length)
    span: tuple[int, int] | None = None  # CSV / JSONL: byte range [start, end) of data rows


def input_files(path: str) -> list[Path]:
    """The data files of ``path`` (itself, or a folder's files in name order), one format."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: file not found")
    if p.is_file():
        format_of(p)
        return [p]
    files = sorted(
        f
        for f in p.rglob("*")
        if f.is_file() and f.suffix.lower() in FORMATS and not f.name.startswith((".", "_"))
    )
    if not files:
        raise InputError(f"{path}: folder holds no .csv, .jsonl or .parquet partitions")
    kinds = {format_of(f) for f in files}
    if len(kinds) > 1:
        raise InputError(f"{path}: mixed formats {sorted(kinds)}; one folder, one format")
    return files


def _row_bytes(path: Path, header: int) -> float:
    """Mean bytes per row over the first rows: turns --batch-rows into a byte range size."""
    with path.open("rb") as f:
        f.seek(header)
        sample = f.read(4 << 20)
    rows = sample.count(b"\n")
    return len(sample) / rows if rows else float(len(sample) or 1)


def _cuts(path: Path, start: int, target: int, quoted: bool) -> list[int]:
    """Row-aligned byte offsets about ``target`` bytes apart, never inside a quoted field."""
    size = path.stat().st_size
    cuts = [start]
    parity = 0  # quote characters seen so far, mod 2 (RFC 4180 "" escapes keep it even)
    pos = start
    with path.open("rb") as f:
        while cuts[-1] + target < size:
            want = cuts[-1] + target
            f.seek(pos)
            while pos < want:  # count quotes in [pos, want) in blocks
                block = f.read(min(BLOCK, want - pos))
                if not block:
                    break
                if quoted:
                    parity ^= block.count(b'"') & 1
                pos += len(block)
            cut = None
            while cut is None:  # forward to the first newline outside quotes
                block = f.read(1 << 20)
                if not block:
                    break
                at = 0
                while True:
                    nl = block.find(b"\n", at)
                    if nl < 0:
                        if quoted:
                            parity ^= block.count(b'"', at) & 1
                        pos += len(block)
                        break
                    if quoted:
                        parity ^= block.count(b'"', at, nl) & 1
                    if parity == 0:
                        cut = pos + nl + 1
                        pos = cut
                        break
                    at = nl + 1
            if cut is None or cut >= size:
                break
            cuts.append(cut)
    cuts.append(size)
    return cuts


def plan(path: str, batch_rows: int) -> list[Partition]:
    """Partitions of at most about ``batch_rows`` rows each, in input order."""
    if batch_rows < 1:
        raise InputError(f"--batch-rows must be at least 1, got {batch_rows}")
    parts: list[Partition] = []
    for f in input_files(path):
        fmt = format_of(f)
        if fmt == "parquet":
            try:
                n = check_parquet(f, str(f))
            except UNREADABLE as exc:  # pyarrow raises ArrowInvalid (a ValueError)
                raise InputError(f"{f}: cannot read as parquet: {exc}") from exc
            for off in range(0, max(n, 1), batch_rows):
                parts.append(Partition(len(parts), str(f), fmt, rows=(off, batch_rows)))
            continue
        with f.open("rb") as fh:
            header = len(fh.readline()) if fmt == "csv" else 0
        target = max(int(_row_bytes(f, header) * batch_rows), 1)
        cuts = _cuts(f, header, target, quoted=fmt == "csv")
        for a, b in itertools.pairwise(cuts):
            parts.append(Partition(len(parts), str(f), fmt, span=(a, b)))
        if len(cuts) == 1:
            parts.append(Partition(len(parts), str(f), fmt, span=(header, header)))
    return parts


def read_partition(part: Partition, typed_for: TypedFor | None = None) -> tuple[pl.DataFrame, bool]:
    """The raw rows of one partition, as :func:`tableio.read_raw_checked` reads a whole file."""
    try:
        if part.fmt == "parquet":
            assert part.rows is not None
            off, n = part.rows
            df, repaired = parquet_rows(part.path, off, n)
            return flatten(df, repaired or nul_in(df))
        assert part.span is not None
        start, end = part.span
        with open(part.path, "rb") as f:
            head = f.readline() if part.fmt == "csv" else b""
            f.seek(start)
            body = f.read(end - start)
    except InputError:
        raise
    except UNREADABLE as exc:
        raise InputError(f"{part.path}: cannot read as {part.fmt}: {exc}") from exc
    return read_source(io.BytesIO(head + body), part.fmt, part.path, typed_for)
