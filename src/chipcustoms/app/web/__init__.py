"""The web front: server-rendered pages over the same store, roles and office scoping
as the API. ``mount(app)`` adds the pages, their static files and their error pages.

Pages: ``/login``, ``/queue``, ``/line/{declaration_id}/{item_no}``, ``/overview``, ``/search``,
``/reference``, ``/party/{importer_id}``;
``/v1/overview`` is the overview's aggregates as JSON for API clients.
"""

from __future__ import annotations

import threading

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from chipcustoms.app.web import case_pages as routes_cases
from chipcustoms.app.web import login_pages as routes_auth
from chipcustoms.app.web import overview_pages as routes_overview
from chipcustoms.app.web import party_pages as routes_party
from chipcustoms.app.web import reference_pages as routes_reference
from chipcustoms.app.web.login_guard import Throttle
from chipcustoms.app.web.render import HERE, page
from chipcustoms.app.web.session import LoginRequired, PageError, current, new_secret


def mount(app: FastAPI) -> None:
    app.state.web_secret = new_secret()
    app.state.login_throttle = Throttle()
    app.state.web_refreshing = threading.Lock()  # held while the overview refreshes
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (routes_auth, routes_cases, routes_overview, routes_reference, routes_party):
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> HTMLResponse:
        return page(request, "error.html", current(request), exc.status, message=exc.message)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
