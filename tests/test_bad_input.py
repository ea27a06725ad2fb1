"""Every input is screened or refused with a message naming the file: never a traceback, never
a silent loss. One case per way a file went wrong in the field; the fuzzer
(tests/test_fuzz_ingest.py) looks for the ways nobody listed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from chipcustoms.assess.pipeline import References
from chipcustoms.assess.selection import Budgets
from chipcustoms.errors import InputError
from chipcustoms.lines.ingest import IngestResult, read_and_ingest
from chipcustoms.lines.mapping import load_mapping
from chipcustoms.lines.partitions import plan, read_partition
from chipcustoms.lines.tableio import read_raw_checked, read_source
from chipcustoms.run.orchestrator import screen_file

HEADER = "declaration_id,item_no,date,flow,hs_code,quantity,value,currency"
GOOD = "D{},1,2025-03-01,import,847330,2,100,USD"
RECORD = {"declaration_id": "J1", "item_no": 1, "date": "2025-03-01", "value": 5, "currency": "USD"}


def _csv(*rows: str, eol: str = "\n") -> bytes:
    return eol.join([HEADER, *rows]).encode() + eol.encode()


def _jsonl(*lines: bytes) -> bytes:
    return b"\n".join(lines) + b"\n"


def _obj(**kw: object) -> bytes:
    return json.dumps({**RECORD, **kw}).encode()


def _parquet(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _ingest(tmp_path: Path, name: str, data: bytes) -> IngestResult:
    path = tmp_path / name
    path.write_bytes(data)
    result = read_and_ingest(path, load_mapping(None))
    assert result.read == result.accepted.height + result.quarantined
    return result


def _reasons(result: IngestResult) -> list[tuple[int, str]]:
    return list(zip(result.quarantine["row"], result.quarantine["reason"], strict=True))


# (file name, content, rows read, [(row, reason starts with)] quarantined)
SCREENED = [
    ("cr-only.csv", _csv(GOOD.format(1), GOOD.format(2), eol="\r"), 2, []),
    ("bom.csv", b"\xef\xbb\xbf" + _csv(GOOD.format(1)), 1, []),
    (
        "ragged.csv",
        _csv(GOOD.format(1), GOOD.format(2) + ",surplus", GOOD.format(3), "D4,1"),
        4,
        [(2, "row: ragged row: 9 fields"), (4, "row: ragged row: 2 fields")],
    ),
    (
        "blank-line.csv",
        _csv(GOOD.format(1), "", GOOD.format(3) + ",surplus", GOOD.format(4)),
        4,
        [(2, "declaration_id: missing required key"), (3, "row: ragged row")],
    ),
    ("short-only.csv", _csv(GOOD.format(1), "D2,1,2025-03-01"), 2, [(2, "row: ragged row")]),
    (
        "nul.csv",
        _csv(GOOD.format(1), GOOD.format("\x002")),
        2,
        [(2, "declaration_id: NUL character")],
    ),
    (
        "dates.csv",
        _csv(GOOD.format(1).replace("2025", "-001"), GOOD.format(2).replace("2025", "0000")),
        2,
        [(1, "date: date out of range (years 1 to 9999): -1"), (2, "date: date out of range")],
    ),
    (
        "numbers.csv",
        _csv(GOOD.format(1).replace(",100,", ",1e400,"), GOOD.format(2).replace(",2,", ",NaN,")),
        2,
        [(1, "value: value is not a finite number"), (2, "quantity: quantity is not a finite")],
    ),
    ("header-only.csv", _csv(), 0, []),
    (
        "lines.jsonl",
        _jsonl(
            _obj(), b"[1, 2]", b"{bad", b'{"declaration_id": "J\xff"}', _obj(declaration_id="J5")
        ),
        5,
        [
            (2, "row: not a JSON object: list"),
            (3, "row: invalid JSON"),
            (4, "row: broken encoding (invalid UTF-8 bytes)"),
        ],
    ),
    (
        "mixed.jsonl",
        _jsonl(_obj(), _obj(declaration_id=7, item_no="x"), _obj(declaration_id="J3", value=[1])),
        3,
        [(2, "item_no: item_no must be a positive integer"), (3, "value: value is not a number")],
    ),
    ("year.jsonl", _jsonl(_obj(date="-001-01-01")), 1, [(1, "date: date out of range")]),
    ("empty.jsonl", b"", 0, []),
    ("nul.jsonl", _jsonl(_obj(), _obj(declaration_id="J\x002")), 2, [(2, "declaration_id: NUL")]),
    (
        "nul.parquet",
        _parquet(pa.table({"declaration_id": ["P1", "P\x002"], "date": ["2025-01-01"] * 2})),
        2,
        [(2, "declaration_id: NUL character")],
    ),
    (
        "binary.parquet",
        _parquet(pa.table({"declaration_id": [b"P1", b"\xff"], "date": ["2025-01-01"] * 2})),
        2,
        [(2, "declaration_id: broken encoding")],
    ),
    (
        "year.parquet",
        _parquet(pa.table({"declaration_id": ["P1"], "date": pa.array([-800_000], pa.date32())})),
        1,
        [(1, "date: date out of range (years 1 to 9999): -221")],
    ),
    ("no-columns.parquet", _parquet(pa.table({})), 0, []),
]


@pytest.mark.parametrize(
    ("name", "data", "read", "quarantined"), SCREENED, ids=[s[0] for s in SCREENED]
)
def test_bad_rows_are_quarantined_one_by_one(
    tmp_path: Path, name: str, data: bytes, read: int, quarantined: list[tuple[int, str]]
) -> None:
    result = _ingest(tmp_path, name, data)
    assert result.read == read
    got = _reasons(result)
    assert [row for row, _ in got] == [row for row, _ in quarantined]
    for (_, reason), (_, start) in zip(got, quarantined, strict=True):
        assert reason.startswith(start), reason


def test_unreadable_row_keeps_its_text_and_the_rest_is_screened(tmp_path: Path) -> None:
    result = _ingest(tmp_path, "r.csv", _csv(GOOD.format(1), "D2,1,2025-03-01,x,y,z,1,2,3,4"))
    (row,) = result.quarantine.to_dicts()
    assert row["field"] == "row"
    assert json.loads(row["raw"]) == {"line": "D2,1,2025-03-01,x,y,z,1,2,3,4"}
    assert result.accepted["declaration_id"].to_list() == ["D1"]


def test_nested_values_become_json_text(tmp_path: Path) -> None:
    result = _ingest(tmp_path, "n.jsonl", _jsonl(_obj(description={"a": 1}, tags=[1, 2])))
    (line,) = result.accepted.to_dicts()
    assert line["description"] == '{"a":1}'
    assert json.loads(line["extra"]) == {"tags": "[1,2]"}


REFUSED = [
    ("empty.csv", b"", "empty file"),
    ("reserved.csv", _csv().replace(b"currency", b"__row"), "column name '__row' is reserved"),
    ("dup.csv", b"a,a,declaration_id\n1,2,D1\n", "duplicate column name 'a'"),
    (
        "dup.parquet",
        _parquet(pa.Table.from_arrays([pa.array(["a"]), pa.array(["b"])], names=["x", "x"])),
        "cannot read as parquet",
    ),
    ("truncated.parquet", _parquet(pa.table({"a": [1]}))[:-10], "cannot read as parquet"),
    ("reserved.jsonl", _jsonl(_obj(__first=1)), "column name '__first' is reserved"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_unreadable_files_are_refused_naming_the_file(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(InputError, match=name) as err:
        _ingest(tmp_path, name, data)
    assert message in str(err.value)


def test_corrupt_parquet_bytes_never_reach_the_user_as_a_panic(tmp_path: Path) -> None:
    good = _parquet(pa.table({"declaration_id": ["P1"] * 50, "value": [1.0] * 50}))
    for at in range(0, len(good), max(1, len(good) // 40)):
        bad = good[:at] + bytes(b ^ 0x5A for b in good[at : at + 8]) + good[at + 8 :]
        try:
            _ingest(tmp_path, "c.parquet", bad)
        except InputError as exc:
            assert "c.parquet" in str(exc)
            assert not isinstance(exc.__cause__, pl.exceptions.PanicException)


def test_a_footer_pointing_outside_the_file_is_refused_before_polars_reads_it(
    tmp_path: Path,
) -> None:
    good = _parquet(pa.table({"declaration_id": ["P1"] * 50, "value": [1.0] * 50}))
    meta = pq.read_metadata(io.BytesIO(good))
    size = meta.row_group(0).column(0).total_compressed_size
    # The footer (Thrift) holds the chunk's size as a zigzag varint: make it point past the end.
    old, new = _varint(size), _varint(size + len(good))
    footer_at = len(good) - 8 - int.from_bytes(good[-8:-4], "little")
    at = good.index(old, footer_at)
    bad = good[:at] + new + good[at + len(old) :]
    bad = (
        bad[:-8]
        + (int.from_bytes(good[-8:-4], "little") + len(new) - len(old)).to_bytes(4, "little")
        + b"PAR1"
    )
    # pyarrow's reader refuses it first ("Invalid column metadata"); the chunk check backs it up.
    with pytest.raises(
        InputError, match=r"f\.parquet: cannot read as parquet: .*(outside|corrupt)"
    ):
        _ingest(tmp_path, "f.parquet", bad)


def _varint(n: int) -> bytes:
    z, out = n << 1, bytearray()
    while True:
        out.append((z & 0x7F) | (0x80 if z > 0x7F else 0))
        z >>= 7
        if not z:
            return bytes(out)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("s.csv", _csv(*[GOOD.format(k) for k in range(1, 8)], "D8,1", GOOD.format(9) + ",x")),
        ("s.jsonl", _jsonl(*[_obj(declaration_id=f"J{k}") for k in range(8)], b"[]", b"{x")),
        ("cr.csv", _csv(GOOD.format(1), "D8,1", GOOD.format(9) + ",x", eol="\r")),
    ],
)
def test_streamed_batches_quarantine_the_rows_the_whole_file_does(
    tmp_path: Path, refs: References, name: str, data: bytes
) -> None:
    src = tmp_path / name
    src.write_bytes(data)
    runs = []
    for label, batch in (("mem", None), ("streamed", 3)):
        result = screen_file(
            str(src), str(tmp_path / f"{label}.csv"), refs=refs, budgets=Budgets(), batch_rows=batch
        )
        assert result.streamed == (batch is not None and not name.startswith("cr"))
        assert result.quarantine_path is not None
        runs.append((result.counts, pl.read_csv(result.quarantine_path).select("row", "reason")))
    (mem_counts, mem_q), (st_counts, st_q) = runs
    assert st_counts == mem_counts and mem_counts.quarantined == 2
    assert st_q.equals(mem_q)


def test_a_cr_only_csv_is_one_partition_read_as_the_whole_file(tmp_path: Path) -> None:
    src = tmp_path / "cr.csv"
    src.write_bytes(_csv(*[GOOD.format(k) for k in range(50)], eol="\r"))
    (part,) = plan(str(src), 10)  # no LF to cut at: one partition, never a silent zero
    streamed, _ = read_partition(part)
    whole, _ = read_raw_checked(src)
    assert streamed.height == whole.height == 50 and streamed.equals(whole)


def test_damaged_parquet_metadata_is_not_data(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A metadata key that is not UTF-8 (a fuzzed file) once made polars panic on import from
    Arrow; the columns are read and the metadata, which is not data, is left behind."""
    table = pa.table({"declaration_id": ["A1", "A2"], "date": ["2025-01-02", "2025-01-03"]})
    path = tmp_path / "meta.parquet"
    pq.write_table(table.replace_schema_metadata({b"\xefRROW:schema": b"x"}), path)
    df, _ = read_raw_checked(str(path))
    assert df["declaration_id"].to_list() == ["A1", "A2"]
    for part in plan(str(path), 1):
        assert read_partition(part)[0].height >= 1
    assert "panicked" not in capfd.readouterr().err


# A null in the last column is how polars shows a short row, and how a file shows an empty last
# field; pyarrow's parser tells them apart, for a file and for bytes (a partition, stdin) alike.
FIELD_COUNTS = [
    ("empty-last-field", _csv(GOOD.format(1), GOOD.format(2).removesuffix("USD")), []),
    ("short-row", _csv(GOOD.format(1), "D2,1,2025-03-01"), [2]),
    ("quoted-newline", _csv(GOOD.format(1), 'D2,1,2025-03-01,"im\nport",847330,2,100,'), []),
]


@pytest.mark.parametrize(("name", "data", "marked"), FIELD_COUNTS, ids=[f[0] for f in FIELD_COUNTS])
def test_short_rows_are_told_from_empty_last_fields(
    name: str, data: bytes, marked: list[int], tmp_path: Path
) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(data)
    for source in (path, io.BytesIO(data)):
        df, _ = read_source(source, "csv", name)
        assert df.height == 2
        flags = df["__unreadable"] if "__unreadable" in df.columns else pl.Series([None, None])
        assert [i + 1 for i, f in enumerate(flags) if f is not None] == marked
