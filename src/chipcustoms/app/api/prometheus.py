"""Prometheus metrics of one app (its own registry, so two apps in one test process never mix)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import sqlalchemy as sa
from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from chipcustoms.store import Store
from chipcustoms.store import tables as t


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "chipcustoms_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "chipcustoms_request_seconds",
            "Request latency",
            ["route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.lines = Counter(
            "chipcustoms_lines_screened",
            "Lines screened through the API, per channel",
            ["channel"],
            registry=self.registry,
        )
        self.queue = Gauge(
            "chipcustoms_cases",
            "Cases per channel and status (read at scrape time)",
            ["channel", "status"],
            registry=self.registry,
        )

    def render(self, store: Store) -> Response:
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.cases.c.channel, t.cases.c.status, sa.func.count()).group_by(
                    t.cases.c.channel, t.cases.c.status
                )
            ).all()
        self.queue.clear()
        for channel, status, n in rows:
            self.queue.labels(channel, status).set(n)
        return Response(generate_latest(self.registry), media_type="text/plain; version=0.0.4")

    def install(self, app: FastAPI) -> None:
        @app.middleware("http")
        async def measure(
            request: Request, call_next: Callable[[Request], Awaitable[Response]]
        ) -> Response:
            start = time.perf_counter()
            response = await call_next(request)
            # The page's (or operation's) own time, for the browser's and benchmarks' eyes.
            spent = time.perf_counter() - start
            response.headers["Server-Timing"] = f"app;dur={spent * 1000:.1f}"
            route = request.scope.get("route")
            name = getattr(route, "path", "unmatched")
            self.latency.labels(name).observe(time.perf_counter() - start)
            self.requests.labels(request.method, name, str(response.status_code)).inc()
            return response
