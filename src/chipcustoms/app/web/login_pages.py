"""Login and logout with name and password (set by ``chipcustoms users set-password``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chipcustoms.app.web.render import page
from chipcustoms.app.web.session import COOKIE, Session, check_csrf, login, max_age, page_session

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would make the login form a phishing aid."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/queue"


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/queue", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return page(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login", response_model=None)
def login_submit(
    request: Request,
    name: str = Form(...),
    password: str = Form(...),
    next: str = Form("/queue"),
) -> Response:
    cookie = login(request, name, password)
    if cookie is None:
        return page(request, "login.html", None, 401, next=_safe_next(next),
                    error="Unknown name or wrong password.")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, cookie, max_age=max_age(), httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


@router.post("/logout")
def logout(csrf: str = Form(""), session: Session = Depends(page_session)) -> RedirectResponse:
    check_csrf(session, csrf)
    response = RedirectResponse("/login?msg=Logged+out", status_code=303)
    response.delete_cookie(COOKIE)
    return response
