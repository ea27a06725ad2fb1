"""Login and logout with name and password (set by ``chipcustoms users set-password``)."""

from __future__ import annotations

import math

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chipcustoms.app.state import state
from chipcustoms.app.web import login_guard
from chipcustoms.app.web.render import page
from chipcustoms.app.web.session import COOKIE, Session, check_csrf, login, max_age, page_session
from chipcustoms.store.access import end_sessions
from chipcustoms.store.audit import acting_as

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would make the login form a phishing aid."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/queue"


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/queue", status_code=303)


def _form(
    request: Request, next: str | None, status: int = 200, error: str | None = None
) -> HTMLResponse:
    """The login form with a fresh login CSRF token, in the form and in its signed cookie."""
    token, cookie = login_guard.new_token(request)
    response = page(
        request, "login.html", None, status, next=_safe_next(next), error=error, csrf=token
    )
    response.set_cookie(
        login_guard.CSRF_COOKIE,
        cookie,
        max_age=login_guard.CSRF_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return _form(request, next)


@router.post("/login", response_model=None)
def login_submit(
    request: Request,
    name: str = Form(...),
    password: str = Form(...),
    next: str = Form("/queue"),
    csrf: str = Form(""),
) -> Response:
    if not login_guard.token_ok(request, csrf):
        return _form(
            request, next, 403, "The form has expired or did not come from this site; try again."
        )
    throttle: login_guard.Throttle = request.app.state.login_throttle
    keys = throttle.keys(request, name)
    if (wait := throttle.wait(keys)) > 0:
        seconds = math.ceil(wait)  # a 2 s lockout says 2, not 3
        response = _form(
            request, next, 429, f"Too many failed logins: try again in {seconds} seconds."
        )
        response.headers["Retry-After"] = str(seconds)
        return response
    cookie = login(request, name, password)
    if cookie is None:
        throttle.failed(keys)
        return _form(request, next, 401, "Unknown name or wrong password.")
    throttle.succeeded(keys)
    done = RedirectResponse(_safe_next(next), status_code=303)
    done.set_cookie(
        COOKIE,
        cookie,
        max_age=max_age(),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    done.delete_cookie(login_guard.CSRF_COOKIE)
    return done


@router.post("/logout")
def logout(
    request: Request, csrf: str = Form(""), session: Session = Depends(page_session)
) -> RedirectResponse:
    """Ends the session on the server too: the user's session version is bumped, so this
    cookie (and any copy of it, and the user's other sessions) no longer opens a page."""
    check_csrf(session, csrf)
    st = state(request)
    with st.writing, acting_as(session.user.name):
        end_sessions(st.store, session.user.name)
    response = RedirectResponse("/login?msg=Logged+out", status_code=303)
    response.delete_cookie(COOKIE)
    return response
