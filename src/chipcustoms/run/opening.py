"""The run's first step: plan the input's partitions and start reading a one-partition input.

Kept apart from :mod:`chipcustoms.run.orchestrator` so that it imports only Polars and
``lines/``: the CLI opens the input (:func:`open_input`) before it imports the orchestrator,
the pipeline, DuckDB and the policy packs, and that import time (about 0.3 s) then runs beside
the read instead of before it. The orchestrator still owns the run: it opens the input itself
when no caller did, and everything after the read starts is its own.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chipcustoms.lines.mapping import Mapping, load_mapping
from chipcustoms.lines.partitions import Partition, plan
from chipcustoms.lines.tableio import format_of, read_raw_checked

# Rows per batch: a 250,000-line batch peaks near 0.5 GB, so a streamed run of any size stays
# under 1 GB.
DEFAULT_BATCH_ROWS = 250_000
# Without --batch-rows, an input up to about this size is assessed in memory as one batch: the
# fastest path (no spill, one pass), at about 1.6 GiB for a million lines. Larger inputs stream.
IN_MEMORY_ROWS = 1_250_000


class ReadAhead:
    """A one-partition input read on a thread of its own, started before the reference data
    loads: the read is native (the GIL released), loading and checking the packs, catalog and
    rules is Python (about 0.3 s), so on two cores they overlap. It is the run's one read of
    the input (``streaming._whole`` takes it instead of reading), so an unreadable input fails
    the run where it did; the caller waits for it (:meth:`wait`) before reporting a start-up
    error.
    """

    def __init__(self, part: Partition, mapping: Mapping) -> None:
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
        self._future: Future[tuple[pl.DataFrame, bool]] | None = pool.submit(
            read_raw_checked, part.path, mapping.typed_columns
        )
        pool.shutdown(wait=False)  # its thread ends after the one read

    def take(self) -> tuple[pl.DataFrame, bool]:
        """The read's frame and lossy flag (or its error), once: the frame is not kept here,
        so the caller's ``del`` frees it as before."""
        future, self._future = self._future, None
        if future is None:
            raise RuntimeError("the read-ahead was already taken")
        return future.result()

    def wait(self) -> None:
        """Let the read finish (its result or error dropped): no thread outlives a failed start."""
        future, self._future = self._future, None
        if future is not None:
            future.exception()


@dataclass
class Opening:
    """An input planned for one engine: its mapping, partitions, whether they spill, whether
    the output is a folder, and the read already under way (``ahead``; none for stdin, which
    may never end, or a spilled run, which reads partition by partition)."""

    mapping: Mapping
    parts: list[Partition]
    spill: bool
    to_folder: bool
    ahead: ReadAhead | None

    def abandon(self) -> None:
        """A start-up error after the opening: let the read end, so the error is reported
        with no thread left reading."""
        if self.ahead is not None:
            self.ahead.wait()


def open_input(
    input_path: str,
    output: str,
    *,
    in_process: bool,
    mapping: str | None = None,
    batch_rows: int | None = None,
) -> Opening:
    """Check the mapping and the output's format, plan the partitions, start the read.

    ``in_process``: whether the engine that will run it runs in this process
    (:func:`chipcustoms.run.engine.in_process`); only such a run reads ahead.

    An unknown output extension or mapping fails here, before any work; a missing or unreadable
    input fails when the read is taken, where a run without the read-ahead would fail.
    """
    the_mapping = load_mapping(mapping)
    to_folder = output != "-" and (
        output.endswith("/")
        or Path(output).is_dir()
        or (not Path(output).suffix and not Path(output).exists())
    )
    if not to_folder:
        format_of(output)  # an unknown extension fails now, not after the work
    parts, spill = _plan(input_path, in_process, batch_rows, to_folder)
    ahead = None if spill or input_path == "-" else ReadAhead(parts[0], the_mapping)
    return Opening(the_mapping, parts, spill, to_folder, ahead)


def _plan(
    input_path: str, in_process: bool, batch_rows: int | None, to_folder: bool
) -> tuple[list[Partition], bool]:
    """The partitions, and whether they spill: an input of one batch on an in-process engine
    is one partition assessed in memory (the fastest path); anything else streams."""
    if input_path == "-":
        return [Partition(0, "-", format_of("-"))], False
    one_batch = IN_MEMORY_ROWS if in_process else DEFAULT_BATCH_ROWS
    parts = plan(input_path, batch_rows or one_batch)
    if batch_rows is None and in_process and len(parts) > 1:
        parts = plan(input_path, DEFAULT_BATCH_ROWS)
    spill = (
        len(parts) > 1 or Path(input_path).is_dir() or to_folder or not in_process
    )
    return parts, spill
