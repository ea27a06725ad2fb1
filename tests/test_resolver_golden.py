"""The resolver's output is frozen: every output column of every line of the synthetic dev and
hold-out sets, the real-world dev set and a sample of the benchmark's generated descriptions,
as the resolver gave them before its speed work (issue 14). A speed change must not move one
cell; a change of meaning (vocabulary, catalog, rules) regenerates the file on purpose and the
diff is reviewed:

    PYTHONPATH=src python tests/test_resolver_golden.py --write

The held-out real-world set is never read here.
"""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import polars as pl

from chipcustoms.recognise.catalog import load_catalog
from chipcustoms.recognise.resolver import RESOLVED_SCHEMA, TEXT_FIELDS, Resolver

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "fixtures" / "resolver_golden.csv"
SOURCES = {
    "devset": ROOT / "tests" / "fixtures" / "resolver_devset.csv",
    "holdout": ROOT / "tests" / "fixtures" / "resolver_holdout.csv",
    "realworld-dev": ROOT / "benchmarks" / "data" / "realworld" / "dev.csv",
}
OUTPUTS = [*RESOLVED_SCHEMA, "accelerator_vendor", "accelerator_model"]
# HS codes for the generated lines: computer parts, none, a pump, ICs, vehicle parts, a server.
HS = ["847330", "", "841370", "854231", "870899", "847150"]


def inputs(synthetic: int = 2000) -> pl.DataFrame:
    """The lines to resolve: the labelled sets' text columns, then generated lines in the
    benchmark's styles (with varied HS codes, so the HS rules are exercised too)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_resolve import descriptions  # the benchmark's own generator

    frames = []
    for name, path in SOURCES.items():
        df = pl.read_csv(path, infer_schema=False)
        cols = [c for c in TEXT_FIELDS if c in df.columns]
        frames.append(df.select(pl.lit(name).alias("source"), *cols))
    catalog = load_catalog()
    names = sorted({a for m in catalog.models for a in [m.model, *m.aliases]})
    rng = random.Random(14)
    texts = descriptions(synthetic, names, seed=14)
    frames.append(
        pl.DataFrame(
            {
                "source": ["bench"] * len(texts),
                "description": texts,
                "hs_code": [rng.choice(HS) for _ in texts],
            }
        )
    )
    lines = pl.concat(frames, how="diagonal")
    return lines.select(
        "source",
        *[pl.col(c) if c in lines.columns else pl.lit(None, pl.Utf8).alias(c) for c in TEXT_FIELDS],
    )


def as_text(df: pl.DataFrame) -> pl.DataFrame:
    """Through CSV and back as strings: one serialisation for stored and fresh output."""
    return pl.read_csv(io.StringIO(df.write_csv()), infer_schema=False)


def resolved(lines: pl.DataFrame) -> pl.DataFrame:
    out = Resolver(load_catalog()).resolve(lines)
    return as_text(out.select("source", *TEXT_FIELDS, *OUTPUTS))


def test_every_output_column_unchanged() -> None:
    golden = pl.read_csv(GOLDEN, infer_schema=False)
    lines = golden.select("source", *TEXT_FIELDS)
    fresh = resolved(lines)
    assert fresh.columns == golden.columns
    for col in OUTPUTS:
        differs = fresh.with_row_index("row").filter(pl.col(col).ne_missing(golden[col]))
        assert differs.is_empty(), (
            f"{col}: {differs.height} line(s) differ, first: "
            f"{differs.select('row', 'source', 'description', col).head(5).to_dicts()} "
            f"expected {golden[col].gather(differs['row'].head(5)).to_list()}"
        )


def test_golden_covers_every_class_of_line() -> None:
    """The frozen set is a real check: it holds each labelled set and each kind of outcome."""
    golden = pl.read_csv(GOLDEN, infer_schema=False)
    assert set(golden["source"]) == {*SOURCES, "bench"}
    methods = set(golden["resolution_method"].drop_nulls())
    assert {"part_number", "alias", "system", "fuzzy", "accessory", "exclusion"} <= methods
    assert {"rejected", "generic"} <= methods
    assert golden.filter(pl.col("is_accelerator") == "true").height > 500


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    resolved(inputs()).write_csv(GOLDEN)
    print(f"wrote {GOLDEN}")
