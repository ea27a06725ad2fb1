"""Recognition commands: `resolve` (descriptions) and `verify` (inspection captures)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from chipcustoms.cli.common import (
    Db,
    app,
    db_path,
    err,
    out,
)
from chipcustoms.errors import ChipCustomsError


@app.command()
def resolve(
    input: str = typer.Argument(
        ...,
        metavar="INPUT",
        help="CSV/JSONL/Parquet with a description column (optional hs_code, part_number, "
        "brand, model); - for CSV on stdin.",
    ),
    output: str = typer.Option(
        "-", "--output", "-o", help="Rows plus the resolution; format by extension, - for CSV."
    ),
    evaluate: bool = typer.Option(
        False,
        "--evaluate",
        help="INPUT is a labelled set (expected_id, is_accelerator[, units]): print precision, "
        "recall, model accuracy and the calibration table instead.",
    ),
    errors: bool = typer.Option(False, "--errors", help="With --evaluate, list the misses."),
) -> None:
    """Recognise accelerators in goods descriptions (the resolver the pipeline uses)."""
    from chipcustoms.recognise.workflows import evaluate_file, resolve_file

    if input != "-" and not Path(input).exists():
        raise ChipCustomsError(f"{input}: file not found")
    if evaluate:
        result = evaluate_file(input)
        out.print("\n".join(result.lines()), highlight=False)
        if errors:
            for r in result.errors.iter_rows(named=True):
                out.print(
                    f"  {r['description']!r}: expected {r['expected_id']}, got "
                    f"{r['accelerator_id']} ({r['resolution_reason']})",
                    highlight=False,
                )
        return
    df = resolve_file(input, output)
    err.print(
        f"{df.height} lines: {int(df['is_accelerator'].sum())} accelerators, "
        f"{df['accelerator_id'].str.ends_with('-unknown').sum()} generic",
        highlight=False,
    )


@app.command()
def verify(
    report: str = typer.Argument(
        ...,
        metavar="REPORT",
        help="Text captured from the card: lspci -nn / -vmmnn, nvidia-smi (-q, -q -x, -L, "
        "--query-gpu), rocm-smi, npu-smi, or a list of PCI ids; - for stdin.",
    ),
    declaration: str | None = typer.Option(
        None, "--declaration", "-d", help="Declaration id: compare and record as its outcome."
    ),
    item: int = typer.Option(1, "--item", "-i", help="Goods item number."),
    declared: str | None = typer.Option(
        None, "--declared", help="Without a store: the declared description to compare with."
    ),
    units: float | None = typer.Option(
        None, "--units", help="Without a store: the declared quantity."
    ),
    notes: str | None = typer.Option(None, "--notes", help="Inspector's notes to record."),
    db: Db = None,
) -> None:
    """Identify the accelerators in an inspection capture and check them against the line."""
    from chipcustoms.recognise.captures import read_capture
    from chipcustoms.recognise.workflows import verify_and_record, verify_text

    text = sys.stdin.read() if report == "-" else read_capture(report)
    if declaration is not None:
        path = db_path(db)
        if not Path(path).exists() and "://" not in path:
            raise ChipCustomsError(f"{path}: no store here; screen with --db {path} first")
        result = verify_and_record(text, path, declaration, item, notes)
    else:
        result = verify_text(text, declared=declared, units=units)
    out.print_json(json.dumps(result, default=str))
    err.print(
        f"{result['status']}: found {result['found_units']} x "
        f"{','.join(result['found_accelerator_ids']) or '?'}"
        + (
            f", declared {_count(result['declared_units'])} x {result['declared_accelerator_id']}"
            if result["declared_accelerator_id"]
            else ""
        ),
        highlight=False,
    )


def _count(units: object) -> str:
    """A declared count as an officer writes it: "8", not the store's float "8.0"."""
    if isinstance(units, float) and units.is_integer():
        return str(int(units))
    return str(units)
