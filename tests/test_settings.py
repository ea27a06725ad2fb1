"""The one settings table: every CHIPCUSTOMS_* variable the code reads is declared there."""

import re
from pathlib import Path

import pytest

from chipcustoms import settings
from chipcustoms.errors import ReferenceDataError

SRC = Path(__file__).resolve().parents[1] / "src" / "chipcustoms"


def test_no_module_reads_the_environment_but_settings() -> None:
    readers = [
        p.relative_to(SRC).as_posix()
        for p in SRC.rglob("*.py")
        if p.name != "settings.py" and re.search(r"os\.environ\.get|os\.getenv", p.read_text())
    ]
    assert readers == []


def test_every_variable_named_in_code_is_in_the_table() -> None:
    declared = {s.env for s in settings.table().values()}
    named = {
        m for p in SRC.rglob("*.py") for m in re.findall(r"CHIPCUSTOMS_[A-Z_]+", p.read_text())
    }
    assert named <= declared, named - declared


def test_env_overrides_default_and_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings.get("session_seconds") == 28800
    monkeypatch.setenv("CHIPCUSTOMS_SESSION_SECONDS", "60")
    assert settings.get("session_seconds") == 60
    assert settings.source("session_seconds") == "env"
    monkeypatch.setenv("CHIPCUSTOMS_SESSION_SECONDS", "soon")
    with pytest.raises(ReferenceDataError, match="CHIPCUSTOMS_SESSION_SECONDS"):
        settings.get("session_seconds")


def test_secrets_are_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPCUSTOMS_SECRET", "hunter2hunter2")
    shown = {r["name"]: r["value"] for r in settings.rows()}
    assert shown["secret"] == "(set)"
