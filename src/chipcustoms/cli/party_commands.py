"""Party screening commands: watchlist load / list / allow, parties, compare-names, rescreen."""

from __future__ import annotations

import typer
from rich.table import Table

from chipcustoms.cli.common import (
    Db,
    app,
    db_path,
    err,
    out,
)

watchlist_app = typer.Typer(help="Watchlists: load, list, allow.", no_args_is_help=True)
app.add_typer(watchlist_app, name="watchlist")


@watchlist_app.command("load")
def watchlist_load(
    file: str = typer.Argument(..., metavar="FILE", help="List file."),
    fmt: str = typer.Option(..., "--format", "-f", help="ftm | targets-csv | csl | csv"),
    name: str | None = typer.Option(None, "--name", help="List name (default: file stem)."),
    db: Db = None,
) -> None:
    """Load a list as its next version; a bad line stops the load, nothing half-loaded."""
    from chipcustoms.parties.commands import load
    from chipcustoms.store import open_store

    list_name, version, n = load(open_store(db_path(db)), file, fmt, name)
    err.print(f"{list_name} v{version}: {n:,} entities loaded")


@watchlist_app.command("list")
def watchlist_list(db: Db = None) -> None:
    """Lists, versions, entity counts and load dates."""
    from chipcustoms.store import open_store

    table = Table("name", "version", "format", "entities", "loaded_at", "loaded_by", "source")
    for w in open_store(db_path(db)).watchlists():
        table.add_row(
            *[
                str(w[c])
                for c in (
                    "name",
                    "version",
                    "format",
                    "entity_count",
                    "loaded_at",
                    "loaded_by",
                    "source",
                )
            ]
        )
    out.print(table)


@watchlist_app.command("allow")
def watchlist_allow(
    party_name: str = typer.Argument(
        ..., metavar="NAME", help="The declared name, exactly as declared."
    ),
    list_name: str = typer.Argument(..., metavar="LIST", help="The list."),
    entity_id: str = typer.Argument(
        ..., metavar="ENTITY", help="The list entity cleared for this name."
    ),
    reason: str = typer.Option(..., "--reason", help="Why the analyst cleared the pair."),
    db: Db = None,
) -> None:
    """Clear a (declared name, list entity) pair so that it stops coming back as a hit."""
    from chipcustoms.parties.commands import allow
    from chipcustoms.store import open_store

    allow(open_store(db_path(db)), party_name, list_name, entity_id, reason)
    err.print(f"cleared {party_name!r} against {list_name}:{entity_id}")


@app.command()
def parties(
    input: str = typer.Argument(..., metavar="INPUT", help="name[,country,address,id] file"),
    output: str = typer.Option("-", "--output", "-o", help="Hits file, format by extension."),
    list_name: list[str] | None = typer.Option(None, "--list", help="Only this list (repeat)."),
    threshold: float | None = typer.Option(None, "--threshold", help="Lowest hit score."),
    db: Db = None,
) -> None:
    """Screen a file of party names against the stored lists; hits with their features."""
    from chipcustoms.lines.tablewrite import write_table
    from chipcustoms.parties.commands import screen_names
    from chipcustoms.store import open_store

    hits = screen_names(open_store(db_path(db)), input, lists=list_name, threshold=threshold)
    write_table(hits, output)
    err.print(f"{hits.height:,} hits")


@app.command("compare-names")
def compare_names(
    pairs: str = typer.Argument(..., metavar="PAIRS", help="CSV with name1,name2[,schema]."),
    output: str = typer.Option("-", "--output", "-o", help="Scored pairs, format by extension."),
) -> None:
    """Score name pairs with the screening scorer (score 0..1, match at the default threshold)."""
    from chipcustoms.lines.tablewrite import write_table
    from chipcustoms.parties.commands import compare_pairs

    write_table(compare_pairs(pairs), output)


@app.command()
def rescreen(
    since: str = typer.Option(..., "--since", help="ISO date: entities added/changed since."),
    db: Db = None,
) -> None:
    """Re-screen stored lines against list entities changed since DATE; hits go to the store."""
    from chipcustoms.parties.commands import rescreen as run_rescreen
    from chipcustoms.store import open_store

    run_id, hits = run_rescreen(open_store(db_path(db)), since)
    err.print(f"run {run_id}: {hits.height:,} new hits")
