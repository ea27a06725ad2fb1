"""The row ingest (lines/row_ingest.py) against the batch ingest: where it accepts a line, the
batch accepts it with the same canonical values; where the batch refuses, it hands over."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

import polars as pl
import pytest

from chipcustoms.lines.ingest import ROW, ingest
from chipcustoms.lines.mapping import load_mapping
from chipcustoms.lines.row_ingest import ingest_rows
from chipcustoms.lines.schema import CANONICAL
from chipcustoms.synthetic.generator import generate

# Spellings that a client may send, good and bad, per kind of field.
EDGE: dict[str, list[str | None]] = {
    "date": [
        "2025-03-04",
        "2025-3-4",
        "2025/03/04",
        "04.03.2025",
        "2025-02-30",
        "0001-01-01",
        "9999-12-31",
        "0000-01-01",
        " 2025-03-04 ",
        "2025-03-04T00:00",
        "",
        None,
        "tomorrow",
    ],
    "item_no": [
        "1",
        "2",
        "007",
        "0",
        "-1",
        "1.0",
        "1.5",
        "1e2",
        " 3",
        "9007199254740993",
        "",
        None,
        "x",
    ],
    "number": [
        "8",
        "8.0",
        "0",
        "0.1",
        "24000",
        "1e5",
        "-3",
        "+3",
        " 5",
        "5 ",
        "inf",
        "NaN",
        "1,000",
        "",
        None,
        "00012.50",
        "9" * 320,
    ],
    "flow": ["import", "Import", "EXPORT", "transit", "re-export", "", None, " import ", "İmport"],
    "mode": ["sea", "Sea", "vessel", "truck", "air", "pipeline", "", None, "ſea"],
    "country": [
        "CN",
        "cn",
        "CHN",
        "156",
        "China",
        "Germany",
        "ZZ",
        "XX",
        "UK",
        "EL",
        "Q1",
        "",
        None,
        " us ",
        "Côte d'Ivoire",
        "ＣＮ",
    ],
    "currency": ["USD", "usd", "EUR", "CNY", "XYZ", "", None, "ｕsd"],
    "hs": [
        "847330",
        "8473.30",
        "8473 30 00",
        "84733000",
        "47330",
        "12345",
        "12345678901",
        "8473-30",
        "",
        None,
        "８４７３３０",
    ],
    "text": [
        "NVIDIA H20 96GB",
        "  padded  ",
        "",
        None,
        "显卡 GPU",
        "tab\tinside",
        "\u00a0nbsp",
        "line\u2028sep",
        "nul\x00",
        "bad\ufffd",
    ],
    "id": ["DEC1", " DEC2 ", "", None, "\u3000DEC3", "DEC\x1f4"],
}
KIND = {
    "declaration_id": "id",
    "item_no": "item_no",
    "date": "date",
    "flow": "flow",
    "transport_mode": "mode",
    "origin_country": "country",
    "shipped_from_country": "country",
    "destination_country": "country",
    "currency": "currency",
    "hs_code": "hs",
    "quantity": "number",
    "gross_weight_kg": "number",
    "net_weight_kg": "number",
    "value": "number",
}


def _as_text(row: dict[str, Any]) -> dict[str, str | None]:
    """A generated line as the API builds it: every canonical field, as text."""
    return {k: None if row.get(k) is None else str(row[k]) for k in CANONICAL}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b) and type(a) is type(b)


def _compare(records: list[dict[str, str | None]]) -> tuple[int, int]:
    """Check every record; return (fast-accepted, batch-accepted) counts."""
    frame = pl.DataFrame(records, schema=dict.fromkeys(records[0], pl.Utf8))
    batch = ingest(
        frame,
        load_mapping(None),
        file="request",
        check_encoding=False,
        check_duplicates=False,
        keep_row=True,
    )
    by_row = {r[ROW]: r for r in batch.accepted.to_dicts()}
    fast_n = 0
    for i, rec in enumerate(records, start=1):
        fast = ingest_rows([rec])
        if fast is None:
            continue
        fast_n += 1
        assert i in by_row, f"row ingest accepted what the batch refuses: {rec!r}"
        want = {k: v for k, v in by_row[i].items() if k != ROW}
        got = fast.row(0, named=True)
        assert list(got) == list(want)
        bad = {k: (got[k], want[k]) for k in want if not _same(got[k], want[k])}
        assert not bad, f"{rec!r}: {bad}"
        assert fast.schema == batch.accepted.drop(ROW).schema
    return fast_n, len(by_row)


def test_generated_lines_are_accepted_as_the_batch_accepts_them() -> None:
    lines = generate(3000, seed=11).select(list(CANONICAL)).to_dicts()
    fast_n, batch_n = _compare([_as_text(r) for r in lines])
    assert batch_n == 3000
    assert fast_n >= 0.95 * batch_n  # the row path is for the common line, not a rare one


@pytest.mark.parametrize("seed", range(4))
def test_edge_spellings_never_differ_from_the_batch(seed: int) -> None:
    rng = random.Random(seed)
    base = _as_text(generate(1, seed=seed).select(list(CANONICAL)).to_dicts()[0])
    records = []
    for k in range(1500):
        rec = dict(base, declaration_id=f"E{seed}-{k}")
        for field in rng.sample(sorted(CANONICAL), rng.randint(1, 4)):
            rec[field] = rng.choice(EDGE[KIND.get(field, "text")])
        records.append(rec)
    fast_n, batch_n = _compare(records)
    assert 0 < fast_n <= batch_n < len(records)  # both paths were exercised


def test_duplicate_keys_and_extra_columns_go_to_the_batch() -> None:
    rec = _as_text(generate(1, seed=3).select(list(CANONICAL)).to_dicts()[0])
    assert ingest_rows([rec]) is not None
    assert ingest_rows([rec, dict(rec)]) is None
    assert ingest_rows([dict(rec, customs_regime="40")]) is None
    one = ingest_rows([rec])
    assert one is not None and one["date"].dtype == pl.Date
    assert one["date"][0] == dt.date.fromisoformat(str(rec["date"]))
