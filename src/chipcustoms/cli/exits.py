"""Exit codes scripts can trust: 0 done, 2 refused (bad usage or bad input), 130 aborted,
141 the reader of the output went away (``| head``).

The CLI runs typer with ``standalone_mode=False`` so that chipcustoms' own errors get one
message and exit 2. Usage errors (an unknown option, an extra or missing argument) then
surface as exceptions of whichever click the installed typer brings: the ``click`` package
in older releases, a copy vendored as ``typer._click`` in newer ones, whose classes are not
click's. Both have the same shape (``exit_code``, ``show()``), so they are recognised by it,
not by class, and an upgrade of typer cannot turn a usage error back into a traceback.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chipcustoms.run.summary import RunCounts

USAGE = 2  # click's and typer's code for usage errors, and ours for refused input
ABORTED = 130  # as a shell reports an interrupted command
BROKEN_PIPE = 141  # as a shell reports a command whose reader closed the pipe (SIGPIPE)


def pipe_closed(exc: BaseException) -> bool:
    """Whether the command ended because stdout's reader went away. Three ways it shows: rich's
    console raises ``SystemExit`` (cli/common.PipeConsole gives it our code), typer exits 1
    having swapped in click's ``PacifyFlushWrapper``, and Polars' writers raise an ``OSError``
    whose only trace of the cause is the operating system's message."""
    if isinstance(exc, SystemExit):
        return exc.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper"
    return isinstance(exc, OSError) and (
        exc.errno == errno.EPIPE or f"(os error {errno.EPIPE})" in str(exc)
    )


def leave_closed_pipe() -> None:
    """Exit with :data:`BROKEN_PIPE`, stdout pointed at /dev/null first so that the
    interpreter's last flush of it does not fail again on the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(BROKEN_PIPE)


def framework_exit(exc: BaseException) -> int | None:
    """The exit code for a CLI framework's exception, having shown its message; else None.

    ``ClickException`` (a usage error, a bad parameter, a missing file): its message through
    its own ``show()``, its own code (2 for usage errors). ``Abort`` (Ctrl-C at a prompt): 130.
    ``Exit`` (a command's requested exit): its code, no message.
    """
    name = type(exc).__name__
    code: Any = getattr(exc, "exit_code", None)
    if name == "Abort" or isinstance(exc, KeyboardInterrupt):
        return ABORTED
    if callable(getattr(exc, "show", None)) and isinstance(code, int):
        exc.show()  # type: ignore[attr-defined]  # duck-typed: click's or typer's copy
        return code
    if name == "Exit" and isinstance(code, int):
        return code
    return None


def quarantine_note(counts: RunCounts, path: str | None) -> str:
    """The one line ``--quiet`` still prints: rows set aside are never silent."""
    where = f" (see {path})" if path else ""
    return f"warning: {counts.quarantined:,} of {counts.read:,} rows quarantined{where}"
