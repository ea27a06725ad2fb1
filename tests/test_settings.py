"""The one settings table: every CHIPCUSTOMS_* variable the code reads is declared there."""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipcustoms import settings
from chipcustoms.cli.main import app
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


def test_settings_command_prints_every_setting_in_aligned_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHIPCUSTOMS_LANG", "zh-CN")
    result = CliRunner().invoke(app, ["settings"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "variable", "type", "default", "value", "in", "force"]
    rows = {line.split()[0]: line for line in lines[1::2]}
    assert set(rows) == set(settings.table())
    # The variable column starts at the same place on every row, however long the name.
    starts = {line.index(s.env) for s in settings.table().values() for line in [rows[s.name]]}
    assert len(starts) == 1
    assert "zh-CN (env)" in rows["lang"]
