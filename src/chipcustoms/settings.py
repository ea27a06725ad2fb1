"""Every setting read from the environment, declared once (``refdata/settings.yaml``).

Settings used to be read with ``os.environ.get`` wherever they were needed, each with its own
default and parsing; a typo in one place silently ignored the variable. Here each setting has
one name, one variable, one type, one default and one help text, ``get`` is the only reader,
and ``chipcustoms settings`` prints the table with the values in force.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from chipcustoms.errors import ReferenceDataError
from chipcustoms.refdata import REFDATA, load_validated


class Setting(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    env: str
    type: Literal["int", "float", "str", "bool", "path"]
    default: Any = None
    secret: bool = False
    help: str


class SettingsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    settings: list[Setting]


@cache
def table() -> dict[str, Setting]:
    loaded = load_validated(REFDATA / "settings.yaml", SettingsFile, section="settings")
    return {s.name: s for s in loaded.settings}


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _parse(s: Setting, text: str) -> Any:
    try:
        if s.type == "int":
            return int(text)
        if s.type == "float":
            return float(text)
        if s.type == "bool":
            low = text.strip().lower()
            if low in _TRUE | _FALSE:
                return low in _TRUE
            raise ValueError(text)
    except ValueError as exc:
        raise ReferenceDataError(f"{s.env}={text!r}: not a valid {s.type} ({s.help})") from exc
    return text


def get(name: str) -> Any:
    """The value in force: the environment variable when set and not empty, else the default."""
    s = table()[name]  # KeyError: a setting used in code but missing from the table is a bug
    raw = os.environ.get(s.env)
    if raw is None or raw == "":
        return s.default
    return _parse(s, raw)


def source(name: str) -> str:
    """Where the value in force comes from: ``env`` or ``default``."""
    s = table()[name]
    return "env" if os.environ.get(s.env) else "default"


def rows() -> list[dict[str, Any]]:
    """The table as printed by ``chipcustoms settings`` (secrets shown only as set / unset)."""
    out = []
    for s in table().values():
        value = get(s.name)
        shown: Any = ("(set)" if value else "(unset)") if s.secret else value
        out.append(
            {
                "name": s.name,
                "env": s.env,
                "type": s.type,
                "default": s.default,
                "value": shown,
                "source": source(s.name),
                "help": s.help,
            }
        )
    return out
