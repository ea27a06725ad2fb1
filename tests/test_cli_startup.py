"""A command loads only what it uses: `chipcustoms --help` and every command's `--help` read no
data and import no data library, and the light commands leave the model, the server and the
cluster alone. A module-level import in a `cli/*_commands.py` family once put Polars, NumPy,
sqlglot, PyArrow and pydantic in front of every command (about 0.3 s before `--help` printed).

Each case runs in a fresh interpreter (this one has imported everything already)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Top-level packages that take tens of milliseconds each to import, or pull in more.
DATA = {"polars", "numpy", "pyarrow", "duckdb", "sqlglot", "sqlalchemy", "rapidfuzz", "yaml"}
MODEL_SERVER_CLUSTER = {
    "lightgbm", "sklearn", "matplotlib", "jinja2", "starlette", "fastapi", "uvicorn", "dask",
    "distributed", "rustworkx", "psycopg", "alembic",
}

# Run the CLI in process on ARGS (JSON), then print the top-level packages it imported.
PROBE = """
import contextlib, io, json, sys
from chipcustoms.cli.main import app
before = set(sys.modules)
for args in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            app(args, standalone_mode=False)
        except SystemExit:
            pass
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def loaded(*runs: list[str]) -> set[str]:
    """The top-level packages imported by a fresh interpreter running these command lines."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    res = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(runs))],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )
    return set(json.loads(res.stdout.splitlines()[-1]))


def commands() -> list[list[str]]:
    """Every command and sub-command path, as `--help` lists them."""
    import typer

    from chipcustoms.cli.main import app

    def walk(cmd: object, path: list[str]) -> list[list[str]]:
        subs = getattr(cmd, "commands", {})
        return [path, *[p for n, c in subs.items() for p in walk(c, [*path, n])]]

    return walk(typer.main.get_command(app), [])[1:]


def test_help_imports_no_data_library() -> None:
    found = loaded(["--help"])
    assert not found & (DATA | MODEL_SERVER_CLUSTER | {"pydantic"}), found


def test_every_commands_help_imports_no_data_library() -> None:
    paths = commands()
    assert len(paths) > 25 and ["screen"] in paths and ["watchlist", "load"] in paths
    found = loaded(*[[*p, "--help"] for p in paths])
    # pydantic aside: typer itself validates some option types (lists) with it.
    assert not found & (DATA | MODEL_SERVER_CLUSTER), found


@pytest.mark.parametrize(
    ("args", "uses"),
    [
        (["catalog"], {"polars", "yaml"}),
        (["settings"], {"yaml"}),
        (["mappings"], {"yaml"}),
    ],
)
def test_light_commands_load_what_they_use_only(args: list[str], uses: set[str]) -> None:
    found = loaded(args)
    assert uses <= found  # the probe saw the command run
    assert not found & MODEL_SERVER_CLUSTER, found
