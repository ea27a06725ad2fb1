"""Bearer API keys to users, and the permission check every route declares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chipcustoms.app.api.envelope import APIError
from chipcustoms.app.state import state
from chipcustoms.app.users import User
from chipcustoms.store.access import user_for_key

bearer = HTTPBearer(auto_error=False)


async def current_user(
    request: Request, creds: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> User:
    """The key's user. Routes wrap their writes in ``acting_as(user.name)`` (a context variable
    set here would not reach a sync route, which runs on another thread).

    Async, so FastAPI calls it on the event loop: a sync dependency is handed to a worker
    thread and back (twice per request with ``require``), which cost more than the indexed
    key lookup itself (one pooled connection, well under a millisecond)."""
    if creds is None:
        raise APIError(401, "unauthenticated", "send Authorization: Bearer KEY")
    user = user_for_key(state(request).store, creds.credentials)
    if user is None:
        raise APIError(401, "unauthenticated", "unknown or revoked API key")
    return user


def require(permission: str) -> Callable[..., Awaitable[User]]:
    async def check(user: User = Depends(current_user)) -> User:
        if not user.may(permission):
            raise APIError(403, "forbidden", f"role {user.role} may not {permission}")
        return user

    return check


def check_office(user: User, office: str | None, what: str) -> None:
    if not user.sees_office(office):
        raise APIError(403, "forbidden", f"{what} belongs to office {office}, not {user.office}")
