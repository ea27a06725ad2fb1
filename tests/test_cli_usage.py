"""Usage errors through the installed console script: a message, exit 2, never a traceback,
whichever click the installed typer brings (cli/exits.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "chipcustoms"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    if not SCRIPT.exists():
        pytest.fail(f"{SCRIPT}: the console script is not installed (pip install -e .)")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["screen", "in.csv", "--no-such-option"], "No such option: --no-such-option"),
        (["screen", "in.csv", "extra", "arguments"], "unexpected extra argument"),
        (["explain"], "Missing argument 'DECLARATION_ID'"),
        (["no-such-command"], "No such command 'no-such-command'"),
        (["screen", "in.csv", "--red", "lots"], "Invalid value"),
    ],
)
def test_usage_errors_print_a_message_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    res = _run(*args, cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert message in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_refused_input_exits_2_and_quiet_still_reports_quarantine(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("a,a\n1,2\n", encoding="utf-8")
    res = _run("screen", "in.csv", "-o", "out.csv", "-q", cwd=tmp_path)
    assert res.returncode == 2 and "in.csv: duplicate column name 'a'" in res.stderr
    (tmp_path / "in.csv").write_text(
        "declaration_id,item_no,date\nD1,1,2025-01-01\nD2,1,-001-01-01\n", encoding="utf-8"
    )
    res = _run("screen", "in.csv", "-o", "out.csv", "-q", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "1 of 2 rows quarantined" in res.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["catalog"],  # rich's console
        ["reasons", "--markdown"],  # Python's own stdout
        ["resolve", "lines.csv"],  # a CSV written by Polars
    ],
)
def test_a_reader_that_goes_away_ends_the_command_with_141_and_no_traceback(
    tmp_path: Path, args: list[str]
) -> None:
    """`chipcustoms catalog | head` exited 1 (the code for a bug) or printed a traceback."""
    (tmp_path / "lines.csv").write_text("description\nNVIDIA H100 80GB PCIe\n", encoding="utf-8")
    read, write = os.pipe()
    os.close(read)  # gone before the command writes a byte: every write meets a closed pipe
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        res = subprocess.run(
            [str(SCRIPT), *args], stdout=write, stderr=subprocess.PIPE, text=True, env=env,
            cwd=tmp_path, timeout=120,
        )
    finally:
        os.close(write)
    assert res.returncode == 141, res.stderr
    assert res.stderr == ""


def test_every_command_help_paragraph_is_one_line() -> None:
    """Rich keeps a docstring's line breaks in the command list and in a command's help, so a
    paragraph written over two source lines prints broken mid-sentence under `--help`."""
    import inspect

    import typer.main

    from chipcustoms.cli.main import app

    def walk(group: object, path: str) -> list[str]:
        found = []
        for name, command in getattr(group, "commands", {}).items():
            paragraphs = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")
            if not paragraphs[0] or any("\n" in p for p in paragraphs):
                found.append(f"{path}{name}")
            found += walk(command, f"{path}{name} ")
        return found

    assert walk(typer.main.get_command(app), "") == []
