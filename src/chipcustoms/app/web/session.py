"""Web sessions: a signed, expiring cookie naming the user, with a per-session CSRF token.

The cookie holds the user name, a random CSRF token and a fingerprint of the password hash,
signed (itsdangerous, HMAC-SHA1 over a key derived from the server secret) and timestamped;
it is refused after ``CHIPCUSTOMS_SESSION_SECONDS`` (default 8 h). Every request looks the user
up again, so a revoked user, a changed password or a logout (the user's ``session_version``
moves on, and the cookie names the version it was issued under) ends the session at once.
The secret comes from ``CHIPCUSTOMS_SECRET``; without it each process draws one, and sessions
end on restart (set it when several workers serve the same users).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from chipcustoms import settings
from chipcustoms.app.state import state
from chipcustoms.app.users import User, check_password, password_hash
from chipcustoms.store.pages import login_record

COOKIE = "chipcustoms_session"
_DUMMY = password_hash(secrets.token_urlsafe(16))  # checked against when the name is unknown


class LoginRequired(Exception):
    """No valid session: the page handler sends the browser to the login form."""


class PageError(Exception):
    """An error shown as a page (the API's JSON envelope is for API clients)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def max_age() -> int:
    return int(settings.get("session_seconds"))


def serializer(request: Request) -> URLSafeTimedSerializer:
    secret: str = request.app.state.web_secret
    return URLSafeTimedSerializer(secret, salt="chipcustoms-session")


def new_secret() -> str:
    return settings.get("secret") or secrets.token_urlsafe(32)


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def login(request: Request, name: str, password: str) -> str | None:
    """The cookie value for a right name and password; None otherwise (same answer for both,
    and the scrypt cost is paid either way so timing does not tell which was wrong)."""
    record = login_record(state(request).store, name)
    stored = (record or {}).get("password_hash")
    ok = check_password(password, stored or _DUMMY) and record is not None and stored is not None
    if not ok:
        return None
    assert stored is not None and record is not None
    token = secrets.token_urlsafe(24)
    return serializer(request).dumps(
        {"u": name, "t": token, "p": _fingerprint(stored), "v": record["session_version"]}
    )


def current(request: Request) -> Session | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = serializer(request).loads(raw, max_age=max_age())
    except BadSignature:  # also SignatureExpired
        return None
    record = login_record(state(request).store, data.get("u", ""))
    if record is None or not record["password_hash"]:
        return None
    if not hmac.compare_digest(_fingerprint(record["password_hash"]), data.get("p", "")):
        return None
    if data.get("v") != record["session_version"]:  # logged out since (store/access.py)
        return None
    return Session(User(record["name"], record["role"], record["office"]), str(data["t"]))


def page_session(request: Request) -> Session:
    """Dependency of every page: the session, or off to the login form."""
    session = current(request)
    if session is None:
        raise LoginRequired
    return session


def check_csrf(session: Session, token: str) -> None:
    if not hmac.compare_digest(session.csrf, token or ""):
        raise PageError(403, "The form has expired or did not come from this site; reload it.")


def require_page(session: Session, permission: str) -> None:
    if not session.user.may(permission):
        raise PageError(403, f"Your role ({session.user.role}) may not {permission}.")


def check_office(session: Session, office: str | None) -> None:
    if not session.user.sees_office(office):
        mine = session.user.office
        raise PageError(403, f"This belongs to office {office}; you work for {mine}.")
