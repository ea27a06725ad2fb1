"""Reading and writing tables by file extension; ``-`` means stdin / stdout.

CLI commands are filters (style notes §5): the extension picks the format, and stdin/stdout
default to CSV so that pipes work without flags.
"""

from __future__ import annotations

import csv
import io
import mmap
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from chipcustoms.errors import InputError
from chipcustoms.lines.salvage import check_names, csv_rows, flatten, jsonl_rows

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
# What a reader may raise on a file it cannot read; a Rust panic is a BaseException in Python.
UNREADABLE: tuple[type[BaseException], ...] = (
    pl.exceptions.PolarsError,
    pl.exceptions.PanicException,
    pa.ArrowException,
    OSError,
    ValueError,
)


def read_raw_checked(
    path: str | Path, typed_for: TypedFor | None = None
) -> tuple[pl.DataFrame, bool]:
    """Read a declarations file without interpreting values.

    CSV is read as text (every column Utf8); JSONL and Parquet keep their own types. Returns
    the frame and whether it may hold broken text (ingest's ``check_encoding``): a CSV that is
    not valid UTF-8 is re-read with invalid bytes replaced by U+FFFD, so that its rows can be
    quarantined one by one instead of failing the whole file; a file with a NUL character
    anywhere, or binary Parquet values, is flagged the same way. A CSV row with the wrong
    number of fields and a JSONL line that is not a JSON object become marker rows
    (:mod:`chipcustoms.lines.salvage`) for ingest to quarantine. Validation of values is
    ingest's job, not this one's; a file that cannot be read at all raises
    :class:`InputError` naming it.

    ``typed_for(header)`` may name CSV columns to parse as numbers or dates while reading: the
    common, clean file then skips a text round trip. If any cell does not parse, the file is
    read again as text so that ingest can quarantine exactly the bad rows.
    """
    fmt = format_of(path)
    source: Path | io.BytesIO
    if str(path) == "-":
        source = io.BytesIO(sys.stdin.buffer.read())
    else:
        source = Path(path)
        if not source.exists():
            raise InputError(f"{path}: file not found")
    return read_source(source, fmt, str(path), typed_for)


def read_source(
    source: Path | io.BytesIO, fmt: str, name: str, typed_for: TypedFor | None = None
) -> tuple[pl.DataFrame, bool]:
    """One file (or one partition's bytes) of format ``fmt``, read as :func:`read_raw_checked`."""
    try:
        if fmt == "csv":
            df, lossy = _read_csv(source, typed_for, name)
            lossy = lossy or _has_nul(source, b"\x00")
        elif fmt == "jsonl":
            df, lossy = _read_jsonl(source, name), _has_nul(source, b"\x00", b"\\u0000")
        else:
            check_parquet(source, name)
            table = pq.read_table(arrow_input(source))
            check_chunks(pq.read_metadata(_rewound(source)), _size(source), name)
            df, repaired = parquet_frame(table, name)
            lossy = repaired or nul_in(df)
        return flatten(df, lossy)
    except InputError:
        raise
    except UNREADABLE as exc:
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{name}: cannot read as {fmt}: {why}") from exc


def parquet_frame(table: pa.Table, name: str) -> tuple[pl.DataFrame, bool]:
    """Arrow decoded by pyarrow, as a frame, and whether invalid UTF-8 was replaced in it.

    Parquet is decoded by pyarrow rather than polars: on damaged data pages polars' decoder can
    panic or abort the whole process (a fuzzed file asked it for 2^61 bytes), where pyarrow
    raises an error this module turns into a refusal. Names are checked first: a frame cannot
    hold two columns of one name. pyarrow does not check that text is UTF-8, and polars panics
    on reading such a value back ("PyObject pointer is null"): invalid bytes in a text column
    become U+FFFD, as a CSV reader makes them, and the caller quarantines those rows."""
    check_names(table.column_names, name)
    # Schema and field metadata (pandas', Arrow's own) are not data, and polars panics on a
    # damaged key (invalid UTF-8 in the metadata of a fuzzed file): read the columns only.
    clean = pa.schema([f.remove_metadata() for f in table.schema])
    columns, repaired = [], False
    for field, column in zip(clean, table.columns, strict=True):
        try:
            column.validate(full=True)
        except pa.ArrowInvalid as exc:
            text = pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
            if not text:
                raise InputError(
                    f"{name}: cannot read as parquet: column {field.name!r}: {exc}"
                ) from exc
            raw = column.cast(pa.large_binary()).to_pylist()  # a damaged file only: rare
            column = pa.chunked_array(
                [[None if b is None else b.decode("utf-8", "replace") for b in raw]],
                type=field.type,
            )
            repaired = True
        columns.append(column)
    frame = pl.from_arrow(pa.Table.from_arrays(columns, schema=clean))
    assert isinstance(frame, pl.DataFrame)
    return frame, repaired


def parquet_rows(path: str, offset: int, length: int) -> tuple[pl.DataFrame, bool]:
    """Rows ``offset`` to ``offset + length`` of a Parquet file, reading only the row groups
    that hold them (a partition of a large file), decoded by pyarrow (:func:`parquet_frame`)."""
    pf = pq.ParquetFile(path)
    groups, first, start = [], None, 0
    for g in range(pf.metadata.num_row_groups):
        rows = pf.metadata.row_group(g).num_rows
        if start + rows > offset and start < offset + length:
            groups.append(g)
            first = start if first is None else first
        start += rows
    table = pf.read_row_groups(groups) if groups else pf.schema_arrow.empty_table()
    check_chunks(pf.metadata, Path(path).stat().st_size, path, groups)
    skip = 0 if first is None else offset - first
    return parquet_frame(table.slice(skip, length), path)


def check_parquet(source: Path | io.BytesIO, name: str) -> int:
    """The file's row count from its footer (about 1 ms), read by pyarrow: a corrupt footer is
    an ``ArrowInvalid`` here, where polars would panic and print a Rust backtrace on stderr.

    Only file- and row-group-level fields are touched. A column chunk's metadata is decoded
    lazily, and pyarrow's Python accessor for it (``RowGroupMetaData.column``) does not turn a
    C++ exception into a Python one: a damaged size statistic there aborts the whole process
    (a fuzzed file did). The chunks are checked by :func:`check_chunks` once pyarrow's reader,
    which reports such damage as an error, has decoded them.
    """
    meta = pq.read_metadata(_rewound(source))
    _rewound(source)
    return int(meta.num_rows)


def check_chunks(
    meta: pq.FileMetaData, size: int, name: str, groups: list[int] | None = None
) -> None:
    """Every column chunk of ``groups`` (default: all) lies inside the file, the commonest
    damage to a footer that still parses. Call it only after those row groups were read."""
    for g in range(meta.num_row_groups) if groups is None else groups:
        group = meta.row_group(g)
        for c in range(group.num_columns):
            chunk = group.column(c)
            # An offset of 0 means "none" (an empty chunk's data page, an absent dictionary).
            starts = [o for o in (chunk.data_page_offset, chunk.dictionary_page_offset) if o]
            if starts and (min(starts) < 4 or min(starts) + chunk.total_compressed_size > size):
                raise InputError(
                    f"{name}: cannot read as parquet: column chunk {c} of row group {g} lies "
                    "outside the file (corrupt footer)"
                )


def arrow_input(source: Path | io.BytesIO) -> str | pa.BufferReader:
    """``source`` as pyarrow reads it without calling back into Python: a path it opens itself,
    or bytes copied into Arrow's own memory.

    pyarrow finishes a read on its own threads, and a task there can still hold what the read
    was given after ``read_csv`` / ``read_table`` has returned. Dropping a Python object there
    (a Python file object, a buffer, a row handler: that one was seen under gdb) takes the GIL;
    if the interpreter is finalising by then, Python ends the thread inside a C++ frame and the
    process aborts ("terminate called without an active exception", exit 134, after a right
    message). Given only native input, those tasks have no Python object to drop, so a normal
    interpreter exit is safe after a read here."""
    if isinstance(source, io.BytesIO):
        sink = pa.BufferOutputStream()
        sink.write(source.getbuffer())
        return pa.BufferReader(sink.getvalue())
    return str(source)


def _rewound(source: Path | io.BytesIO) -> Path | io.BytesIO:
    if isinstance(source, io.BytesIO):
        source.seek(0)
    return source


def _size(source: Path | io.BytesIO) -> int:
    return source.getbuffer().nbytes if isinstance(source, io.BytesIO) else source.stat().st_size


def _has_nul(source: Path | io.BytesIO, *forms: bytes) -> bool:
    """Whether a text file holds a NUL character (as a byte, or a JSON escape): one memchr
    over the file, so that the common file skips ingest's per-column NUL check."""
    if isinstance(source, io.BytesIO):
        data = source.getvalue()
        return any(data.find(f) >= 0 for f in forms)
    if source.stat().st_size == 0:
        return False
    with source.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view:
        return any(view.find(f) >= 0 for f in forms)


def nul_in(df: pl.DataFrame) -> bool:
    """Whether a typed table (Parquet) holds a NUL character in any text column."""
    texts = [
        pl.col(c).str.contains("\x00", literal=True).any()
        for c, t in df.schema.items()
        if t == pl.Utf8
    ]
    return bool(texts) and bool(df.select(pl.any_horizontal(texts)).item())


def _bytes(source: Path | io.BytesIO) -> bytes:
    return source.getvalue() if isinstance(source, io.BytesIO) else source.read_bytes()


def _read_jsonl(source: Path | io.BytesIO, name: str) -> pl.DataFrame:
    try:
        df = pl.read_ndjson(source, infer_schema_length=10_000)
        check_names(df.columns, name)
        return df
    except UNREADABLE:  # a bad line, mixed types, an empty file: line by line instead
        if isinstance(source, io.BytesIO):
            source.seek(0)
        return jsonl_rows(_bytes(source), name)[0]


def _read_csv(
    source: Path | io.BytesIO, typed_for: TypedFor | None, name: str = "-"
) -> tuple[pl.DataFrame, bool]:
    def rewind() -> None:
        if isinstance(source, io.BytesIO):
            source.seek(0)

    head = _peek(source)
    if not head.removeprefix(b"\xef\xbb\xbf").strip():
        raise InputError(f"{name}: empty file, no header row")
    # A file with CR-only line endings (classic Mac) is one line to a reader that waits for LF.
    eol = "\r" if b"\r" in head and b"\n" not in head else "\n"
    header = next(csv.reader(io.StringIO(head.decode("utf-8-sig", "replace"), newline="")), [])
    check_names(header, name)
    overrides: dict[str, pl.DataType] = {}
    if typed_for is not None:
        overrides = typed_for(header)
    lossy = False
    attempts: list[dict[str, pl.DataType] | None] = [overrides] if overrides else []
    for attempt in [*attempts, {}, None]:
        try:
            if attempt is None:  # not valid UTF-8: invalid bytes as U+FFFD, for ingest to flag
                lossy = True
                df = pl.read_csv(source, infer_schema=False, encoding="utf8-lossy", eol_char=eol)
            else:
                df = pl.read_csv(source, infer_schema=False, schema_overrides=attempt, eol_char=eol)
            rewind()
            if not _short_rows(df, source, lossy):
                return df, lossy
            break
        except pl.exceptions.ComputeError as exc:
            rewind()
            if attempt is None or (not attempt and "utf-8" not in str(exc).lower()):
                break  # a ragged or badly quoted row: row by row below
    rewind()
    return csv_rows(_bytes(source), name, eol)


def _peek(source: Path | io.BytesIO, size: int = 1 << 20) -> bytes:
    if isinstance(source, io.BytesIO):
        return source.getvalue()[:size]
    with source.open("rb") as f:
        return f.read(size)


def _short_rows(df: pl.DataFrame, source: Path | io.BytesIO, lossy: bool) -> bool:
    """Whether a row has a number of fields other than the header's: polars fills a short row
    with nulls.

    Such a row has a null in its last column, so only a file with one is checked again, by
    pyarrow's parser, which refuses the first row whose fields it cannot count to the header's
    (a file with invalid UTF-8 is read row by row anyway). Nothing of Python goes into that read
    (no row handler, no codec, native input: :func:`arrow_input`): pyarrow drops what a read
    held on its own threads, sometimes after ``read_csv`` has returned, and dropping a Python
    object there takes the GIL, which aborts the process if the interpreter is exiting.
    """
    if df.width < 2 or df.height == 0 or df[df.columns[-1]].null_count() == 0:
        return False
    if lossy:
        return True
    try:
        pacsv.read_csv(
            arrow_input(source),
            read_options=pacsv.ReadOptions(
                column_names=[f"c{i}" for i in range(df.width)],
                skip_rows=1,
                block_size=16 << 20,
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=["c0"], column_types={"c0": pa.binary()}, check_utf8=False
            ),
        )
    except pa.ArrowException:  # "Expected N columns, got M": a short (or long) row
        return True
    finally:
        if isinstance(source, io.BytesIO):
            source.seek(0)
    return False


_WRITERS = ("write_table", "TableSink", "for_people", "json_text")


def __getattr__(name: str) -> Any:
    """The writers live in :mod:`chipcustoms.lines.tablewrite`; older imports still resolve."""
    if name in _WRITERS:
        from chipcustoms.lines import tablewrite

        return getattr(tablewrite, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
