"""Where bundled reference data lives, and how YAML errors are reported.

Every loader goes through :func:`load_yaml` so that a broken file always yields an error
that names the file (and, via :func:`validation_message`, the entry and field).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from chipcustoms.errors import ReferenceDataError

SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
REFDATA = Path(str(resources.files("chipcustoms") / "refdata"))
M = TypeVar("M", bound=BaseModel)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file, turning parser errors into ReferenceDataError naming the file.

    libyaml's safe loader where it is built in (it is in the PyYAML wheels): the catalog's
    files take about 0.85 s through the pure-Python parser, which every screen paid before
    reading a line, and 0.13 s through libyaml, with the same values (issue 12)."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=SAFE_LOADER)
    except FileNotFoundError as exc:
        raise ReferenceDataError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())  # one line: a CLI error is one line
        raise ReferenceDataError(f"{path}: not valid YAML: {detail}") from exc


def entry_of(raw: Any, exc: ValidationError, section: str) -> str | None:
    """The id of the list entry (``raw[section][i]``) that the first error points into."""
    for err in exc.errors():
        loc = err["loc"]
        if len(loc) > 1 and loc[0] == section and isinstance(loc[1], int):
            items = raw.get(section) or [] if isinstance(raw, dict) else []
            if loc[1] < len(items) and isinstance(items[loc[1]], dict):
                return str(items[loc[1]].get("id", loc[1]))
            return str(loc[1])
    return None


def validation_message(path: Path, exc: ValidationError, entry: str | None = None) -> str:
    """One line per pydantic error, each naming file, entry and field path."""
    where = f"{path}" + (f" [{entry}]" if entry else "")
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        lines.append(f"{where}: {loc}: {err['msg']}")
    return "\n".join(lines)


def load_validated(
    path: Path, model: type[M], *, section: str | None = None, expected: str | None = None
) -> M:
    """One YAML file validated as ``model``. ``expected`` describes the top-level mapping a
    file must be (so a list or a scalar gets a plain sentence, not pydantic's); ``section``
    names the list whose entry an error is reported against."""
    raw = load_yaml(path)
    if expected is not None and not isinstance(raw, dict):
        raise ReferenceDataError(f"{path}: expected {expected}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        entry = entry_of(raw, exc, section) if section else None
        raise ReferenceDataError(validation_message(path, exc, entry)) from exc


def check_regexes(patterns: list[str], what: str = "pattern") -> list[str]:
    """Validator body: every pattern compiles, or a ValueError names the one that does not."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{what} {pattern!r} is not a regex: {exc}") from exc
    return patterns


class LanguagePatterns(BaseModel):
    """Patterns of one language with the page they came from: the shape of the resolver's small
    word lists (`refdata/resolver/product_words.yaml`, `model_class.yaml`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    lang: str
    source: str
    patterns: list[str]

    _p = field_validator("patterns")(check_regexes)
