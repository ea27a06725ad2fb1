"""The learned model's commands: train, models, evaluate, simulate."""

from __future__ import annotations

import json
import sys

import typer
from rich.table import Table

from chipcustoms.cli.common import (
    MAPPING_HELP,
    Db,
    app,
    db_path,
    err,
    existing,
    out,
)
from chipcustoms.errors import ChipCustomsError

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


@app.command()
def train(
    inputs: list[str] | None = typer.Argument(None, metavar="[INPUT...]", help="Labelled files."),
    from_store: bool = typer.Option(False, "--from-store", help="Train on outcomes in --db."),
    mapping: str | None = typer.Option(None, "--mapping", "-m", help=MAPPING_HELP),
    label: str = typer.Option("fraud", "--label", help="Target: fraud, inspected, critical..."),
    until: str | None = typer.Option(None, "--until", help="Only lines dated before this day."),
    trees: int | None = typer.Option(None, "--trees", min=1, help=TREES_HELP),
    db: Db = None,
) -> None:
    """Train the risk model on labelled history and store it as the active version."""
    from chipcustoms.assess.pipeline import References
    from chipcustoms.model.training import parse_date, read_lines, store_lines, train
    from chipcustoms.store import open_store

    day = parse_date(until, "--until")
    if from_store:
        lines = store_lines(db_path(db), day)
    else:
        lines = read_lines(existing(inputs or []), mapping)
        if day is not None:
            lines = lines.filter(lines["date"] < day)
    source = {"inputs": "store" if from_store else inputs, "mapping": mapping, "until": until}
    got = train(lines, label=label, refs=References.load(), source=source, params=_trees(trees))
    version = open_store(db_path(db)).save_model(got.record)
    m = got.record["metrics"]
    figures = f"; validation precision@5% {m['precision_at']['5']:.3f}" if m else ""
    err.print(
        f"model version {version} trained on {got.record['source']['lines']:,} lines "
        f"({len(got.record['features'])} features){figures}; now active in {db_path(db)}",
        highlight=False,
    )


@models_app.callback(invoke_without_command=True)
def models_list(
    ctx: typer.Context,
    db: Db = None,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the stored model versions (the active one is marked)."""
    if ctx.invoked_subcommand is not None:
        return
    from chipcustoms.store import open_store

    rows = open_store(db_path(db)).models()
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
    version: int = typer.Argument(
        ..., metavar="VERSION", help="Version number (see `chipcustoms models`)."
    ),
    db: Db = None,
) -> None:
    """Make VERSION the model screening uses (activating an older one rolls back)."""
    from chipcustoms.store import open_store

    open_store(db_path(db)).activate_model(version)
    err.print(f"model version {version} is now active in {db_path(db)}")


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

    train_paths = existing([*train_files, *([valid] if valid else [])])
    result = run_evaluation(
        read_lines(train_paths, mapping),
        read_lines(existing([test]), mapping),
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
    lines = labelled(read_lines(existing(inputs), mapping), label)
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
