"""The in-process engine: one partition at a time, so memory is one batch, not the input."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from chipcustoms.run.engine.base import Engine

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")


class LocalEngine(Engine):
    """Sequential map in this process (Polars and DuckDB use the cores inside each batch)."""

    name = "local"
    in_process = True

    def map(
        self, fn: Callable[[S, T], R], items: Sequence[T], *, shared: S
    ) -> Iterator[tuple[int, R]]:
        for k, item in enumerate(items):
            yield k, fn(shared, item)
