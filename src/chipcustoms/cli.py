"""The `chipcustoms` command line: filters over files, reports on stderr, exit codes scripts trust.

Exit codes: 0 the run completed (quarantined rows included), 2 it could not run (the message says
why: a missing file, an invalid mapping or policy, an unknown option value), 1 a bug.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from chipcustoms import __version__
from chipcustoms.errors import ChipCustomsError

if TYPE_CHECKING:
    from chipcustoms.screening import Step

app = typer.Typer(
    name="chipcustoms",
    no_args_is_help=True,
    add_completion=False,
    help="Customs risk targeting for AI accelerators: screen declaration lines, explain why a "
    "line got its channel, and inspect the catalog and policy packs in force.",
)
db_app = typer.Typer(help="Store maintenance (schema migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")
err = Console(stderr=True)
out = Console()

# Large results are kept until exit: main() ends with os._exit, which hands a gigabyte of batch
# memory back at once instead of walking it object by object.
_KEEP: list[object] = []
DB_HELP = "SQLite file of the store (default $CHIPCUSTOMS_DB or ./chipcustoms.db)."


def _db(db: str | None) -> str:
    from chipcustoms.store import default_db_path

    return db or default_db_path()


@contextlib.contextmanager
def _progress(enabled: bool, stages: int) -> Iterator[Step | None]:
    """One bar over the run's stages on stderr; each stage also leaves a line with its time."""
    if not enabled:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<34}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        overall = progress.add_task("screening", total=stages)

        @contextlib.contextmanager
        def step(text: str) -> Iterator[None]:
            progress.update(overall, description=text)
            start = time.perf_counter()
            yield
            progress.advance(overall)
            progress.console.print(
                f"  {text}: {time.perf_counter() - start:.1f} s", highlight=False
            )

        yield step


@app.command()
def screen(
    input: str = typer.Argument(
        ...,
        metavar="INPUT",
        help="Declarations file (.csv, .jsonl, .parquet) or - for CSV on stdin.",
    ),
    output: str = typer.Option(
        "-", "--output", "-o", help="Assessments file; format by extension, - for CSV on stdout."
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
    red: float = typer.Option(0.03, help="Share of each selection unit sent to red."),
    yellow: float = typer.Option(0.05, help="Share sent to yellow (documentary check)."),
    blue: float = typer.Option(0.02, help="Share sent to blue (post-clearance audit)."),
    random_share: float = typer.Option(
        0.1, "--random-share", help="Share of the red budget drawn at random for exploration."
    ),
    per: str | None = typer.Option(
        None,
        "--per",
        help="Columns that make a selection unit, e.g. office,date. Default: the whole batch.",
    ),
    seed: int = typer.Option(0, help="Seed for tie-breaks and random exploration."),
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
        "cases in this SQLite store (default: $CHIPCUSTOMS_DB if set, else "
        "no store).",
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
) -> None:
    """Screen declaration lines and write one assessment per line."""
    from chipcustoms.screening import _quiet, screen_file
    from chipcustoms.selection import Budgets
    from chipcustoms.summary import markdown, riskiest

    try:
        budgets = Budgets(
            red=red,
            yellow=yellow,
            blue=blue,
            random_share=random_share,
            per=tuple(c.strip() for c in per.split(",")) if per else (),
            seed=seed,
        )
    except ValueError as exc:
        raise ChipCustomsError(str(exc)) from exc
    known = {"office", "date", "flow", "destination_country", "importer_id", "hs6"}
    bad = [c for c in budgets.per if c not in known]
    if bad:
        raise ChipCustomsError(f"--per: unknown column(s) {bad}; use some of {sorted(known)}")
    if mode not in ("budget", "threshold"):
        raise ChipCustomsError(f"--mode must be budget or threshold, got {mode!r}")
    db = db or os.environ.get("CHIPCUSTOMS_DB")
    if input != "-" and not Path(input).exists():
        raise ChipCustomsError(f"{input}: file not found")
    with _progress(not quiet, stages=6 if db else 5) as step:
        result = screen_file(
            input,
            output,
            mapping=mapping,
            policies=policy or None,
            budgets=budgets,
            db=db,
            quarantine=quarantine,
            step=step or _quiet,
            threshold_mode=mode == "threshold",
        )
    _KEEP.append(result)  # freed by the process exit, not by Python one object at a time
    if quiet and not summary:
        return
    text = markdown(
        result.counts,
        result.report,
        result.assessments,
        title=f"chipcustoms screen {input}",
        output=output,
        quarantine=result.quarantine_path,
    )
    if result.run_id is not None:
        text += f"\nRun {result.run_id} recorded in {db}; try `chipcustoms explain "
        text += f"{riskiest(result.assessments, 1)['declaration_id'][0]}"
        text += f" --db {db}`.\n"
    if summary:
        Path(summary).write_text(text, encoding="utf-8")
    if not quiet:
        err.print(Markdown(text))


@app.command()
def explain(
    declaration_id: str = typer.Argument(
        ..., metavar="DECLARATION_ID", help="Declaration id as stored."
    ),
    item: int = typer.Option(1, "--item", "-i", help="Goods item number."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the stored record as JSON."),
) -> None:
    """Print why a stored line got its channel: reasons, evidence, history and case."""
    from chipcustoms.store import open_store

    path = _db(db)
    if not Path(path).exists():
        raise ChipCustomsError(f"{path}: no store here; screen with --db {path} first")
    store = open_store(path)
    record = store.line(declaration_id, item)
    if record is None:
        items = store.items_of(declaration_id)
        hint = f"; it has items {items}" if items else ""
        raise ChipCustomsError(f"{declaration_id} item {item} is not in {path}{hint}")
    if as_json:
        out.print_json(json.dumps(record, default=str))
        return
    from chipcustoms.explain import render

    render(record, out)


@app.command()
def catalog(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    sources: bool = typer.Option(False, "--sources", help="Also list every cited source."),
) -> None:
    """List the accelerator catalog with derived TPP, performance density and ECCN."""
    from chipcustoms.catalog import load_catalog

    cat = load_catalog()
    frame = cat.frame()
    if as_json:
        out.print_json(frame.drop("hs_headings").write_json())
        return
    out.print(f"catalog {cat.version} ({len(cat.models)} models)")
    for vf, path in zip(cat.vendors, cat.files, strict=True):
        out.print(
            f"  {vf.vendor_name} {vf.version} ({path.name}): {len(vf.models)} models, "
            f"sources {', '.join(vf.sources)}",
            highlight=False,
        )
        if sources:
            for key, src in vf.sources.items():
                out.print(
                    f"    {key}: {src.title}" + (f" [{src.ref}]" if src.ref else ""),
                    highlight=False,
                )
    table = Table("model", "segment", "TPP", "PD", "ECCN", "price USD")
    table.columns[0].no_wrap = True
    for m in cat.models:
        c = m.classification
        price = f"{m.price_usd.low:,.0f}-{m.price_usd.high:,.0f}" if m.price_usd else "n/f"
        table.add_row(
            m.id,
            m.segment,
            f"{c.tpp:,.0f}" if c.tpp else "-",
            f"{c.pd:.2f}" if c.pd else "-",
            c.eccn,
            price,
        )
    out.print(table)


@app.command()
def policies(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the bundled policy packs and their rules, with versions and sources."""
    from chipcustoms.policies import load_packs

    packs = load_packs()
    if as_json:
        out.print_json(json.dumps([lp.pack.model_dump(mode="json") for lp in packs]))
        return
    for lp in packs:
        p = lp.pack
        out.print(
            f"[bold]{p.id}[/] {p.version} ({p.effective_from} .. "
            f"{p.effective_to or 'open'}) #{lp.digest}: {p.title}"
        )
        out.print(f"  source: {p.source}", highlight=False)
        for r in p.rules:
            floor = f", floor {r.floor}" if r.floor else ""
            out.print(
                f"  - {r.id}@{r.version} [bold]{r.code}[/] ({r.category}, weight "
                f"{r.weight:.2f}{floor}): {r.title}",
                highlight=False,
            )
            out.print(f"      source: {r.source}", highlight=False, style="dim")
        out.print()


@app.command()
def reasons(
    as_markdown: bool = typer.Option(False, "--markdown", help="Print the Markdown reference."),
) -> None:
    """List every reason code an assessment can carry, with its source and meaning."""
    from chipcustoms.pipeline import References
    from chipcustoms.reasons import markdown, registry

    refs = References.load()
    if as_markdown:
        sys.stdout.write(markdown(refs))
        return
    for r in registry(refs):
        out.print(f"[bold]{r.code}[/] ({r.source}, {r.category}): {r.meaning}", highlight=False)


@app.command()
def mappings() -> None:
    """List the bundled column mappings (use with --mapping NAME)."""
    from chipcustoms.mapping import bundled_mappings, load_mapping

    for name in bundled_mappings():
        m = load_mapping(name)
        out.print(f"[bold]{name}[/]: {m.description} ({m.source})", highlight=False)


@app.command()
def generate(
    rows: int = typer.Option(..., "--rows", "-n", help="Number of declaration lines.", min=1),
    seed: int = typer.Option(0, "--seed", "-s", help="Seed; the same seed gives the same file."),
    output: str = typer.Option(..., "--output", "-o", help="File (.csv, .jsonl, .parquet)."),
) -> None:
    """Write synthetic declarations in the canonical columns, with labels."""
    from chipcustoms.synthetic import write_generated

    n = write_generated(rows, seed, output)
    err.print(f"wrote {n:,} lines to {output}")


@app.command()
def demo(
    folder: str = typer.Option("demo", "--dir", help="Where the demo files go."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Generate the demo declarations (20,000 lines, seed 42) once and screen them."""
    from chipcustoms.synthetic import write_generated

    os.makedirs(folder, exist_ok=True)
    src = Path(folder) / "declarations.csv"
    if not src.exists():
        write_generated(20_000, 42, str(src))
        err.print(f"generated {src}")
    screen(
        str(src),
        output=str(Path(folder) / "assessments.csv"),
        mapping=None,
        policy=[],
        red=0.03,
        yellow=0.05,
        blue=0.02,
        random_share=0.1,
        per=None,
        seed=42,
        mode="budget",
        db=_db(db),
        quarantine=None,
        summary=str(Path(folder) / "summary.md"),
        quiet=False,
    )


@db_app.command("upgrade")
def db_upgrade(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Create the store or bring its schema to this version (Alembic)."""
    from chipcustoms.store import open_store

    open_store(_db(db), upgrade=True)
    err.print(f"{_db(db)}: schema is current")


# --- issue 3: the learned model (train, evaluate, simulate, models) ---


# --- issue 4: recognition (resolve, verify) ---


# --- issue 5: party screening (watchlist, parties, compare-names, rescreen) ---


# --- issue 6: server (serve, users, audit) ---


def _version(value: bool) -> None:
    if value:
        out.print(f"chipcustoms {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """chipcustoms: customs risk targeting for AI accelerators."""


def main() -> None:
    try:
        rc = app(standalone_mode=False)
    except ChipCustomsError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    code = rc if isinstance(rc, int) else 0
    if _KEEP:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
