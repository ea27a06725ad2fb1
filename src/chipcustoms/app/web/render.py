"""Templates (Jinja2, autoescaped) and the few filters the pages share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from chipcustoms.app.web import i18n
from chipcustoms.app.web.session import Session

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True
)


def money(x: Any) -> str:
    return "" if x is None else f"{float(x):,.0f}"


def num(x: Any, digits: int = 2) -> str:
    if x is None:
        return ""
    return f"{x:,.{digits}f}" if isinstance(x, float) else str(x)


def _pct(x: Any) -> str:
    return "" if x is None else f"{float(x):.0%}"


def _jsontext(x: Any) -> str:
    if isinstance(x, str):
        try:
            x = json.loads(x)
        except ValueError:
            return x
    return json.dumps(x, ensure_ascii=False, indent=1, default=str)


templates.env.filters.update(money=money, num=num, pct=_pct, jsontext=_jsontext)
templates.env.globals["svg"] = Markup  # charts.py escapes everything it draws


def page(
    request: Request, name: str, session: Session | None, status: int = 200, **context: Any
) -> HTMLResponse:
    flash = request.query_params.get("msg")
    lang = i18n.choose(request)
    ctx = {
        "session": session,
        "user": session.user if session else None,
        "flash": flash,
        "lang": lang,
        "here": request.url.path,
    }
    token = i18n.use(lang)
    try:  # the template is rendered here, in the request's language
        response = templates.TemplateResponse(request, name, {**ctx, **context}, status_code=status)
    finally:
        i18n.reset(token)
    if request.query_params.get("lang") and request.cookies.get(i18n.COOKIE) != lang:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
