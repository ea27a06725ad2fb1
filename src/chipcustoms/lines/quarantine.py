"""The quarantine side of ingest: checks applied chunk by chunk, the quarantine entries (file,
row, every error, the raw values), and the duplicate-key check whose first line wins.

A streamed run finds duplicate keys over the whole input instead (run/context.py) and words
its entries with the same :func:`duplicate_reason`.
"""

from __future__ import annotations

import polars as pl

from chipcustoms.lines.salvage import RAW_LINE, READ_ERROR

ROW = "__row"
QUARANTINE_SCHEMA = pl.Schema(
    {
        "file": pl.Utf8,
        "row": pl.Int64,
        "declaration_id": pl.Utf8,
        "item_no": pl.Utf8,
        "field": pl.Utf8,
        "reason": pl.Utf8,
        "errors": pl.Utf8,
        "raw": pl.Utf8,
    }
)

Check = tuple[str, pl.Expr, pl.Expr]  # field, condition, reason
# How every duplicate-key reason begins: a caller that treats a repeated key differently from
# a line that cannot be read (the API accepts the request and reports it) tells them apart by it.
DUPLICATE_KEY = "duplicate key (declaration_id, item_no)"


def error(field: str, cond: pl.Expr, reason: pl.Expr | str) -> Check:
    """A check: a cheap boolean for every row; its reason text is built only where it fails."""
    return field, cond, pl.lit(reason) if isinstance(reason, str) else reason


def duplicate_reason(first_row: pl.Expr, of_file: pl.Expr | None = None) -> pl.Expr:
    """Why a line whose key (declaration_id, item_no) an earlier line had is quarantined."""
    words = [pl.lit(f"{DUPLICATE_KEY}, first seen in row ")]
    words.append(first_row.cast(pl.Utf8))
    return pl.concat_str([*words, of_file] if of_file is not None else words)


def duplicate_keys(
    raw: pl.DataFrame, out: dict[str, pl.Expr], check_duplicates: bool
) -> tuple[pl.DataFrame, Check]:
    """``raw`` with ``__first`` (the row of the key's first line, on later lines only), and
    the check that quarantines those lines. Found over the whole file first, so that the
    rest can run in bounded chunks; ``check_duplicates=False`` finds none."""
    key_exprs = [out["declaration_id"].alias("__k1"), out["item_no"].alias("__k2")]
    # The lines whose key occurs more than once (usually none) first, one hash pass over the
    # file; the first of each key is then found among those few, in file order.
    shared = (
        raw.select(pl.col(ROW), *key_exprs)
        .filter(pl.col("__k1").is_not_null() & pl.struct("__k1", "__k2").is_duplicated())
        .with_columns((~pl.struct("__k1", "__k2").is_first_distinct()).alias("__is_dup"))
    )
    dups = shared.filter(pl.col("__is_dup") & check_duplicates)
    firsts = (
        shared.join(dups.select("__k1", "__k2").unique(), on=["__k1", "__k2"])
        .group_by("__k1", "__k2")
        .agg(pl.col(ROW).min().alias("__first"))
    )
    dups = dups.join(firsts, on=["__k1", "__k2"]).select(ROW, "__first")
    if dups.height:
        raw = raw.join(dups, on=ROW, how="left", maintain_order="left")
    else:
        raw = raw.with_columns(pl.lit(None, dtype=pl.Int64).alias("__first"))
    check = ("declaration_id", pl.col("__first").is_not_null(), duplicate_reason(pl.col("__first")))
    return raw, check


def apply_checks(
    chunk: pl.DataFrame,
    out: dict[str, pl.Expr],
    checks: list[Check],
    unknown_markers: list[pl.Expr],
    schema: dict[str, pl.DataType],
    raw_cols: list[str],
    file: str,
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Run every check and conversion on one chunk: (accepted, quarantine, unknown markers)."""
    staged = chunk.with_columns(
        *[cond.fill_null(False).alias(f"__e{i}") for i, (_, cond, _) in enumerate(checks)],
        pl.sum_horizontal(unknown_markers).alias("__unknown"),
        *[expr.cast(schema[name], strict=False).alias(f"__c_{name}") for name, expr in out.items()],
        *([pl.col(ROW).alias(f"__c_{ROW}")] if ROW in schema else []),
    )
    is_bad = pl.any_horizontal([f"__e{i}" for i in range(len(checks))])
    good = staged.filter(~is_bad)
    accepted = good.select([pl.col(f"__c_{name}").alias(name) for name in schema])
    unknown = int(good["__unknown"].sum() or 0)
    entries = [
        pl.when(pl.col(f"__e{i}")).then(
            pl.struct(pl.lit(field).alias("field"), reason.alias("reason"))
        )
        for i, (field, _, reason) in enumerate(checks)
    ]
    errors = pl.concat_list(entries).list.drop_nulls()
    if READ_ERROR in chunk.columns:  # an unreadable row: the reader's reason alone
        unread = pl.col(READ_ERROR).is_not_null()
        errors = pl.when(unread).then(errors.list.head(1)).otherwise(errors)
    rejected = staged.filter(is_bad).with_columns(errors.alias("__errors"))
    quarantine = rejected.select(
        pl.lit(file).alias("file"),
        pl.col(ROW).alias("row"),
        pl.col("__c_declaration_id").alias("declaration_id"),
        pl.col("__c_item_no").cast(pl.Utf8).alias("item_no"),
        pl.col("__errors").list.first().struct.field("field").alias("field"),
        pl.col("__errors")
        .list.eval(
            pl.concat_str(
                pl.element().struct.field("field"),
                pl.lit(": "),
                pl.element().struct.field("reason"),
            )
        )
        .list.join("; ")
        .alias("reason"),
        pl.struct(pl.col("__errors").alias("e")).struct.json_encode().alias("errors"),
        _raw_json(chunk, raw_cols).alias("raw"),
    )
    return accepted, quarantine, unknown


def _raw_json(chunk: pl.DataFrame, raw_cols: list[str]) -> pl.Expr:
    """The row's values as JSON; an unreadable row's text as the reader saw it."""
    values = (
        pl.struct([pl.col(c) for c in raw_cols]).struct.json_encode() if raw_cols else pl.lit("{}")
    )
    if RAW_LINE not in chunk.columns:
        return values
    line = pl.struct(pl.col(RAW_LINE).alias("line")).struct.json_encode()
    return pl.when(pl.col(RAW_LINE).is_not_null()).then(line).otherwise(values)
