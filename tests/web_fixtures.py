"""A served store for the web tests: the API test store (server_fixtures) plus passwords."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from chipcustoms.assess.pipeline import References
from chipcustoms.store import open_store
from chipcustoms.store.access import set_password
from server_fixtures import USERS, Served, served

PASSWORD = "correct horse battery"


def web_served(db: str, folder: Path, fixtures: Path, refs: References) -> Served:
    s = served(db, folder, fixtures, refs)
    store = open_store(db)
    for name in USERS:
        set_password(store, name, PASSWORD)
    return s


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
