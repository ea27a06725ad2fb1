"""The resolver's output is frozen: every output column of every line of the synthetic dev and
hold-out sets, the real-world dev set and lines generated in the benchmark's styles, as the
resolver gave them before its speed work (issue 14). A speed change must not move one cell; a
change of meaning (vocabulary, catalog, rules) regenerates the file on purpose and the diff is
reviewed.

What is frozen and where it comes from (``tests/fixtures/resolver_golden.csv``, one row a line,
column ``source`` first, then the text columns, then the resolver's outputs):

- ``devset``, ``holdout``, ``realworld-dev``: the text columns of those files, in file order.
- ``bench``: generated, not written by hand. Each catalog name (a model's name or an alias)
  draws its own ``PER_NAME`` descriptions from the benchmark's generator, seeded by the name
  itself, so the lines of one name never move when other names come or go; sorted by text.
  (They once came from one random stream over the whole name list: each catalog round then
  re-drew nearly every bench line, and a regenerated file showed some 3,000 changed lines in
  which the few real changes of output were lost.)

``test_golden_inputs_are_current`` fails when the catalog's names or a labelled file changed
since the file was written. To update, see first what would change, then write:

    PYTHONPATH=src python tests/test_resolver_golden.py --diff     # what --write would change
    PYTHONPATH=src python tests/test_resolver_golden.py --write

Reading ``--diff`` (and then ``git diff`` of the file): lines *added* or *removed* are inputs
(bench lines of names added to or removed from the catalog, or a labelled file's edit); lines
whose text columns are unchanged but whose outputs moved are changes in recognition, each to
be explained in the commit message. A catalog round that adds two models should show their
bench lines added, and only the intended output changes beside them.

The held-out real-world set is never read here.
"""

from __future__ import annotations

import io
import sys
import zlib
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
PER_NAME = 2  # generated descriptions per catalog name


def _seed(text: str) -> int:
    """A seed that is a function of the text alone (Python's ``hash`` changes per process)."""
    return zlib.crc32(text.encode("utf-8"))


def catalog_names() -> list[str]:
    """Every model name and alias of the catalog in force."""
    return sorted({a for m in load_catalog().models for a in [m.model, *m.aliases]})


def bench_lines(names: list[str]) -> pl.DataFrame:
    """Generated lines in the benchmark's styles: each name's own draws, and for each text an
    HS code chosen by the text (varied, so the HS rules are exercised too)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_resolve import descriptions  # the benchmark's own generator

    texts = sorted({t for name in names for t in descriptions(PER_NAME, [name], _seed(name))})
    return pl.DataFrame(
        {
            "source": ["bench"] * len(texts),
            "description": texts,
            "hs_code": [HS[_seed(t) % len(HS)] for t in texts],
        }
    )


def inputs(names: list[str] | None = None) -> pl.DataFrame:
    """The lines to resolve: the labelled sets' text columns, then the generated lines."""
    frames = []
    for name, path in SOURCES.items():
        df = pl.read_csv(path, infer_schema=False)
        cols = [c for c in TEXT_FIELDS if c in df.columns]
        frames.append(df.select(pl.lit(name).alias("source"), *cols))
    frames.append(bench_lines(catalog_names() if names is None else names))
    lines = pl.concat(frames, how="diagonal")
    return as_text(
        lines.select(
            "source",
            *[pl.col(c) if c in lines.columns else pl.lit(None, pl.Utf8).alias(c)
              for c in TEXT_FIELDS],
        )
    )


def as_text(df: pl.DataFrame) -> pl.DataFrame:
    """Through CSV and back as strings: one serialisation for stored and fresh output."""
    return pl.read_csv(io.StringIO(df.write_csv()), infer_schema=False)


def resolved(lines: pl.DataFrame) -> pl.DataFrame:
    out = Resolver(load_catalog()).resolve(lines)
    return as_text(out.select("source", *TEXT_FIELDS, *OUTPUTS))


def _keyed(df: pl.DataFrame) -> pl.DataFrame:
    """A row's input as one key (nulls apart from empty text), for joins and set differences."""
    return df.with_columns(
        pl.concat_str(
            [pl.col(c).fill_null("\x00") for c in ("source", *TEXT_FIELDS)], separator="\x1f"
        ).alias("__key")
    )


def input_changes(golden: pl.DataFrame, fresh: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Inputs only in the golden file (``removed``) and only in ``fresh`` (``added``)."""
    g, f = _keyed(golden), _keyed(fresh)
    cols = ["source", "description"]
    return {
        "removed": g.join(f, on="__key", how="anti").select(cols),
        "added": f.join(g, on="__key", how="anti").select(cols),
    }


def output_changes(golden: pl.DataFrame, fresh: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Per output column, the lines present in both whose value moved (recognition changes)."""
    both = _keyed(golden).join(_keyed(fresh), on="__key", how="inner", suffix="_new")
    return {
        col: both.filter(pl.col(col).ne_missing(pl.col(f"{col}_new"))).select(
            "source", "description", pl.col(col).alias("was"), pl.col(f"{col}_new").alias("now")
        )
        for col in OUTPUTS
    }


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


def test_golden_inputs_are_current() -> None:
    """The frozen lines are the ones the sources give today: a labelled file edited or a
    catalog name added or removed since the last ``--write`` shows here, by name."""
    golden = pl.read_csv(GOLDEN, infer_schema=False).select("source", *TEXT_FIELDS)
    fresh = inputs()
    changed = input_changes(golden, fresh)
    assert all(d.is_empty() for d in changed.values()), (
        f"golden inputs are stale: {changed['added'].height} line(s) to add, first "
        f"{changed['added'].head(5).rows()}; {changed['removed'].height} to remove, first "
        f"{changed['removed'].head(5).rows()}. Run `PYTHONPATH=src python "
        f"tests/test_resolver_golden.py --diff`, then `--write` (see this module's docstring)."
    )
    assert golden.equals(fresh), "same lines, another order: rewrite with --write"


def test_a_new_catalog_name_adds_its_lines_and_moves_no_other() -> None:
    names = catalog_names()[:200]
    before = bench_lines(names)
    after = bench_lines([*names, "Quasar QX-9000 accelerator"])  # a name no catalog holds
    kept = after.join(before, on=["description", "hs_code"], how="semi")
    assert kept.height == before.height  # every earlier line, with its HS code
    new = after.join(before, on="description", how="anti")
    assert 1 <= new.height <= PER_NAME


def test_golden_covers_every_class_of_line() -> None:
    """The frozen set is a real check: it holds each labelled set and each kind of outcome."""
    golden = pl.read_csv(GOLDEN, infer_schema=False)
    assert set(golden["source"]) == {*SOURCES, "bench"}
    methods = set(golden["resolution_method"].drop_nulls())
    assert {"part_number", "alias", "system", "fuzzy", "accessory", "exclusion"} <= methods
    assert {"rejected", "generic"} <= methods
    assert golden.filter(pl.col("is_accelerator") == "true").height > 500


def _diff() -> None:
    """What ``--write`` would change, inputs and recognition apart."""
    golden = pl.read_csv(GOLDEN, infer_schema=False)
    fresh = resolved(inputs())
    for kind, rows in input_changes(golden, fresh).items():
        print(f"inputs {kind}: {rows.height}")
        for source, text in rows.head(20).iter_rows():
            print(f"  {source}: {text}")
    for col, rows in output_changes(golden, fresh).items():
        if rows.height:
            print(f"output {col}: {rows.height} line(s) of the same input changed")
            for source, text, was, now in rows.head(20).iter_rows():
                print(f"  {source}: {text!r}: {was!r} -> {now!r}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        resolved(inputs()).write_csv(GOLDEN)
        print(f"wrote {GOLDEN}")
    elif sys.argv[1:] == ["--diff"]:
        _diff()
    else:
        sys.exit(__doc__)
