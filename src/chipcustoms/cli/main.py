"""The `chipcustoms` command line: filters over files, reports on stderr, exit codes scripts trust.

Exit codes: 0 the run completed (quarantined rows included), 2 it could not run (the message says
why: a missing file, an invalid mapping or policy, an unknown option value), 141 the reader of
the output went away (``| head``), 1 a bug.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer
from rich.markup import escape

from chipcustoms import __version__
from chipcustoms.cli import exits
from chipcustoms.cli.common import KEEP, app, err, out
from chipcustoms.errors import ChipCustomsError

__all__ = ["app", "main"]

# Each command family lives in its own module; importing it registers its commands on ``app``,
# in the order `--help` lists them.
for _family in ("screen", "server", "reference", "recognise", "model", "party", "pattern"):
    importlib.import_module(f"chipcustoms.cli.{_family}_commands")


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
    except SystemExit as exc:
        if exits.pipe_closed(exc):  # `chipcustoms catalog | head`: not a failure of ours
            exits.leave_closed_pipe()
        raise
    except ChipCustomsError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exits.USAGE)
    except (Exception, KeyboardInterrupt) as exc:
        if exits.pipe_closed(exc):  # `chipcustoms screen in.csv | head`
            exits.leave_closed_pipe()
        if (framework := exits.framework_exit(exc)) is None:
            raise
        sys.exit(framework)
    code = rc if isinstance(rc, int) else 0
    if KEEP:
        _leave(code)
    sys.exit(code)


def _leave(code: int) -> None:
    """Exit now, skipping the interpreter's teardown: a screen keeps its results (``KEEP``)
    until here, and the process hands a gigabyte of batch memory back at once instead of
    Python freeing it object by object. Only for that: every other exit is a normal one, which
    is safe because the readers leave no native work behind (``lines.tableio.arrow_input``)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
