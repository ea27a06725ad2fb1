"""The pages under attack: password guessing, a stolen logged-out cookie, login CSRF, framing
and sniffing (headers on every response), and a closed case posted to again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chipcustoms.app.security_headers import HEADERS
from chipcustoms.app.web.login_guard import Throttle
from chipcustoms.app.web.session import COOKIE as COOKIE_NAME
from chipcustoms.assess.pipeline import References
from server_fixtures import Served
from web_fixtures import PASSWORD, client, csrf, login_form, open_cases, serving


@pytest.fixture
def web(tmp_path: Path, fixtures: Path, refs: References) -> Iterator[Served]:
    with serving("sqlite", tmp_path, fixtures, refs) as s:
        yield s


class Clock:
    """The throttle's clock, moved by the test: a lockout lapses when the test says, however
    long the machine takes over the requests in between."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_guessing_locks_the_name_and_the_address_then_lapses(
    web: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIPCUSTOMS_LOGIN_MAX_FAILURES", "5")
    monkeypatch.setenv("CHIPCUSTOMS_LOGIN_LOCKOUT_SECONDS", "2")
    clock = Clock()
    web.client.app.state.login_throttle = Throttle(clock=clock)  # type: ignore[attr-defined]
    c = client(web)
    for _ in range(5):
        assert c.post("/login", data=login_form(c, "ines", "wrong guess")).status_code == 401
    locked = c.post("/login", data=login_form(c, "ines", PASSWORD))  # right, but too late
    assert locked.status_code == 429 and "try again in 2 seconds" in locked.text
    assert locked.headers["Retry-After"] == "2"
    # The same address cannot move on to another name either.
    assert c.post("/login", data=login_form(c, "ana", PASSWORD)).status_code == 429
    clock.now += 1.9
    assert c.post("/login", data=login_form(c, "ines", PASSWORD)).headers["Retry-After"] == "1"
    clock.now += 0.1
    ok = c.post("/login", data=login_form(c, "ines", PASSWORD), follow_redirects=False)
    assert ok.status_code == 303
    # One more failure after the lockout doubles it (4 s now): still refused after 2.1 s.
    c2 = client(web)
    assert c2.post("/login", data=login_form(c2, "ines", "wrong again")).status_code == 401
    clock.now += 2.1
    assert c2.post("/login", data=login_form(c2, "ana", PASSWORD)).status_code == 429
    clock.now += 1.9
    assert c2.post("/login", data=login_form(c2, "ana", PASSWORD),
                   follow_redirects=False).status_code == 303


def test_a_logged_out_cookie_no_longer_opens_a_page(web: Served) -> None:
    c = client(web, "ana")
    stolen = c.cookies.get(COOKIE_NAME)
    page = c.get("/queue")
    assert page.status_code == 200
    assert c.post("/logout", data={"csrf": csrf(page.text)}, follow_redirects=False).is_redirect
    thief = TestClient(web.client.app, raise_server_exceptions=False)
    thief.cookies.set(COOKIE_NAME, stolen)
    r = thief.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_the_login_form_needs_its_own_token(web: Served) -> None:
    c = client(web)
    no_token = c.post("/login", data={"name": "ines", "password": PASSWORD})
    assert no_token.status_code == 403 and "expired" in no_token.text
    other = client(web)  # a token from another browser's form, without that browser's cookie
    forged = {"name": "ines", "password": PASSWORD, "csrf": csrf(other.get("/login").text)}
    fresh = TestClient(web.client.app, raise_server_exceptions=False)
    assert fresh.post("/login", data=forged, follow_redirects=False).status_code == 403
    cookie = c.get("/login").headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()


@pytest.mark.parametrize("path", ["/login", "/queue", "/v1/cases", "/v1/nothing-here",
                                  "/static/style.css", "/healthz", "/openapi.json"])
def test_security_headers_on_every_response(web: Served, path: str) -> None:
    r = client(web, "adam").get(path, headers=web.auth("adam"))
    for name, value in HEADERS.items():
        assert r.headers.get(name) == value, (path, name)
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_the_pages_refuse_a_second_outcome_and_a_closed_case_assignment(web: Served) -> None:
    case = open_cases(web, "SZ01")[0]
    ines = client(web, "ines")
    token = csrf(ines.get(f"/line/{case['declaration_id']}/{case['item_no']}").text)
    url = f"/cases/{case['case_id']}"
    first = ines.post(f"{url}/outcome", data={"csrf": token, "found": "no"})
    assert first.status_code == 200
    again = ines.post(f"{url}/outcome", data={"csrf": token, "found": "yes"})
    assert again.status_code == 409 and "closed" in again.text
    assert ines.post(f"{url}/assign", data={"csrf": token}).status_code == 409
