"""What every command shares: the app, the consoles, the options declared once, progress.

Options that several commands take (``--db``, ``--mapping``) are declared here once as
annotated types, so their flag, default and help cannot drift apart between commands.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

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


class PipeConsole(Console):
    """rich's console, but a reader that goes away (``chipcustoms catalog | head``) ends the
    command with 141, as a shell reports it, instead of 1, the code this CLI keeps for bugs."""

    def on_broken_pipe(self) -> None:
        try:
            super().on_broken_pipe()  # quiets the console and points stdout at /dev/null
        except SystemExit:
            raise SystemExit(exits.BROKEN_PIPE) from None


err = PipeConsole(stderr=True)
out = PipeConsole()

# Large results are kept until exit: main() ends with os._exit, which hands a gigabyte of batch
# memory back at once instead of walking it object by object.
KEEP: list[object] = []
DB_HELP = (
    "The store: a SQLite file (default $CHIPCUSTOMS_DB or ./chipcustoms.db) or a postgresql:// URL."
)
MAPPING_HELP = "Bundled mapping name (see `chipcustoms mappings`) or a YAML file."
Db = Annotated[str | None, typer.Option("--db", help=DB_HELP)]


def db_path(db: str | None) -> str:
    from chipcustoms.store import default_db_path

    return db or default_db_path()


def existing(paths: list[str]) -> list[str]:
    for p in paths:
        if not Path(p).exists():
            raise ChipCustomsError(f"{p}: file not found")
    return paths


@contextlib.contextmanager
def progress(enabled: bool, stages: int) -> Iterator[tuple[Step | None, MapProgress | None]]:
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
