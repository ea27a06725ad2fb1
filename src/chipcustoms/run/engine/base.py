"""The execution seam: map a function over partitions, gather small results.

That is all a streamed run needs from an engine. The function is a module-level callable
``fn(shared, item)``; ``shared`` (the loaded reference data and the run's settings) is the same
object for every item, so an engine may ship it to each worker once (Dask scatters it with
``broadcast=True``) instead of once per partition. Results come back as ``(position, result)``
in completion order; the caller orders them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Any, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

# (phase label, items done, items in the phase): the CLI draws it on stderr.
Progress = Callable[[str, int, int], None]


class Engine(ABC):
    """Where the map steps of a streamed run execute."""

    name: str = "engine"
    #: Parallel workers (sizes the default batch count; 1 for the in-process engine).
    workers: int = 1
    #: A URL where the run can be watched (Dask's dashboard), if the engine has one.
    dashboard: str | None = None
    #: Maps in this process: an input of one batch can then be assessed without spilling.
    in_process: bool = False

    @abstractmethod
    def map(
        self, fn: Callable[[S, T], R], items: Sequence[T], *, shared: S
    ) -> Iterator[tuple[int, R]]:
        """``fn(shared, item)`` for every item; yields ``(index in items, result)`` as done."""

    def gather(
        self,
        fn: Callable[[S, T], R],
        items: Sequence[T],
        *,
        shared: S,
        label: str,
        progress: Progress | None = None,
    ) -> list[R]:
        """All results in item order, reporting progress as they complete."""
        out: dict[int, R] = {}
        for k, result in self.map(fn, items, shared=shared):
            out[k] = result
            if progress is not None:
                progress(label, len(out), len(items))
        return [out[k] for k in range(len(items))]

    def close(self) -> None:  # noqa: B027 -- most engines hold nothing to release
        """Release what the engine started (a local cluster); idempotent."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def describe(engine: Engine) -> dict[str, Any]:
    """What the run record says about where it ran."""
    return {"engine": engine.name, "workers": engine.workers, "dashboard": engine.dashboard}
