"""What must hold of a SQLite store after concurrent writers or killed runs (tests, benchmarks)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import polars as pl

SRC = Path(__file__).resolve().parents[1] / "src"

CHECKS = {
    "integrity": "PRAGMA integrity_check",
    "duplicate_keys": (
        "SELECT count(*) FROM (SELECT declaration_id, item_no FROM declarations "
        "GROUP BY declaration_id, item_no HAVING count(*) > 1)"
    ),
    "duplicate_assessments": (
        "SELECT count(*) FROM (SELECT run_id, declaration_id, item_no FROM assessments "
        "GROUP BY run_id, declaration_id, item_no HAVING count(*) > 1)"
    ),
    "runs_running": "SELECT count(*) FROM runs WHERE status = 'running'",
    "live_cases_without_assessment": (
        "SELECT count(*) FROM cases c WHERE c.status <> 'closed' AND NOT EXISTS "
        "(SELECT 1 FROM assessments a WHERE a.run_id = c.run_id "
        "AND a.declaration_id = c.declaration_id AND a.item_no = c.item_no)"
    ),
    "live_cases_of_unfinished_runs": (
        "SELECT count(*) FROM cases c JOIN runs r USING (run_id) "
        "WHERE c.status <> 'closed' AND r.status <> 'done'"
    ),
}


def check(db: str) -> dict[str, object]:
    """Each check's answer: ``integrity`` is "ok" on a sound file, every count should be 0.

    The store as its readers see it: the staged Parquet parts of finished runs are absorbed
    first, as every open of the store does (store/line_parts.py)."""
    from chipcustoms.store import open_store

    open_store(db).absorb()
    conn = sqlite3.connect(db, timeout=60)
    try:
        out: dict[str, object] = {}
        for name, sql in CHECKS.items():
            value = conn.execute(sql).fetchone()[0]
            out[name] = value
        out["runs"] = dict(conn.execute("SELECT status, count(*) FROM runs GROUP BY status"))
        out["lines"] = conn.execute("SELECT count(*) FROM declarations").fetchone()[0]
        return out
    finally:
        conn.close()


def env() -> dict[str, str]:
    """The environment for a chipcustoms child process running this checkout."""
    return {**os.environ, "PYTHONPATH": str(SRC)}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "chipcustoms", *args]


def generate(path: Path, rows: int, seed: int, prefix: str) -> pl.DataFrame:
    """``rows`` generated lines whose keys start with ``prefix`` (disjoint between files)."""
    raw = path.with_suffix(".raw.csv")
    subprocess.run(
        cli("generate", "--rows", str(rows), "--seed", str(seed), "-o", str(raw)),
        env=env(),
        check=True,
        capture_output=True,
    )
    lines = pl.read_csv(raw, infer_schema=False).with_columns(
        (pl.lit(prefix) + pl.col("declaration_id")).alias("declaration_id")
    )
    lines.write_csv(path)
    raw.unlink()
    return lines
