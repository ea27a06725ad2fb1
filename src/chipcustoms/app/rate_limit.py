"""A per-API-key rate limit: a token bucket per key, 429 with Retry-After past it.

A key that floods the server (a loop in a client, a stolen key) would otherwise take every
worker thread and the writer from everyone else. Each key gets ``api_rate_per_second`` requests
a second on average and ``api_rate_burst`` at once (settings table; 0 turns the limit off). The
buckets live in the process: with ``serve --workers N`` a key may make N times the rate in all,
which is why the default leaves room. Requests without a bearer key (the pages, with their
session and their own login throttle) are not counted here. The limit is checked before the key
is looked up, so unknown keys are limited too; at most ``MAX_KEYS`` buckets are kept (least
recently used dropped), so made-up keys cannot grow the table without end.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict

from starlette.types import ASGIApp, Receive, Scope, Send

from chipcustoms import settings
from chipcustoms.app.api.envelope import envelope

MAX_KEYS = 10_000  # a bucket is ~100 bytes: a bounded table, not a setting anyone tunes


class RateLimit:
    """ASGI middleware: one token bucket per bearer key, in this process."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.rate = float(settings.get("api_rate_per_second"))
        self.burst = max(1.0, float(settings.get("api_rate_burst")))
        self.buckets: OrderedDict[bytes, tuple[float, float]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _bearer(scope) if scope["type"] == "http" and self.rate > 0 else None
        wait = 0.0 if key is None else self.take(key, time.monotonic())
        if wait > 0:
            response = envelope(
                429,
                "rate_limited",
                f"too many requests with this key: at most {self.rate:g} a second "
                f"(bursts of {self.burst:g}); retry after {math.ceil(wait)} s",
                headers={"Retry-After": str(math.ceil(wait))},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def take(self, key: bytes, now: float) -> float:
        """Take one token for ``key``; 0 when granted, else the seconds until one is free.

        Runs on the event loop only, so no lock: nothing else touches the buckets meanwhile.
        """
        tokens, then = self.buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        granted = tokens >= 1.0
        self.buckets[key] = (tokens - 1.0 if granted else tokens, now)
        if len(self.buckets) > MAX_KEYS:
            self.buckets.popitem(last=False)
        return 0.0 if granted else (1.0 - tokens) / self.rate


def _bearer(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return hashlib.blake2b(value[7:].strip(), digest_size=16).digest()  # not the key
    return None
