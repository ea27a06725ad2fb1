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
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from chipcustoms import __version__, settings
from chipcustoms.cli import exits
from chipcustoms.errors import ChipCustomsError

if TYPE_CHECKING:
    from chipcustoms.run.engine import Progress as MapProgress
    from chipcustoms.run.orchestrator import Step

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
DB_HELP = (
    "The store: a SQLite file (default $CHIPCUSTOMS_DB or ./chipcustoms.db) or a "
    "postgresql:// URL."
)


def _db(db: str | None) -> str:
    from chipcustoms.store import default_db_path

    return db or default_db_path()


@contextlib.contextmanager
def _progress(enabled: bool, stages: int) -> Iterator[tuple[Step | None, MapProgress | None]]:
    """One bar over the run's stages on stderr; each stage also leaves a line with its time.

    A streamed run also reports each map step (partitions done of all) on a bar of its own.
    """
    if not enabled:
        yield None, None
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
        bars: dict[str, TaskID] = {}

        def mapped(label: str, done: int, total: int) -> None:
            if label not in bars:
                bars[label] = progress.add_task(f"  partitions: {label}", total=total)
            progress.update(bars[label], completed=done)

        @contextlib.contextmanager
        def step(text: str) -> Iterator[None]:
            progress.update(overall, description=text)
            start = time.perf_counter()
            yield
            task = progress.tasks[overall]
            if task.total is not None and task.completed + 1 > task.total:
                progress.update(overall, total=task.completed + 1)  # a streamed run has more
            progress.advance(overall)
            progress.console.print(
                f"  {text}: {time.perf_counter() - start:.1f} s", highlight=False
            )

        yield step, mapped


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
        None, "--workers", help="Start a local Dask cluster of N worker processes."
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
) -> None:
    """Screen declaration lines and write one assessment per line."""
    from chipcustoms.assess.selection import Budgets
    from chipcustoms.run.engine import make_engine
    from chipcustoms.run.orchestrator import _quiet, screen_file
    from chipcustoms.run.summary import markdown, riskiest

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
    db = db or settings.get("db")
    if input != "-" and not Path(input).exists():
        raise ChipCustomsError(f"{input}: file not found")
    if batch_rows is not None and batch_rows < 1:
        raise ChipCustomsError(f"--batch-rows must be at least 1, got {batch_rows}")
    with (
        _progress(not quiet, stages=6 if db else 5) as (step, mapped),
        contextlib.ExitStack() as stack,
    ):
        with (step or _quiet)(f"starting the {engine} engine"):
            runner = stack.enter_context(
                make_engine(engine, scheduler=scheduler, workers=workers)
            )
        if runner.dashboard and not quiet:
            err.print(f"Dask: {runner.workers} workers; dashboard {runner.dashboard}")
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
            engine=runner,
            batch_rows=batch_rows,
            work_dir=work_dir,
            progress=mapped,
        )
    _KEEP.append(result)  # freed by the process exit, not by Python one object at a time
    if quiet and result.counts.quarantined:  # -q hides progress, never lost rows
        err.print(exits.quarantine_note(result.counts, result.quarantine_path), highlight=False)
    if quiet and not summary:
        return
    text = markdown(
        result.counts,
        result.report,
        result.digest or result.assessments,
        title=f"chipcustoms screen {input}",
        output=output,
        quarantine=result.quarantine_path,
    )
    if result.run_id is not None and result.assessments.height:
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
    if "://" not in path and not Path(path).exists():
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
    from chipcustoms.cli.explain import render

    render(record, out)


@app.command()
def catalog(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    sources: bool = typer.Option(False, "--sources", help="Also list every cited source."),
) -> None:
    """List the accelerator catalog with derived TPP, performance density and ECCN."""
    from chipcustoms.recognise.catalog import load_catalog

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
    from chipcustoms.policy.packs import load_packs

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
    from chipcustoms.assess.pipeline import References
    from chipcustoms.assess.reasons import markdown, registry

    refs = References.load()
    if as_markdown:
        sys.stdout.write(markdown(refs))
        return
    for r in registry(refs):
        out.print(f"[bold]{r.code}[/] ({r.source}, {r.category}): {r.meaning}", highlight=False)


@app.command("settings")
def settings_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every setting read from the environment: variable, type, default, value in force, help."""
    rows = settings.rows()
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    for r in rows:
        value = "-" if r["value"] is None else r["value"]
        typer.echo(f"{r['name']:<16} {r['env']:<30} {value!s:<12} ({r['source']})")
        typer.echo(f"{'':<16} {r['help']}")


@app.command()
def mappings() -> None:
    """List the bundled column mappings (use with --mapping NAME)."""
    from chipcustoms.lines.mapping import bundled_mappings, load_mapping

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
    from chipcustoms.synthetic.writer import write_generated

    n = write_generated(rows, seed, output)
    err.print(f"wrote {n:,} lines to {output}")


@app.command()
def demo(
    folder: str = typer.Option("demo", "--dir", help="Where the demo files go."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Generate the demo declarations (20,000 lines, seed 42) once and screen them."""
    from chipcustoms.synthetic.writer import write_generated

    os.makedirs(folder, exist_ok=True)
    src = Path(folder) / "declarations.csv"
    if not src.exists():
        write_generated(20_000, 42, str(src))
        err.print(f"generated {src}")
    from chipcustoms.parties.commands import ensure_demo_list  # issue 5: screening in the demo
    from chipcustoms.store import open_store

    loaded = ensure_demo_list(open_store(_db(db), upgrade=True))
    if loaded:
        err.print(loaded)
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
        engine="local",
        scheduler=None,
        workers=None,
        batch_rows=None,
        work_dir=None,
    )


@db_app.command("upgrade")
def db_upgrade(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Create the store or bring its schema to this version (Alembic)."""
    from chipcustoms.store import open_store

    open_store(_db(db), upgrade=True)
    err.print(f"{_db(db)}: schema is current")


# --- issue 3: the learned model (train, evaluate, simulate, models) ---
MAPPING_HELP = "Bundled mapping name (see `chipcustoms mappings`) or a YAML file."
TREES_HELP = "Boosting rounds (default: refdata/model.yaml); fewer for a quick run."


def _trees(trees: int | None) -> dict[str, int] | None:
    return None if trees is None else {"n_estimators": trees}
models_app = typer.Typer(help="Model versions: list them, activate one (or roll back).")
app.add_typer(models_app, name="models")


def _rates(text: str) -> list[float]:
    try:
        return [float(r) for r in text.split(",") if r.strip()]
    except ValueError as exc:
        raise ChipCustomsError(f"--rates: expected percents like 1,2,5,10, not {text!r}") from exc


def _existing(paths: list[str]) -> list[str]:
    for p in paths:
        if not Path(p).exists():
            raise ChipCustomsError(f"{p}: file not found")
    return paths


@app.command()
def train(
    inputs: list[str] | None = typer.Argument(None, metavar="[INPUT...]", help="Labelled files."),
    from_store: bool = typer.Option(False, "--from-store", help="Train on outcomes in --db."),
    mapping: str | None = typer.Option(None, "--mapping", "-m", help=MAPPING_HELP),
    label: str = typer.Option("fraud", "--label", help="Target: fraud, inspected, critical..."),
    until: str | None = typer.Option(None, "--until", help="Only lines dated before this day."),
    trees: int | None = typer.Option(None, "--trees", min=1, help=TREES_HELP),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Train the risk model on labelled history and store it as the active version."""
    from chipcustoms.assess.pipeline import References
    from chipcustoms.model.training import parse_date, read_lines, store_lines, train
    from chipcustoms.store import open_store

    day = parse_date(until, "--until")
    if from_store:
        lines = store_lines(_db(db), day)
    else:
        lines = read_lines(_existing(inputs or []), mapping)
        if day is not None:
            lines = lines.filter(lines["date"] < day)
    source = {"inputs": "store" if from_store else inputs, "mapping": mapping, "until": until}
    got = train(lines, label=label, refs=References.load(), source=source, params=_trees(trees))
    version = open_store(_db(db)).save_model(got.record)
    m = got.record["metrics"]
    figures = f"; validation precision@5% {m['precision_at']['5']:.3f}" if m else ""
    err.print(
        f"model version {version} trained on {got.record['source']['lines']:,} lines "
        f"({len(got.record['features'])} features){figures}; now active in {_db(db)}",
        highlight=False,
    )


@models_app.callback(invoke_without_command=True)
def models_list(
    ctx: typer.Context,
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the stored model versions (the active one is marked)."""
    if ctx.invoked_subcommand is not None:
        return
    from chipcustoms.store import open_store

    rows = open_store(_db(db)).models()
    if as_json:
        out.print_json(json.dumps(rows, default=str))
        return
    table = Table("version", "active", "created", "by", "label", "lines", "P@5% (valid)", "data")
    for r in rows:
        p5 = (r["metrics"] or {}).get("precision_at", {}).get("5")
        table.add_row(
            str(r["version"]),
            "*" if r["active"] else "",
            r["created_at"],
            r["actor"],
            r["label"],
            f"{(r['source'] or {}).get('lines', 0):,}",
            "-" if p5 is None else f"{p5:.3f}",
            r["fingerprint"][:12],
        )
    out.print(table)


@models_app.command("activate")
def models_activate(
    version: int = typer.Argument(..., help="Version number (see `chipcustoms models`)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Make VERSION the model screening uses (activating an older one rolls back)."""
    from chipcustoms.store import open_store

    open_store(_db(db)).activate_model(version)
    err.print(f"model version {version} is now active in {_db(db)}")


@app.command()
def evaluate(
    train_files: list[str] = typer.Option(..., "--train", help="Training file(s); repeat."),
    test: str = typer.Option(..., "--test", help="Test file, scored once."),
    valid: str | None = typer.Option(None, "--valid", help="Validation file, added to training."),
    mapping: str | None = typer.Option(None, "--mapping", "-m", help=MAPPING_HELP),
    label: str = typer.Option("fraud", "--label", help="Target label."),
    rates: str = typer.Option("1,2,5,10", "--rates", help="Inspection rates in percent."),
    trees: int | None = typer.Option(None, "--trees", min=1, help=TREES_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Train on train(+valid), score test: precision, recall, revenue at each rate, AUC."""
    from chipcustoms.assess.pipeline import References
    from chipcustoms.model.training import evaluate as run_evaluation
    from chipcustoms.model.training import evaluation_text, read_lines

    train_paths = _existing([*train_files, *([valid] if valid else [])])
    result = run_evaluation(
        read_lines(train_paths, mapping),
        read_lines(_existing([test]), mapping),
        label=label,
        rates=_rates(rates),
        refs=References.load(),
        params=_trees(trees),
    )
    if as_json:
        sys.stdout.write(json.dumps(result.report.to_dict()) + "\n")
        return
    out.print(evaluation_text(result), highlight=False)


@app.command()
def simulate(
    inputs: list[str] = typer.Argument(..., metavar="INPUT...", help="Labelled history files."),
    mapping: str | None = typer.Option(None, "--mapping", "-m", help=MAPPING_HELP),
    label: str = typer.Option("fraud", "--label", help="Target label."),
    start: str = typer.Option(..., "--start", help="First simulated day; earlier lines are known."),
    period: str = typer.Option("week", "--period", help="day, week or month."),
    red: float = typer.Option(0.10, "--red", help="Share of each period's lines inspected."),
    random_share: float = typer.Option(
        0.1, "--random-share", help="Share of the red budget drawn at random (explore arm)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the random draws."),
    trees: int | None = typer.Option(None, "--trees", min=1, help=TREES_HELP),
    plot: str | None = typer.Option(None, "--plot", help="Write the curves (.png or .svg)."),
    output: str | None = typer.Option(None, "--output", "-o", help="Per-period table (.csv)."),
    as_json: bool = typer.Option(False, "--json", help="Print per-period and overall as JSON."),
) -> None:
    """Replay history period by period: select, reveal, retrain; exploit vs explore."""
    from chipcustoms.assess.pipeline import References
    from chipcustoms.model import simulate as sim
    from chipcustoms.model.training import label_of, labelled, parse_date, read_lines

    day = parse_date(start, "--start")
    assert day is not None  # --start is required
    lines = labelled(read_lines(_existing(inputs), mapping), label)
    settings = sim.Settings(day, period, red, random_share, seed, _trees(trees))
    per = sim.run(lines, label_of(lines, label), References.load(), settings)
    total = sim.overall(per)
    if plot:
        sim.plot(per, plot)
    if output:
        per.write_csv(output)
    if as_json:
        payload = {"periods": per.to_dicts(), "overall": total.to_dicts()}
        sys.stdout.write(json.dumps(payload, default=str) + "\n")
        return
    out.print(sim.report_text(per, total), highlight=False)


# --- issue 4: recognition (resolve, verify) ---


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
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Identify the accelerators in an inspection capture and check them against the line."""
    from chipcustoms.recognise.captures import read_capture
    from chipcustoms.recognise.workflows import verify_and_record, verify_text

    text = sys.stdin.read() if report == "-" else read_capture(report)
    if declaration is not None:
        path = _db(db)
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
            f", declared {result['declared_units']} x {result['declared_accelerator_id']}"
            if result["declared_accelerator_id"]
            else ""
        ),
        highlight=False,
    )


# --- issue 5: party screening (watchlist, parties, compare-names, rescreen) ---
watchlist_app = typer.Typer(help="Watchlists: load, list, allow.", no_args_is_help=True)
app.add_typer(watchlist_app, name="watchlist")


@watchlist_app.command("load")
def watchlist_load(
    file: str = typer.Argument(..., metavar="FILE", help="List file."),
    fmt: str = typer.Option(..., "--format", "-f", help="ftm | targets-csv | csl | csv"),
    name: str | None = typer.Option(None, "--name", help="List name (default: file stem)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Load a list as its next version; a bad line stops the load, nothing half-loaded."""
    from chipcustoms.parties.commands import load
    from chipcustoms.store import open_store

    list_name, version, n = load(open_store(_db(db)), file, fmt, name)
    err.print(f"{list_name} v{version}: {n:,} entities loaded")


@watchlist_app.command("list")
def watchlist_list(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Lists, versions, entity counts and load dates."""
    from chipcustoms.store import open_store

    table = Table("name", "version", "format", "entities", "loaded_at", "loaded_by", "source")
    for w in open_store(_db(db)).watchlists():
        table.add_row(*[str(w[c]) for c in ("name", "version", "format", "entity_count",
                                            "loaded_at", "loaded_by", "source")])
    out.print(table)


@watchlist_app.command("allow")
def watchlist_allow(
    party_name: str = typer.Argument(..., help="The declared name, exactly as declared."),
    list_name: str = typer.Argument(..., help="The list."),
    entity_id: str = typer.Argument(..., help="The list entity cleared for this name."),
    reason: str = typer.Option(..., "--reason", help="Why the analyst cleared the pair."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Clear a (declared name, list entity) pair so that it stops coming back as a hit."""
    from chipcustoms.store import open_store

    open_store(_db(db)).allow(party_name, list_name, entity_id, reason)
    err.print(f"cleared {party_name!r} against {list_name}:{entity_id}")


@app.command()
def parties(
    input: str = typer.Argument(..., metavar="INPUT", help="name[,country,address,id] file"),
    output: str = typer.Option("-", "--output", "-o", help="Hits file, format by extension."),
    list_name: list[str] | None = typer.Option(None, "--list", help="Only this list (repeat)."),
    threshold: float | None = typer.Option(None, "--threshold", help="Lowest hit score."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Screen a file of party names against the stored lists; hits with their features."""
    from chipcustoms.lines.tableio import write_table
    from chipcustoms.parties.commands import screen_names
    from chipcustoms.store import open_store

    hits = screen_names(open_store(_db(db)), input, lists=list_name, threshold=threshold)
    write_table(hits, output)
    err.print(f"{hits.height:,} hits")


@app.command("compare-names")
def compare_names(
    pairs: str = typer.Argument(..., metavar="PAIRS", help="CSV with name1,name2[,schema]."),
    output: str = typer.Option("-", "--output", "-o", help="Scored pairs, format by extension."),
) -> None:
    """Score name pairs with the screening scorer (score 0..1, match at the default threshold)."""
    from chipcustoms.lines.tableio import write_table
    from chipcustoms.parties.commands import compare_pairs

    write_table(compare_pairs(pairs), output)


@app.command()
def rescreen(
    since: str = typer.Option(..., "--since", help="ISO date: entities added/changed since."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Re-screen stored lines against list entities changed since DATE; hits go to the store."""
    from chipcustoms.parties.commands import rescreen as run_rescreen
    from chipcustoms.store import open_store

    run_id, hits = run_rescreen(open_store(_db(db)), since)
    err.print(f"run {run_id}: {hits.height:,} new hits")



# --- issue 6: server (serve, users, audit) ---
users_app = typer.Typer(help="Users of the server and their API keys.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
DB_URL_HELP = DB_HELP


@app.command()
def serve(
    db: str | None = typer.Option(None, "--db", help=DB_URL_HELP),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers", help="uvicorn worker processes."),
) -> None:
    """Serve the API (OpenAPI at /docs); the store must be at this version's schema."""
    import uvicorn

    from chipcustoms.app.api import create_app

    app_ = create_app(_db(db))
    uvicorn.run(app_, host=host, port=port, workers=workers, log_level="warning")


@users_app.command("add")
def users_add(
    name: str = typer.Argument(...),
    role: str = typer.Option(..., "--role", help="viewer, analyst, inspector or admin."),
    office: str | None = typer.Option(None, "--office", help="Limit to this office's cases."),
    db: str | None = typer.Option(None, "--db", help=DB_URL_HELP),
) -> None:
    """Add a user and print their API key (shown once, stored hashed)."""
    from chipcustoms.store import open_store
    from chipcustoms.store.access import add_user

    print(add_user(open_store(_db(db)), name, role, office))


@users_app.command("list")
def users_list(db: str | None = typer.Option(None, "--db", help=DB_URL_HELP)) -> None:
    """List users, roles, offices and whether they are revoked."""
    from chipcustoms.store import open_store
    from chipcustoms.store.access import list_users

    for u in list_users(open_store(_db(db))):
        state = f"revoked {u['revoked_at']}" if u["revoked_at"] else "active"
        out.print(f"{u['name']}\t{u['role']}\t{u['office'] or '*'}\t{state}", highlight=False)


@users_app.command("revoke")
def users_revoke(
    name: str = typer.Argument(...), db: str | None = typer.Option(None, "--db", help=DB_URL_HELP)
) -> None:
    """Revoke a user's API key (the user stays, for the audit trail)."""
    from chipcustoms.store import open_store
    from chipcustoms.store.access import revoke_user

    revoke_user(open_store(_db(db)), name)
    err.print(f"{name}: revoked")


@users_app.command("set-password")
def users_set_password(
    name: str = typer.Argument(...), db: str | None = typer.Option(None, "--db", help=DB_URL_HELP)
) -> None:
    """Set the web-login password, read from the first line of stdin."""
    from chipcustoms.store import open_store
    from chipcustoms.store.access import set_password

    set_password(open_store(_db(db)), name, sys.stdin.readline().rstrip("\n"))
    err.print(f"{name}: password set")


@audit_app.command("verify")
def audit_verify(db: str | None = typer.Option(None, "--db", help=DB_URL_HELP)) -> None:
    """Prove the audit chain intact, or name the first broken entry (exit code 1)."""
    from chipcustoms.store import open_store
    from chipcustoms.store.audit import verify

    verdict = verify(open_store(_db(db), upgrade=False).audit_entries())
    if not verdict.intact:
        err.print(f"audit chain broken at entry {verdict.broken_at}: {verdict.problem}")
        raise typer.Exit(1)
    err.print(f"audit chain intact: {verdict.entries} entries")


@audit_app.command("export")
def audit_export(
    output: str = typer.Option("-", "--output", "-o", help="JSONL file, - for stdout."),
    db: str | None = typer.Option(None, "--db", help=DB_URL_HELP),
) -> None:
    """Write the audit log as JSON lines, in chain order."""
    from chipcustoms.store import open_store
    from chipcustoms.store.audit import to_jsonl

    entries = open_store(_db(db), upgrade=False).audit_entries()
    with contextlib.ExitStack() as stack:
        sink = sys.stdout if output == "-" else stack.enter_context(open(output, "w"))
        sink.writelines(to_jsonl(entries))


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
        sys.exit(exits.USAGE)
    except (Exception, KeyboardInterrupt) as exc:
        if (framework := exits.framework_exit(exc)) is None:
            raise
        sys.exit(framework)
    code = rc if isinstance(rc, int) else 0
    if _KEEP:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
