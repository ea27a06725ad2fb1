"""Run records: a run's start and finish (its cases open then, store/runlife.py), the run list,
and the score cut-offs a finished run leaves for threshold mode."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from chipcustoms.store import line_parts, runlife
from chipcustoms.store import tables as t
from chipcustoms.store.audit_log import actor, now

if TYPE_CHECKING:
    from chipcustoms.store.base import Store


def start_run(store: Store,
    *,
    command: str,
    inputs: list[str],
    mapping: str,
    versions: dict[str, Any],
    seed: int,
    budgets: dict[str, Any],
) -> int:
    with store.engine.begin() as conn:
        return insert_run(store, conn, command=command, inputs=inputs, mapping=mapping,
                          versions=versions, seed=seed, budgets=budgets)


def insert_run(store: Store, conn: sa.Connection,
    *,
    command: str,
    inputs: list[str],
    mapping: str,
    versions: dict[str, Any],
    seed: int,
    budgets: dict[str, Any],
    audit: bool = True,
) -> int:
    """``start_run`` in the caller's transaction (``audit=False``: the caller audits the run
    once, as the server's group commit does)."""
    pk = conn.execute(
        t.runs.insert(),  # the values as parameters: one cached statement for every run
        {
            "started_at": now(),
            "actor": actor(),
            "command": command,
            "inputs": json.dumps(inputs),
            "mapping": mapping,
            "versions": json.dumps(versions),
            "seed": seed,
            "budgets": json.dumps(budgets),
            "status": "running",
            "owner": runlife.owner(),
        },
    ).inserted_primary_key
    assert pk is not None  # a single-row insert always reports its key
    run_id = pk[0]
    if audit:
        store._audit(
            conn,
            "run.start",
            "run",
            str(run_id),
            None,
            {"command": command, "inputs": inputs, "budgets": budgets, "seed": seed},
        )
    return int(run_id)


def finish_run(store: Store, run_id: int, *, counts: dict[str, Any], thresholds: dict[str, Any],
               parts: list[line_parts.StagedPart] | None = None) -> None:
    """The run done, its cases open and its staged parts (store/line_parts.py) referenced, all
    in one transaction: before it, the parts are files nothing refers to."""
    with store.engine.begin() as conn:
        line_parts.hold_cases(conn, parts or [])
        close_run(store, conn, run_id, counts=counts, thresholds=thresholds)
        line_parts.register(conn, run_id, parts or [])


def close_run(store: Store, conn: sa.Connection, run_id: int, *, counts: dict[str, Any],
              thresholds: dict[str, Any], audit: bool = True) -> int:
    """``finish_run`` in the caller's transaction: the run's cases open, the run is done; how
    many cases opened or moved."""
    stamp = now()
    cases = runlife.open_cases(conn, run_id, stamp)  # visible only now: see runlife
    conn.execute(
        t.runs.update()
        .where(t.runs.c.run_id == run_id)
        .values(
            finished_at=stamp,
            counts=json.dumps(counts),
            thresholds=json.dumps(thresholds),
            status="done",
        )
    )
    if audit:
        store._audit(
            conn,
            "run.finish",
            "run",
            str(run_id),
            None,
            {"counts": counts, "thresholds": thresholds, "cases": cases},
        )
    return cases


def latest_thresholds(store: Store, profile: str | None = None
) -> tuple[int, dict[str, float | None]] | None:
    """The score cut-offs implied by the newest finished budget-mode run (threshold mode);
    with ``profile``, the newest run under that jurisdiction profile (runs recorded before
    profiles existed count as `all`): cut-offs of another border's day do not transfer."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.runs.c.run_id, t.runs.c.thresholds, t.runs.c.versions)
            .where(t.runs.c.status == "done", t.runs.c.command == "screen")
            .order_by(t.runs.c.run_id.desc())
            .limit(1 if profile is None else 200)
        ).all()
    for row in rows:
        versions = json.loads(row.versions) if isinstance(row.versions, str) else row.versions
        if profile is not None and (versions or {}).get("profile", "all") != profile:
            continue
        if not row.thresholds:
            return None
        return int(row.run_id), json.loads(row.thresholds)
    return None


def runs(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(sa.select(t.runs).order_by(t.runs.c.run_id)).mappings().all()
        ]


def count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count()).select_from(t.metadata.tables[table])
            ).scalar_one()
        )
