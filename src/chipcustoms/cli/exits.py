"""Exit codes scripts can trust: 0 done, 2 refused (bad usage or bad input), 130 aborted.

The CLI runs typer with ``standalone_mode=False`` so that chipcustoms' own errors get one
message and exit 2. Usage errors (an unknown option, an extra or missing argument) then
surface as exceptions of whichever click the installed typer brings: the ``click`` package
in older releases, a copy vendored as ``typer._click`` in newer ones, whose classes are not
click's. Both have the same shape (``exit_code``, ``show()``), so they are recognised by it,
not by class, and an upgrade of typer cannot turn a usage error back into a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chipcustoms.run.summary import RunCounts

USAGE = 2  # click's and typer's code for usage errors, and ours for refused input
ABORTED = 130  # as a shell reports an interrupted command


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
