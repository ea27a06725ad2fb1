"""What stands in front of the password check: a throttle on failures, and the login form's
own CSRF token (there is no session yet to carry one).

**Throttle.** Failures are counted per user name and per client address. After
``login_max_failures`` failures on either, that name or address is locked for
``login_lockout_seconds``, doubling with each further failure (at most an hour); while locked,
even the right password is refused (429, ``Retry-After``), so guessing cannot outrun it. A
success clears the name's count; an address's count lapses an hour after its last failure. The
counts live in the server process: several workers each count on their own (a reverse proxy's
rate limit is the place for a fleet-wide one).

**Login CSRF.** ``GET /login`` sets a cookie holding a signed random token and puts the token
in the form; ``POST /login`` needs both to agree (signed double submit), so another site cannot
log a browser in as someone else.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from chipcustoms import settings

CSRF_COOKIE = "chipcustoms_login"
CSRF_SECONDS = 3600
MAX_LOCK = 3600.0
LAPSE = 3600.0


@dataclass
class _Count:
    failures: int = 0
    last: float = 0.0
    locked_until: float = 0.0


class Throttle:
    """Failure counts per key (``user:NAME``, ``addr:HOST``), thread-safe, bounded in size.

    ``clock`` gives the seconds the lockouts are measured in (monotonic by default); a test
    passes its own to step through a lockout without sleeping, so a slow machine cannot let a
    lockout lapse before the test looks at it."""

    def __init__(
        self, limit: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._counts: dict[str, _Count] = {}
        self._lock = threading.Lock()
        self._limit = limit
        self._clock = clock

    @staticmethod
    def keys(request: Request, name: str) -> list[str]:
        host = request.client.host if request.client else "unknown"
        return [f"user:{name.strip().casefold()}", f"addr:{host}"]

    def wait(self, keys: list[str]) -> float:
        """Seconds until these keys may try again (0: now)."""
        now = self._clock()
        with self._lock:
            return (
                max((c.locked_until - now for k in keys if (c := self._counts.get(k))), default=0.0)
                if keys
                else 0.0
            )

    def failed(self, keys: list[str]) -> None:
        now = self._clock()
        allowed = int(settings.get("login_max_failures"))
        base = float(settings.get("login_lockout_seconds"))
        with self._lock:
            if len(self._counts) >= self._limit:  # drop lapsed counts before growing further
                self._counts = {k: c for k, c in self._counts.items() if now - c.last < LAPSE}
            for k in keys:
                c = self._counts.setdefault(k, _Count())
                if now - c.last > LAPSE:
                    c.failures = 0
                c.failures, c.last = c.failures + 1, now
                if c.failures >= allowed:
                    c.locked_until = now + min(MAX_LOCK, base * 2 ** (c.failures - allowed))

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for k in keys:
                if k.startswith("user:"):
                    self._counts.pop(k, None)


def _signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.web_secret, salt="chipcustoms-login-csrf")


def new_token(request: Request) -> tuple[str, str]:
    """A token for the form and the signed cookie value that vouches for it."""
    token = secrets.token_urlsafe(24)
    return token, _signer(request).dumps(token)


def token_ok(request: Request, submitted: str) -> bool:
    raw = request.cookies.get(CSRF_COOKIE, "")
    try:
        expected = _signer(request).loads(raw, max_age=CSRF_SECONDS)
    except BadSignature:
        return False
    return bool(submitted) and hmac.compare_digest(str(expected), submitted)
