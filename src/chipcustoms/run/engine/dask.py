"""The Dask engine: ``dask.distributed`` runs the map steps on a cluster.

An existing cluster by address (``--scheduler tcp://HOST:PORT``) or a local one of N worker
processes (``--workers N``, one thread each: Polars and DuckDB inside a task are limited to
one thread too, so N workers use N cores and not N times all of them). The shared reference
data is scattered once, broadcast to every worker, and each task gets a reference to it.
Workers must see the input and the work folder at the same paths (a shared filesystem).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from chipcustoms.errors import ChipCustomsError
from chipcustoms.run.engine.base import Engine

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

# Set in each local worker's environment: one core per worker, whatever the library.
_ONE_THREAD = {
    "POLARS_MAX_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "CHIPCUSTOMS_THREADS": "1",
}


class DaskEngine(Engine):
    name = "dask"

    def __init__(
        self, *, scheduler: str | None = None, workers: int | None = None, timeout: float = 10
    ) -> None:
        import dask
        from distributed import Client, LocalCluster

        if scheduler and workers:
            raise ChipCustomsError("give --scheduler (an existing cluster) or --workers, not both")
        self._cluster: Any = None
        self._client: Any = None
        self._shared: tuple[object, Any] | None = None
        try:
            if scheduler:
                self._client = Client(scheduler, timeout=f"{timeout}s")
            else:
                n = workers or os.cpu_count() or 1
                if n < 1:
                    raise ChipCustomsError(f"--workers must be at least 1, got {n}")
                with dask.config.set({"distributed.worker.daemon": False}):
                    self._cluster = LocalCluster(
                        n_workers=n,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",
                        env=_ONE_THREAD,
                    )
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise ChipCustomsError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from exc
        info = self._client.scheduler_info()
        self.workers = max(len(info.get("workers", {})), 1)
        self.dashboard = self._client.dashboard_link

    def _scattered(self, shared: object) -> Any:
        """Ship ``shared`` to every worker once per object, not once per task."""
        # The object itself is kept (not its id, which a later object may reuse).
        if self._shared is None or self._shared[0] is not shared:
            future = self._client.scatter(shared, broadcast=True, hash=False)
            self._shared = (shared, future)
        return self._shared[1]

    def map(
        self, fn: Callable[[S, T], R], items: Sequence[T], *, shared: S
    ) -> Iterator[tuple[int, R]]:
        from distributed import as_completed

        ref = self._scattered(shared)
        futures = [self._client.submit(fn, ref, item, pure=False) for item in items]
        position = {f.key: k for k, f in enumerate(futures)}
        for future in as_completed(futures):
            result = future.result()  # a task's exception is raised here, with its traceback
            yield position[future.key], result
            future.release()

    def close(self) -> None:
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
