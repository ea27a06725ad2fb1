"""Execution engines: how a function is mapped over partitions (style notes §4).

The pipeline never asks which engine runs it: :mod:`chipcustoms.run.streaming` hands an
:class:`Engine` a module-level function, the shared reference data and the partitions, and
gathers small results. :func:`make_engine` is the only place that knows the implementations.
"""

from __future__ import annotations

from chipcustoms.errors import ChipCustomsError
from chipcustoms.run.engine.base import Engine, Progress
from chipcustoms.run.engine.local import LocalEngine

ENGINES = ("local", "dask")


def in_process(name: str) -> bool:
    """Whether ``--engine NAME`` runs the partitions in this process, known before the engine
    starts (a Dask cluster takes seconds): the CLI plans and starts reading the input first."""
    if name not in ENGINES:
        raise ChipCustomsError(f"--engine must be one of {', '.join(ENGINES)}, got {name!r}")
    return name == "local"


def make_engine(name: str, *, scheduler: str | None = None, workers: int | None = None) -> Engine:
    """The engine for ``--engine NAME`` (``--scheduler`` / ``--workers`` are Dask's)."""
    if in_process(name):  # refuses an unknown name
        if scheduler or workers:
            raise ChipCustomsError("--scheduler and --workers need --engine dask")
        return LocalEngine()
    from chipcustoms.run.engine.dask import DaskEngine

    return DaskEngine(scheduler=scheduler, workers=workers)


__all__ = ["ENGINES", "Engine", "LocalEngine", "Progress", "in_process", "make_engine"]
