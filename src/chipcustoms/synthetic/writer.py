"""Writing generated declarations to a file in bounded batches (CSV / JSONL / Parquet)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from chipcustoms.lines.tableio import format_of
from chipcustoms.synthetic.generator import generate_batches


def write_generated(rows: int, seed: int, output: str, *, batch_rows: int = 500_000) -> int:
    """Stream ``rows`` generated lines to ``output``; returns the number written."""
    fmt = format_of(output)
    if output == "-":
        raise ValueError("generate needs a file name (its format comes from the extension)")
    path = Path(output)
    written = 0
    writer: pq.ParquetWriter | None = None
    with path.open("wb") as fh:
        for i, batch in enumerate(generate_batches(rows, seed=seed, batch_rows=batch_rows)):
            if fmt == "csv":
                batch.write_csv(fh, include_header=i == 0)
            elif fmt == "jsonl":
                batch.write_ndjson(fh)
            else:
                table = batch.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(fh, table.schema)
                writer.write_table(table)
            written += batch.height
        if writer is not None:
            writer.close()
    return written
