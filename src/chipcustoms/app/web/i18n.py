"""The officer's language on the pages: English or Simplified Chinese, per request.

Strings live in gettext catalogs (``chipcustoms/locale/<lang>/LC_MESSAGES/messages.po``,
compiled to ``.mo`` and committed; tests/test_i18n.py checks the ``.mo`` is current and every
string the templates and page code mark is translated). The language of a request is, in
order: ``?lang=`` (then remembered in a cookie), the ``lang`` cookie, the browser's
``Accept-Language``, English. Templates use Jinja2's i18n extension (``{% trans %}``,
``_()``); page code calls :func:`gettext`. The language is held in a context variable for the
request being rendered, so one shared Jinja environment serves both languages.
"""

from __future__ import annotations

import contextvars

from babel.core import negotiate_locale
from fastapi import Request

# One catalog loader for the pages and the run summary (which must not import FastAPI).
from chipcustoms.run.summary_text import LANGS, translations

COOKIE = "lang"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("page_lang", default="en")


def _known(value: str | None) -> str | None:
    if not value:
        return None
    for lang in LANGS:
        if value.lower().replace("_", "-") in (lang.lower(), lang.lower().split("-")[0]):
            return lang
    return None


def choose(request: Request) -> str:
    """The request's language: ``?lang=``, then the cookie, then Accept-Language, then en."""
    for named in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if (lang := _known(named)) is not None:
            return lang
    header = request.headers.get("accept-language", "")
    preferred = [p.split(";")[0].strip().replace("-", "_") for p in header.split(",") if p]
    found = negotiate_locale(preferred, ["en", "zh_CN", "zh"], sep="_")
    return "zh-CN" if found in ("zh_CN", "zh") else "en"


def use(lang: str) -> contextvars.Token[str]:
    """Render what follows in ``lang``."""
    return _current.set(lang)


def reset(token: contextvars.Token[str]) -> None:
    _current.reset(token)


def current() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(_current.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ungettext(singular, plural, n)
