"""Prometheus metrics of one app (its own registry, so two apps in one test process never mix)."""

from __future__ import annotations

import time

import sqlalchemy as sa
from fastapi import FastAPI, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        """Count and time every request (plain ASGI: Starlette's ``@app.middleware("http")``
        runs the rest of the app as another task and streams the body through it, a
        measurable share of a single-line screen's CPU)."""
        app.add_middleware(Measure, metrics=self)


class Measure:
    """ASGI middleware: ``Server-Timing`` on each response (the time to its headers), the
    request counted per method, route and status, and its latency per route."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                spent = time.perf_counter() - start
                # The page's (or operation's) own time, for the browser's and benchmarks' eyes.
                MutableHeaders(scope=message)["Server-Timing"] = f"app;dur={spent * 1000:.1f}"
                # The router has put the matched route into this same scope by now.
                name = getattr(scope.get("route"), "path", "unmatched")
                self.metrics.latency.labels(name).observe(spent)
                self.metrics.requests.labels(scope["method"], name, str(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, timed)
