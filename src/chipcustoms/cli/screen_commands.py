"""The screening commands: `screen`, `demo`, `generate`."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import typer

from chipcustoms.assess.budgets import Budgets
from chipcustoms.cli import exits
from chipcustoms.cli.common import (
    KEEP,
    Db,
    app,
    db_path,
    err,
    progress,
)
from chipcustoms.errors import ChipCustomsError


@app.command()
def screen(
    input: str = typer.Argument(
        ...,
        metavar="INPUT",
        help="Declarations file (.csv, .jsonl, .parquet), a folder of such partitions (one "
        "format), or - for CSV on stdin.",
    ),
    output: str = typer.Option(
        "-",
        "--output",
        "-o",
        help="Assessments file; format by extension, - for CSV on stdout. A path without a "
        "table extension is a folder: one Parquet file per batch.",
    ),
    mapping: str | None = typer.Option(
        None,
        "--mapping",
        "-m",
        help="Bundled mapping name (see "
        "`chipcustoms mappings`) or a YAML file; default: canonical "
        "columns.",
    ),
    policy: list[str] | None = typer.Option(
        None,
        "--policy",
        "-p",
        help="Policy pack id or YAML file; repeat for several. Default: every bundled pack.",
    ),
    profile: str | None = typer.Option(
        None,
        "--profile",
        help="Who screens: a jurisdiction profile (`chipcustoms profiles`) or a YAML file; "
        "each pack applies only where its law governs the line's flow. Default: the `profile` "
        "setting, else all.",
    ),
    red: float = typer.Option(Budgets.red, help="Share of each selection unit sent to red."),
    yellow: float = typer.Option(Budgets.yellow, help="Share sent to yellow (documentary check)."),
    blue: float = typer.Option(Budgets.blue, help="Share sent to blue (post-clearance audit)."),
    random_share: float = typer.Option(
        Budgets.random_share,
        "--random-share",
        help="Share of the red budget drawn at random for exploration.",
    ),
    per: str | None = typer.Option(
        None,
        "--per",
        help="Columns that make a selection unit, e.g. office,date. Default: the whole batch.",
    ),
    seed: int = typer.Option(Budgets.seed, help="Seed for tie-breaks and random exploration."),
    mode: str = typer.Option(
        "budget",
        "--mode",
        help="budget: fill the channel budgets of this batch; threshold: use the score "
        "cut-offs of the latest budget-mode run in --db (single lines, streams).",
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help="Also record the run, lines, assessments and "
        "cases in this store: a SQLite file or a postgresql:// URL (default: $CHIPCUSTOMS_DB "
        "if set, else no store).",
    ),
    quarantine: str | None = typer.Option(
        None,
        "--quarantine",
        help="Where rejected rows go (default: beside the output, NAME.quarantine.csv).",
    ),
    summary: str | None = typer.Option(
        None, "--summary", help="Also write the human summary (Markdown) to this file."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or summary on stderr."),
    engine: str = typer.Option(
        "local",
        "--engine",
        help="local: this process, one bounded batch at a time; dask: a Dask cluster.",
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Address of an existing Dask scheduler (tcp://HOST:PORT)."
    ),
    workers: int | None = typer.Option(
        None, "--workers",
        help="With --engine dask and no --scheduler: a local cluster of N worker processes "
        "(default: one per core).",
    ),
    batch_rows: int | None = typer.Option(
        None,
        "--batch-rows",
        help="Lines per batch of a streamed run. Default: inputs up to about 1,250,000 lines "
        "are assessed in memory as one batch (fastest, about 1.6 GiB per million lines), larger "
        "ones stream in batches of 250,000 (under 1 GiB at any size).",
    ),
    work_dir: str | None = typer.Option(
        None,
        "--work-dir",
        help="Folder for the spilled batches of a streamed run (default: the system temp; "
        "on a cluster, a path every worker sees).",
    ),
    lang: str | None = typer.Option(
        None, "--lang", help="Language of the summary: en or zh-CN (default: the lang setting)."
    ),
) -> None:
    """Screen declaration lines and write one assessment per line."""
    run_screen(
        ScreenRequest(
            input,
            output,
            mapping,
            policy or [],
            red,
            yellow,
            blue,
            random_share,
            per,
            seed,
            mode,
            db,
            quarantine,
            summary,
            quiet,
            engine,
            scheduler,
            workers,
            batch_rows,
            work_dir,
            profile,
            lang,
        )
    )


@dataclass
class ScreenRequest:
    """One `screen` invocation; the defaults are the command's (the demo overrides a few)."""

    input: str
    output: str = "-"
    mapping: str | None = None
    policy: list[str] = field(default_factory=list)
    red: float = Budgets.red
    yellow: float = Budgets.yellow
    blue: float = Budgets.blue
    random_share: float = Budgets.random_share
    per: str | None = None
    seed: int = Budgets.seed
    mode: str = "budget"
    db: str | None = None
    quarantine: str | None = None
    summary: str | None = None
    quiet: bool = False
    engine: str = "local"
    scheduler: str | None = None
    workers: int | None = None
    batch_rows: int | None = None
    work_dir: str | None = None
    profile: str | None = None
    lang: str | None = None  # of the summary; None: the `lang` setting


def run_screen(r: ScreenRequest) -> None:
    """Check the options, run the screen, print or write the summary."""
    from chipcustoms import settings
    from chipcustoms.lines.tableio import format_of
    from chipcustoms.run.engine import in_process, make_engine
    from chipcustoms.run.opening import open_input
    from chipcustoms.run.summary_text import LANGS

    try:
        budgets = Budgets(
            red=r.red,
            yellow=r.yellow,
            blue=r.blue,
            random_share=r.random_share,
            per=tuple(c.strip() for c in r.per.split(",")) if r.per else (),
            seed=r.seed,
        )
    except ValueError as exc:
        raise ChipCustomsError(str(exc)) from exc
    known = {"office", "date", "flow", "destination_country", "importer_id", "hs6"}
    bad = [c for c in budgets.per if c not in known]
    if bad:
        raise ChipCustomsError(f"--per: unknown column(s) {bad}; use some of {sorted(known)}")
    if r.mode not in ("budget", "threshold"):
        raise ChipCustomsError(f"--mode must be budget or threshold, got {r.mode!r}")
    db = r.db or settings.get("db")
    if r.input != "-" and not Path(r.input).exists():
        raise ChipCustomsError(f"{r.input}: file not found")
    lang = r.lang or settings.get("lang")
    if lang not in LANGS:
        raise ChipCustomsError(f"--lang must be one of {sorted(LANGS)}, got {lang!r}")
    if r.batch_rows is not None and r.batch_rows < 1:
        raise ChipCustomsError(f"--batch-rows must be at least 1, got {r.batch_rows}")
    if r.output != "-" and Path(r.output).suffix:
        format_of(r.output)
    # Opened (its read started) before the orchestrator, the pipeline, DuckDB and the packs
    # are imported, so that their import time runs beside the read (run/opening.py).
    opened = open_input(
        r.input, r.output, in_process=in_process(r.engine), mapping=r.mapping,
        batch_rows=r.batch_rows,
    )
    with (
        progress(not r.quiet, stages=6 if db else 5) as (step, mapped),
        contextlib.ExitStack() as stack,
    ):
        try:
            # Refused before the engine starts: a wrong name is cheap to report and costly to
            # find late.
            from chipcustoms.policy.profiles import load_profile

            load_profile(r.profile)
            with step(f"starting the {r.engine} engine") if step else contextlib.nullcontext():
                runner = stack.enter_context(
                    make_engine(r.engine, scheduler=r.scheduler, workers=r.workers)
                )
            from chipcustoms.run.orchestrator import _quiet, screen_file
            from chipcustoms.run.summary import markdown, riskiest
        except BaseException:
            opened.abandon()
            raise
        if runner.dashboard and not r.quiet:
            err.print(f"Dask: {runner.workers} workers; dashboard {runner.dashboard}")
        result = screen_file(
            r.input,
            r.output,
            mapping=r.mapping,
            policies=r.policy or None,
            budgets=budgets,
            db=db,
            quarantine=r.quarantine,
            step=step or _quiet,
            threshold_mode=r.mode == "threshold",
            engine=runner,
            batch_rows=r.batch_rows,
            work_dir=r.work_dir,
            progress=mapped,
            profile=r.profile,
            opened=opened,
        )
    KEEP.append(result)  # freed by the process exit, not by Python one object at a time
    if r.quiet and result.counts.quarantined:  # -q hides progress, never lost rows
        err.print(exits.quarantine_note(result.counts, result.quarantine_path), highlight=False)
    if r.quiet and not r.summary:
        return
    text = markdown(
        result.counts,
        result.report,
        result.digest or result.assessments,
        title=f"chipcustoms screen {r.input}",
        output=r.output,
        quarantine=result.quarantine_path,
        profile=result.profile,
        lang=lang,
        rules=result.rules,
    )
    if result.run_id is not None and result.assessments.height:
        text += f"\nRun {result.run_id} recorded in {db}; try `chipcustoms explain "
        text += f"{riskiest(result.assessments, 1)['declaration_id'][0]}"
        text += f" --db {db}`.\n"
    if r.summary:
        Path(r.summary).write_text(text, encoding="utf-8")
    if not r.quiet:
        from rich.markdown import Markdown  # markdown-it and pygments: ~20 ms a -q run skips

        err.print(Markdown(text))


@app.command()
def generate(
    rows: int = typer.Option(..., "--rows", "-n", help="Number of declaration lines.", min=1),
    seed: int = typer.Option(0, "--seed", "-s", help="Seed; the same seed gives the same file."),
    output: str = typer.Option(..., "--output", "-o", help="File (.csv, .jsonl, .parquet)."),
) -> None:
    """Write synthetic declarations in the canonical columns, with labels."""
    from chipcustoms.synthetic.writer import write_generated

    n = write_generated(rows, seed, output)
    err.print(f"wrote {n:,} lines to {output}")


@app.command()
def demo(
    folder: str = typer.Option("demo", "--dir", help="Where the demo files go."),
    db: Db = None,
) -> None:
    """Generate the demo declarations (20,000 lines, seed 42) once and screen them."""
    from chipcustoms.synthetic.writer import write_generated

    os.makedirs(folder, exist_ok=True)
    src = Path(folder) / "declarations.csv"
    if not src.exists():
        write_generated(20_000, 42, str(src))
        err.print(f"generated {src}")
    from chipcustoms.parties.commands import ensure_demo_list
    from chipcustoms.store import open_store

    loaded = ensure_demo_list(open_store(db_path(db), upgrade=True))
    if loaded:
        err.print(loaded)
    run_screen(
        ScreenRequest(
            str(src),
            output=str(Path(folder) / "assessments.csv"),
            seed=42,
            db=db_path(db),
            summary=str(Path(folder) / "summary.md"),
        )
    )
