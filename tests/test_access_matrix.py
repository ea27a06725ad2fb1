"""Role x route x office: every API operation (from the OpenAPI document) and every page, called
by every role, scoped to an office and not, against a target in the caller's office and in
another one; each answer must be what ``refdata/permissions.yaml`` predicts: no unexpected
allow, no unexpected deny. A route missing from the table fails the test too."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from chipcustoms.app.users import PERMISSIONS, TABLE, RouteAccess, User
from chipcustoms.assess.pipeline import References
from chipcustoms.store import open_store
from chipcustoms.store.access import add_user, create_job, set_password
from server_fixtures import Served
from stores import target
from test_server import LINE, OUTCOME
from web_fixtures import PASSWORD, csrf, login_form, web_served

OFFICES = ("SZ01", "SZ02")
LINES = {"SZ01": ("D1", 1), "SZ02": ("D3", 1)}  # stored lines of the fixture, one per office
IMPORTERS = {"SZ01": "IMP1", "SZ02": "IMP3"}  # their importers (only in that office's lines)


@dataclass
class Ctx:
    served: Served
    cases: dict[str, int]  # an open case per office
    job_id: int
    seq: itertools.count  # type: ignore[type-arg]


@dataclass
class Caller:
    user: User
    key: str
    pages: TestClient  # logged in
    token: str  # the session's CSRF token


Call = Callable[[Ctx, Caller, str], httpx.Response]


def _api(method: str, path: str, **kw: Any) -> Call:
    def call(ctx: Ctx, who: Caller, office: str) -> httpx.Response:
        decl, item = LINES[office]
        url = path.format(case=ctx.cases[office], decl=decl, item=item, office=office,
                          job=ctx.job_id)
        body = kw.get("json")
        if callable(body):
            body = body(ctx, office)
        return ctx.served.client.request(method, url, json=body, files=kw.get("files"),
                                         headers={"Authorization": f"Bearer {who.key}"})
    return call


def _page(method: str, path: str, data: dict[str, str] | None = None) -> Call:
    def call(ctx: Ctx, who: Caller, office: str) -> httpx.Response:
        decl, item = LINES[office]
        url = path.format(
            case=ctx.cases[office], decl=decl, item=item, office=office,
            party=IMPORTERS[office],
        )
        if method == "GET":
            return who.pages.get(url, follow_redirects=False)
        form = {"csrf": who.token, **(data or {})}
        return who.pages.post(url, data=form, follow_redirects=False)
    return call


def _screen_body(ctx: Ctx, office: str) -> dict[str, Any]:
    return {"lines": [{**LINE, "declaration_id": f"M{next(ctx.seq)}", "office": office}]}


def _login(ctx: Ctx, who: Caller, office: str) -> httpx.Response:
    c = TestClient(ctx.served.client.app, raise_server_exceptions=False)
    return c.post("/login", data=login_form(c, who.user.name, PASSWORD), follow_redirects=False)


def _logout(ctx: Ctx, who: Caller, office: str) -> httpx.Response:
    """A second session of the same user, so that the caller's own stays open."""
    c = TestClient(ctx.served.client.app, raise_server_exceptions=False)
    c.post("/login", data=login_form(c, who.user.name, PASSWORD))
    token = csrf(c.get("/reference").text)
    response = c.post("/logout", data={"csrf": token}, follow_redirects=False)
    who.pages.post("/login", data=login_form(who.pages, who.user.name, PASSWORD))
    who.token = csrf(who.pages.get("/reference").text)  # the logout ended every session
    return response


CALLS: dict[str, Call] = {
    "POST /v1/screen": _api("POST", "/v1/screen", json=_screen_body),
    "POST /v1/jobs": _api("POST", "/v1/jobs", files={"file": ("x.txt", b"no such format")}),
    "GET /v1/jobs/{job_id}": _api("GET", "/v1/jobs/{job}"),
    "GET /v1/declarations/{declaration_id}": _api("GET", "/v1/declarations/{decl}"),
    "GET /v1/cases": _api("GET", "/v1/cases?office={office}"),
    "GET /v1/cases/{case_id}": _api("GET", "/v1/cases/{case}"),
    "POST /v1/cases/{case_id}/assign": _api("POST", "/v1/cases/{case}/assign",
                                            json={"to": "nobody-such-user"}),
    "POST /v1/cases/{case_id}/outcome": _api("POST", "/v1/cases/{case}/outcome", json=OUTCOME),
    "POST /v1/cases/{case_id}/override": _api("POST", "/v1/cases/{case}/override",
                                              json={"channel": "red", "reason": "matrix"}),
    "GET /v1/catalog": _api("GET", "/v1/catalog"),
    "GET /v1/policies": _api("GET", "/v1/policies"),
    "GET /v1/models": _api("GET", "/v1/models"),
    "GET /v1/watchlists": _api("GET", "/v1/watchlists"),
    "GET /v1/overview": _api("GET", "/v1/overview?office={office}"),
    "GET /healthz": _api("GET", "/healthz"),
    "GET /readyz": _api("GET", "/readyz"),
    "GET /metrics": _api("GET", "/metrics"),
    "GET /": _page("GET", "/"),
    "GET /login": _page("GET", "/login"),
    "POST /login": _login,
    "POST /logout": _logout,
    "GET /queue": _page("GET", "/queue?office={office}"),
    "GET /line/{declaration_id}/{item_no}": _page("GET", "/line/{decl}/{item}"),
    "POST /cases/{case_id}/assign": _page("POST", "/cases/{case}/assign"),
    "POST /cases/{case_id}/outcome": _page("POST", "/cases/{case}/outcome", {"found": "no"}),
    "POST /cases/{case_id}/override": _page("POST", "/cases/{case}/override",
                                           {"channel": "red", "reason": "matrix"}),
    "GET /overview": _page("GET", "/overview?office={office}"),
    "GET /search": _page("GET", "/search?q=D"),
    "GET /reference": _page("GET", "/reference"),
    "GET /party/{party_id}": _page("GET", "/party/{party}"),
}


def app_routes(app: Any) -> set[str]:
    """Every operation of the OpenAPI document, and every route of the app (the pages are
    not in the document; ``/openapi.json`` itself is not a route of the app's routers)."""
    found = {f"{m.upper()} {path}" for path, ops in app.openapi()["paths"].items() for m in ops}
    return found | set(_walk(app.routes, ""))


def _walk(routes: list[Any], prefix: str) -> Iterator[str]:
    """Routes, through included routers (FastAPI keeps them nested since 0.16x)."""
    for r in routes:
        if isinstance(r, APIRoute):
            yield from (f"{m} {prefix}{r.path}" for m in r.methods if m != "HEAD")
        elif (inner := getattr(r, "original_router", None)) is not None:
            yield from _walk(inner.routes, prefix + r.include_context.prefix)


def expected(rule: RouteAccess, user: User, office: str) -> bool:
    if rule.permission == "public" or rule.permission == "session":
        return True
    ok = user.role in PERMISSIONS[rule.permission]
    if rule.scope == "unscoped":
        ok = ok and user.office is None
    if rule.office == "target":
        ok = ok and user.sees_office(office)
    if rule.owner:  # the job belongs to "ana", who is not one of the callers
        ok = ok and (user.role == "admin" or (user.role == "analyst" and user.office is None))
    return ok


def allowed(rule: RouteAccess, r: httpx.Response) -> bool:
    """Denied: 401 or 403, a 404 where the table says others are told "no such thing", or a
    page sending the browser to log in."""
    assert r.status_code < 500, r.text
    if r.status_code in (401, 403) or (rule.owner and r.status_code == 404):
        return False
    return not (r.status_code == 303 and r.headers["location"].startswith("/login?next="))


@pytest.fixture
def ctx(tmp_path: Path, fixtures: Path, refs: References) -> Iterator[tuple[Ctx, list[Caller]]]:
    s = web_served(target("sqlite", tmp_path), tmp_path, fixtures, refs)
    store = open_store(s.db)
    callers = []
    with s.client:
        for role, office in itertools.product(TABLE.roles, (None, "SZ01")):
            name = f"m-{role}-{office or 'all'}"
            key = add_user(store, name, role, office)
            set_password(store, name, PASSWORD)
            pages = TestClient(s.client.app, raise_server_exceptions=False)
            pages.post("/login", data=login_form(pages, name, PASSWORD))
            callers.append(Caller(User(name, role, office), key, pages,
                                  csrf(pages.get("/reference").text)))
        adam = {"Authorization": f"Bearer {s.keys['adam']}"}
        cases = {}
        for office in OFFICES:
            page = s.client.get(f"/v1/cases?office={office}&status=open&limit=1", headers=adam)
            cases[office] = int(page.json()["cases"][0]["case_id"])
        job = create_job(store, "f.csv", "canonical", "ana")
        yield Ctx(s, cases, job, itertools.count()), callers


def test_the_permission_table_names_every_route(ctx: tuple[Ctx, list[Caller]]) -> None:
    table = {r.route for r in TABLE.routes}
    assert app_routes(ctx[0].served.client.app) == table == set(CALLS)


def test_role_route_office_matrix(ctx: tuple[Ctx, list[Caller]]) -> None:
    context, callers = ctx
    surprises, calls = [], 0
    for rule in TABLE.routes:
        offices = OFFICES if rule.office == "target" else OFFICES[:1]
        for who, office in itertools.product(callers, offices):
            r = CALLS[rule.route](context, who, office)
            calls += 1
            want, got = expected(rule, who.user, office), allowed(rule, r)
            if want != got:
                kind = "allowed" if got else "denied"
                surprises.append(f"{rule.route} as {who.user.name} on {office}: unexpectedly "
                                 f"{kind} ({r.status_code})")
    assert calls >= 8 * len(TABLE.routes)
    assert surprises == []
