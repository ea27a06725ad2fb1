"""The run summary's words in the reader's language.

The summary's fixed text is marked with ``_()`` in ``run/summary.py`` and translated through the
pages' gettext catalog (``locale/zh_CN``; ``python -m chipcustoms.app.web.catalogs`` extracts
it, babel.cfg names the file). This module loads the catalog without the web stack, so the CLI
does not import FastAPI to print a summary.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
LANGS = {"en": "en", "zh-CN": "zh_CN"}  # what a request or --lang names -> the catalog folder


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalog of ``lang`` (a key of LANGS); English has none (msgids are English).
    The one loader: the pages (``app/web/i18n.py``) use it too."""
    if lang == "en":
        return NullTranslations()  # msgids are English
    return Translations.load(str(LOCALE_DIR), [LANGS[lang]])


def gettext_for(lang: str) -> Callable[[str], str]:
    """``_`` for ``lang`` (a key of LANGS); an unknown language is refused, not shown in English."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {sorted(LANGS)}")
    return translations(lang).ugettext
