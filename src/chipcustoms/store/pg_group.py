"""The server's group of single-line screens on PostgreSQL in a few round trips (issue 17).

What ``group_commit._write_run`` stores for one part of a group (a finished run, its lines
upserted, its assessments appended, its cases opened or moved, screening hits, one audit entry
``run.api_screen`` and its checkpoint) costs about 30 statements there, each a round trip to the
server and a pass through SQLAlchemy's compile, bind and result layers: profiled at 50 requests
a second, that was most of the server's 9-12 ms of CPU a request on PostgreSQL, against ~5 ms on
SQLite, whose statements cost no round trip. Here the same rows are written by psycopg directly:

- **one pipeline** (psycopg 3 pipeline mode: statements sent without waiting for each answer)
  takes the audit advisory lock, reads the chain's tail and the latest checkpoint under it,
  reads the cases the group may move, inserts the run (already done: it is written and finished
  in this one transaction, as before), upserts the lines, appends the assessments, opens or
  moves the cases and reads the assessments' maximum id. Each statement carries the whole
  group as arrays (``unnest``), so its text is fixed: psycopg prepares it on the server after a
  few uses. Statements after the run's insert name it as ``currval`` of its sequence;
- the lines the group selected go straight into ``cases`` (ordered as ``runlife.open_cases``
  orders them), not through ``pending_cases``, whose rows lived only inside this transaction;
- the checkpoint's digests are computed from what the statements returned: the cases as they
  were and are now (``RETURNING``, the rows ``group_commit`` summed by reading them again) and
  the appended assessments as text, encoded as PostgreSQL's ``COPY ... (FORMAT csv)`` writes
  them (:func:`csv_line`). Where other rows share the checkpoint's id range (another writer's
  assessments committed without a checkpoint covering them) the digest is read by ``COPY`` as
  before (``checkpoints.assessments_digest``);
- **a second pipeline** appends the audit entry and its checkpoint, then the commit.

So a group costs three round trips (plus a fourth for watchlist hits, rare) whatever its size,
and the chain stays one chain across processes: every writer takes the same advisory lock before
it reads the tail. The rows, entries and checkpoints are those ``group_commit`` writes
(tests/test_pg_group.py compares both paths on the same requests), with one difference: the
entry's ``cases`` (cases opened or moved) is counted from ``RETURNING``, where the shared path
records the driver's rowcount of an ``INSERT ... SELECT``, which psycopg reports as -1.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from chipcustoms.lines.tablewrite import json_text
from chipcustoms.store import checkpoints, rows, runlife
from chipcustoms.store import tables as t
from chipcustoms.store.audit import GENESIS, acting_as, entry_hash
from chipcustoms.store.audit_log import actor, now

if TYPE_CHECKING:
    from chipcustoms.store.base import Store
    from chipcustoms.store.group_commit import Screened

ACTION = "run.api_screen"
RUN = "(SELECT currval(pg_get_serial_sequence('runs', 'run_id'))::integer)"
CASE_KEYS = ("declaration_id", "item_no", "channel", "office", "risk_score")
MOVED = ("run_id", "channel", "risk_score", "updated_at")


def _pg_type(column: sa.Column[Any]) -> str:
    return str(column.type.compile(dialect=postgresql.dialect()))


def _unnest(table: sa.Table, names: Sequence[str]) -> str:
    """``unnest(%s::type[], ...)``: one array parameter per column, typed as the table's."""
    return ", ".join(f"%s::{_pg_type(table.c[n])}[]" for n in names)


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _as_text(table: str) -> str:
    """Every column as text, floats too (a float's text is what ``COPY`` writes for it)."""
    return ", ".join(f"CAST({c.name} AS TEXT)" for c in t.metadata.tables[table].columns)


def _sql() -> dict[str, str]:
    """The statements, built once from the table definitions."""
    d, a, c = t.declarations, t.assessments, t.cases
    decl = rows.DECL_COLUMNS
    updates = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in [*decl, "last_run_id", "updated_at"])
    assessed = rows.ASSESSMENT_COLUMNS
    signed = [*checkpoints.SIGNED, "mac"]
    return {
        "lock": "SELECT pg_advisory_xact_lock(%s)",
        "tail": "SELECT audit_id, hash FROM audit ORDER BY audit_id DESC LIMIT 1",
        "checkpoint": f"SELECT {', '.join(signed)} FROM audit_checkpoints "
        "ORDER BY checkpoint_id DESC LIMIT 1",
        # The cases this group may move, as they are before it (checkpoints.row_sum's columns).
        "before": f"SELECT {checkpoints._pg_columns('cases')} FROM cases WHERE status <> 'closed'"
        " AND (declaration_id, item_no) IN (SELECT * FROM unnest(%s::text[], %s::bigint[]))",
        "run": "INSERT INTO runs (started_at, finished_at, actor, command, inputs, mapping, "
        "versions, seed, budgets, thresholds, counts, status, owner) VALUES "
        "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'done', %s) RETURNING run_id",
        "lines": f"INSERT INTO declarations ({_quoted(decl)}, first_run_id, last_run_id, "
        f"updated_at) SELECT u.*, r.id, r.id, %s FROM unnest({_unnest(d, decl)}) AS u, "
        f"(SELECT {RUN} AS id) AS r ON CONFLICT (declaration_id, item_no) DO UPDATE SET "
        f"{updates} RETURNING first_run_id <> last_run_id",
        "assessments": f"INSERT INTO assessments (run_id, {_quoted(assessed)}, created_at) "
        f"SELECT r.id, {', '.join(f'u.c{i}' for i in range(len(assessed)))}, %s FROM "
        f"unnest({_unnest(a, assessed)}) WITH ORDINALITY AS u("
        f"{', '.join(f'c{i}' for i in range(len(assessed)))}, n), (SELECT {RUN} AS id) AS r "
        f"ORDER BY u.n RETURNING assessment_id, {_as_text('assessments')}",
        "upto": "SELECT max(assessment_id) FROM assessments",
        # runlife.open_cases, from the group's selected lines instead of pending_cases.
        "cases": "INSERT INTO cases (declaration_id, item_no, run_id, channel, office, "
        "risk_score, status, opened_at, updated_at) SELECT u.d, u.i, r.id, u.ch, u.o, u.s, "
        f"'open', %s, %s FROM unnest({_unnest(c, CASE_KEYS)}) AS u(d, i, ch, o, s), "
        f"(SELECT {RUN} AS id) AS r ORDER BY u.s DESC, u.d, u.i "
        "ON CONFLICT (declaration_id, item_no) DO UPDATE SET "
        f"{', '.join(f'{n} = EXCLUDED.{n}' for n in MOVED)} WHERE cases.status <> 'closed' "
        f"RETURNING {checkpoints._pg_columns('cases')}",
        "audit": "INSERT INTO audit (audit_id, at, actor, action, entity, entity_id, before, "
        "after, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        "add_checkpoint": f"INSERT INTO audit_checkpoints ({', '.join(signed)}) "
        f"VALUES ({', '.join(['%s'] * len(signed))})",
    }


_SQL: dict[str, str] = {}
_OWNER: dict[int, str] = {}


def sql(name: str) -> str:
    if not _SQL:
        _SQL.update(_sql())
    return _SQL[name]


def owner() -> str:
    """``runlife.owner()``, once per process (it asks psutil for the process's start time)."""
    pid = os.getpid()
    if pid not in _OWNER:
        _OWNER[pid] = runlife.owner()
    return _OWNER[pid]


def csv_field(value: str | None) -> str:
    """One value as ``COPY ... (FORMAT csv)`` writes it: NULL as nothing; quoted (quotes
    doubled) when empty (the NULL string) or holding a comma, quote, newline or carriage return."""
    if value is None:
        return ""
    if value == "" or any(ch in value for ch in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_line(values: Sequence[str | None]) -> str:
    """One row as ``COPY`` writes it (several columns: a lone ``\\.`` is not quoted)."""
    return ",".join(csv_field(v) for v in values) + "\n"


def _columns(frame: pl.DataFrame, names: Sequence[str]) -> list[list[Any]]:
    """Each column as a list, dates as ISO text (the tables keep them as text)."""
    if any(frame.schema[n] == pl.Date for n in names):
        frame = frame.with_columns(pl.col(pl.Date).cast(pl.Utf8))
    return [frame.get_column(n).to_list() for n in names]


def _selected(assessments: pl.DataFrame) -> list[list[Any]]:
    """``rows.pending_cases``'s lines (every line not released green) as ``CASE_KEYS`` lists:
    a few lines, read in plain Python rather than by two queries over a frame of one row."""
    found = [list(r) for r in zip(*_columns(assessments, CASE_KEYS), strict=True)
             if r[2] is not None and r[2] != "green"]
    return [list(c) for c in zip(*found, strict=True)] if found else [[] for _ in CASE_KEYS]


def _row_sum(key: bytes, found: list[tuple[Any, ...]]) -> int:
    """``checkpoints.row_sum`` over returned cases (none: nothing to read)."""
    return checkpoints.row_sum(_Returned("cases", found), key, "cases") if found else 0


class _Returned:
    """The rows a statement returned, offered to ``checkpoints.row_sum`` as its database."""

    def __init__(self, table: str, found: list[tuple[Any, ...]]) -> None:
        self.frame = pl.DataFrame(found, schema=checkpoints._schema(table), orient="row")

    def columns(self, table: str) -> str:
        return checkpoints._pg_columns(table)

    def frames(
        self, sql: str, table: str, params: dict[str, Any] | None = None
    ) -> Iterator[pl.DataFrame]:
        yield self.frame

    def feed(self, h: Any, sql: str, table: str) -> None:
        raise NotImplementedError

    def one(self, sql: str) -> tuple[Any, ...] | None:
        raise NotImplementedError

    def insert(self, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def add(self, table: str, values: dict[str, Any]) -> None:
        raise NotImplementedError


def write_api_run(store: Store, conn: sa.Connection, group: list[Screened]) -> int:
    """``group_commit._write_run`` for PostgreSQL: one part's run in the caller's transaction."""
    from chipcustoms.store.group_commit import part_of

    first = group[0]
    lines, assessments, hits, command, counts = part_of(group)
    with acting_as(first.actor):
        who = actor()
    stamp = now()
    selected = _selected(assessments)
    assessed = assessments.select(rows.ASSESSMENT_COLUMNS).with_columns(json_text("reasons"))
    key = store.audit_key
    raw = conn.connection.driver_connection
    assert raw is not None
    cur = {name: raw.cursor() for name in ("tail", "checkpoint", "before", "run", "lines",
                                            "assessments", "upto", "cases")}
    with raw.pipeline():
        raw.execute(sql("lock"), [store_lock()])
        cur["tail"].execute(sql("tail"))
        cur["checkpoint"].execute(sql("checkpoint"))
        cur["before"].execute(sql("before"), selected[:2])
        cur["run"].execute(sql("run"), [
            stamp, stamp, who, command, json.dumps(["request"]), "canonical",
            json.dumps(first.versions), 0, json.dumps({}), json.dumps(first.thresholds),
            json.dumps(counts), owner(),
        ])
        cur["lines"].execute(sql("lines"), [stamp, *_columns(lines, rows.DECL_COLUMNS)])
        cur["assessments"].execute(
            sql("assessments"), [stamp, *_columns(assessed, rows.ASSESSMENT_COLUMNS)]
        )
        cur["upto"].execute(sql("upto"))
        cur["cases"].execute(sql("cases"), [stamp, stamp, *selected])
    run_id = int(cur["run"].fetchone()[0])  # type: ignore[index]
    updated = sum(1 for (moved,) in cur["lines"].fetchall() if moved)
    appended = sorted(cur["assessments"].fetchall())
    opened = cur["cases"].fetchall()
    delta = (_row_sum(key, cur["before"].fetchall()), _row_sum(key, opened))
    if hits.height:  # a watchlist hit: rare, through the shared writer
        from chipcustoms.store import lists

        lists.write_screening_hits(conn, run_id, hits)
    after = {"command": command, "counts": counts, "updated": updated, "cases": len(opened),
             "thresholds": first.thresholds}
    entry = _entry(cur["tail"].fetchone(), stamp, who, run_id, after, key)
    cp = _checkpoint(conn, key, cur["checkpoint"].fetchone(), entry, cur["upto"].fetchone(),
                     appended, delta)
    with raw.pipeline():
        raw.execute(sql("audit"), [entry[k] for k in (
            "audit_id", "at", "actor", "action", "entity", "entity_id", "before", "after",
            "prev_hash", "hash")])
        raw.execute(sql("add_checkpoint"), [cp[k] for k in [*checkpoints.SIGNED, "mac"]])
    return run_id


def store_lock() -> int:
    from chipcustoms.store.postgres import AUDIT_LOCK

    return AUDIT_LOCK


def _entry(last: tuple[Any, ...] | None, at: str, who: str, run_id: int,
           after: dict[str, Any], key: bytes) -> dict[str, Any]:
    """The chain's next entry, as ``audit_log.append`` builds it."""
    entry: dict[str, Any] = {
        "audit_id": 1 if last is None else int(last[0]) + 1,
        "at": at,
        "actor": who,
        "action": ACTION,
        "entity": "run",
        "entity_id": str(run_id),
        "before": None,
        "after": json.dumps(after, default=str),
    }
    prev = GENESIS if last is None else str(last[1])
    return {**entry, "prev_hash": prev, "hash": entry_hash(prev, entry, key)}


def _checkpoint(conn: sa.Connection, key: bytes, latest: tuple[Any, ...] | None,
                entry: dict[str, Any], upto_row: tuple[Any, ...] | None,
                appended: list[tuple[Any, ...]], delta: tuple[int, int]) -> dict[str, Any]:
    """The checkpoint ``checkpoints.record`` appends after the entry, from what was returned."""
    prev = None if latest is None else dict(
        zip([*checkpoints.SIGNED, "mac"], latest, strict=True)
    )
    upto = int(upto_row[0]) if upto_row and upto_row[0] is not None else 0
    start = 0 if prev is None else int(prev["assessments_upto"])
    db = checkpoints.SaDb(conn)
    ids = [int(r[0]) for r in appended]
    if ids == list(range(start + 1, upto + 1)):  # the range holds this group's rows only
        h = hashlib.sha256()
        # In the order the COPY reads them: its ORDER BY names the id cast to text (the
        # column's alias), so "10" comes before "8"; the digits sort alike in every collation.
        for r in sorted(appended, key=lambda r: str(r[1])):
            h.update(csv_line(r[1:]).encode("utf-8"))
        digest = str(h.hexdigest()) if ids else checkpoints.EMPTY
    else:
        digest = checkpoints.assessments_digest(db, start, upto)
    cp: dict[str, Any] = {
        "checkpoint_id": 1 if prev is None else int(prev["checkpoint_id"]) + 1,
        "at": entry["at"],
        "entries": int(entry["audit_id"]),
        "head_hash": str(entry["hash"]),
        "rows_digest": checkpoints._rows(db, key, prev, False, delta),
        "assessments_upto": upto,
        "assessments_digest": digest,
        "prev_mac": None if prev is None else prev["mac"],
    }
    cp["mac"] = checkpoints.mac(key, cp)
    return cp
