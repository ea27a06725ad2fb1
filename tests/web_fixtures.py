"""A served store for the web tests: the API test store (server_fixtures) plus passwords."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from chipcustoms.assess.pipeline import References
from chipcustoms.store import open_store
from chipcustoms.store.access import set_password
from server_fixtures import USERS, Served, served
from stores import target

PASSWORD = "correct horse battery"


def web_served(db: str, folder: Path, fixtures: Path, refs: References) -> Served:
    s = served(db, folder, fixtures, refs)
    store = open_store(db)
    for name in USERS:
        set_password(store, name, PASSWORD)
    return s


@contextmanager
def serving(backend: str, folder: Path, fixtures: Path, refs: References) -> Iterator[Served]:
    """The pages over a fresh store of ``backend``; on the way out, waits for a background
    overview refresh to end so the store is never pulled from under it."""
    s = web_served(target(backend, folder), folder, fixtures, refs)
    with s.client:
        yield s
    idle(s)


def idle(s: Served) -> None:
    """Wait for a background overview refresh to end before the store goes away."""
    lock = s.client.app.state.web_refreshing  # type: ignore[attr-defined]
    assert lock.acquire(timeout=60)
    lock.release()


def client(web: Served, name: str | None = None) -> TestClient:
    """A client of its own (cookies apart from the fixture's), logged in as ``name`` if given."""
    c = TestClient(web.client.app, raise_server_exceptions=False)
    if name:
        log_in(c, name)
    return c


def open_cases(web: Served, office: str | None = None) -> list[dict[str, object]]:
    r = web.client.get("/v1/cases", params={"office": office} if office else {},
                       headers=web.auth("adam"))
    return [c for c in r.json()["cases"] if c["status"] != "closed"]


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> None:
    r = client.post("/login", data=login_form(client, name, password), follow_redirects=False)
    assert r.status_code == 303, r.text


def login_form(client: TestClient, name: str, password: str, **more: str) -> dict[str, str]:
    """The login form as a browser sends it: with the token of a freshly fetched form."""
    return {"name": name, "password": password, "csrf": csrf(client.get("/login").text), **more}


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)
