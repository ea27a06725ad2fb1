"""The audit key and the signed checkpoints that anchor the audit chain and the rows it covers.

Attacker model: someone who can write the database (file or server) but holds neither the audit
key nor a checkpoint exported from the store. The chain's keyed hashes (store/audit.py) stop a
rewrite or a forged entry; what they cannot see is an entry removed from the end, or a row of a
table edited without an entry. So every audited write also appends a **checkpoint**, in the
same transaction, signed with the key (HMAC-SHA256) and chained to the checkpoint before it:

- ``entries`` and ``head_hash``: how long the chain was and its last hash (truncation shows as
  a checkpoint naming entries the chain no longer has);
- ``rows_digest``: a digest of every row of the tables people change (``COVERED``: cases,
  outcomes, overrides, users), read back as text, so an edit without an entry shows. It is the
  sum, modulo 2**256, of one HMAC-SHA256 per row (keyed, so no one without the key can make
  rows that add up); a write that knows which rows it touched (the server's group of screens,
  which opens a few cases) updates it with those rows alone: minus what they summed to before
  the write, plus what they sum to after (``record(..., rows_delta=...)``). Every other write
  sums all rows again, and ``audit verify`` always does. A digest without the ``sum:`` prefix
  is the earlier form (sha256 over all rows as CSV), still verified as such;
- ``assessments_upto`` / ``assessments_digest``: the assessments appended since the previous
  checkpoint (ids after the previous ``upto``, up to this one) and a digest of them: the table is
  append-only and large, so each row is read back once, by the write that added it.

``chipcustoms audit checkpoint -o FILE`` exports the latest checkpoint; kept elsewhere, it also
catches a store rolled back as a whole (chain, checkpoints and rows cut back together).

The key: the ``audit_key`` setting; else one derived from the server ``secret``; else a random
key written once to a file with mode 0600 (``audit_key_file``; by default beside a SQLite store
as ``<db>.audit-key``, and for PostgreSQL under ``~/.chipcustoms/``). Whoever verifies needs the
same key; the key file must not travel with the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import polars as pl
import sqlalchemy as sa

from chipcustoms import settings
from chipcustoms.store import tables as t

COVERED = {
    "cases": "case_id",
    "outcomes": "outcome_id",
    "overrides": "override_id",
    "users": "user_id",
}
SIGNED = (
    "checkpoint_id",
    "at",
    "entries",
    "head_hash",
    "rows_digest",
    "assessments_upto",
    "assessments_digest",
    "prev_mac",
)
EMPTY = hashlib.sha256(b"").hexdigest()
BATCH = 50_000
SUM = "sum:"  # the rows digest's prefix when it is a sum of keyed row hashes
MOD = 2**256
# Audited writes known to leave the covered tables alone: their checkpoint carries the previous
# rows digest instead of reading every case again (a single-line API screen makes four). Any
# other action, including one added later, recomputes it.
# `run.save_assessments` only appends assessments and holds the run's cases back
# (`pending_cases`); `run.finish` opens them, so it recomputes.
LEAVES_ROWS = (
    "run.start",
    "run.save_lines",
    "run.save_assessments",
    "job.",
    "model.",
    "watchlist.",
    "allow.",
)


def key_file(url: sa.URL) -> Path:
    chosen = settings.get("audit_key_file")
    if chosen:
        return Path(chosen)
    if url.get_backend_name() == "sqlite":
        return Path(f"{url.database}.audit-key")
    where = f"{url.host}:{url.port or 5432}/{url.database}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:16]
    return Path.home() / ".chipcustoms" / f"audit-{digest}.key"


def audit_key(url: sa.URL) -> bytes:
    """The store's audit key (see the module docstring for where it comes from)."""
    if configured := settings.get("audit_key"):
        return hashlib.sha256(str(configured).encode("utf-8")).digest()
    if secret := settings.get("secret"):
        return hmac.new(str(secret).encode("utf-8"), b"chipcustoms audit key", "sha256").digest()
    path = key_file(url)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # created once, readable by its owner only; a racing creator's key wins
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
        except FileExistsError:
            pass
    return bytes.fromhex(path.read_text().strip())


class Db(Protocol):
    """The few operations a checkpoint needs, over SQLAlchemy or an ADBC cursor."""

    def feed(self, h: Any, sql: str, table: str) -> None:
        """Add the rows of ``sql`` (the columns of ``self.columns(table)``) to the hash ``h``."""

    def columns(self, table: str) -> str: ...

    def one(self, sql: str) -> tuple[Any, ...] | None: ...

    def insert(self, values: dict[str, Any]) -> None: ...

    def add(self, table: str, values: dict[str, Any]) -> None:
        """Insert one row into ``table`` (the audit entry and its checkpoint)."""

    def frames(
        self, sql: str, table: str, params: dict[str, Any] | None = None
    ) -> Iterator[pl.DataFrame]:
        """The rows of ``sql`` (the columns of ``self.columns(table)``) in batches, typed as
        the digests read them (floats as floats, everything else as text)."""
        ...


def _schema(table: str) -> dict[str, pl.DataType]:
    return {
        c.name: pl.Float64() if isinstance(c.type, sa.Float) else pl.Utf8()
        for c in t.metadata.tables[table].columns
    }


def _feed_frame(h: Any, frame: pl.DataFrame, table: str) -> None:
    """A batch as CSV without header: the same bytes whichever SQLite driver read it."""
    h.update(frame.cast(_schema(table)).write_csv(include_header=False).encode("utf-8"))  # type: ignore[arg-type]


class SaDb:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def feed(self, h: Any, sql: str, table: str) -> None:
        if self.conn.dialect.name == "postgresql":  # the server writes the CSV itself
            cur = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
                for data in copy:
                    h.update(bytes(data))
            return
        result = self.conn.exec_driver_sql(sql, execution_options={"yield_per": BATCH})
        schema = _schema(table)
        for part in result.partitions(BATCH):
            _feed_frame(h, pl.DataFrame(part, schema=schema, orient="row"), table)

    def columns(self, table: str) -> str:
        if self.conn.dialect.name == "postgresql":
            return _pg_columns(table)
        return _sqlite_columns(table)

    def frames(
        self, sql: str, table: str, params: dict[str, Any] | None = None
    ) -> Iterator[pl.DataFrame]:
        stmt = sa.text(sql)
        if params:
            lists: list[sa.BindParameter[Any]] = [sa.bindparam(k, v, expanding=True)
                     for k, v in params.items() if isinstance(v, list)]
            stmt = stmt.bindparams(*lists)
        result = self.conn.execute(stmt, params or {}, execution_options={"yield_per": BATCH})
        schema = _schema(table)
        for part in result.partitions(BATCH):
            yield pl.DataFrame([tuple(r) for r in part], schema=schema, orient="row")

    def one(self, sql: str) -> tuple[Any, ...] | None:
        row = self.conn.exec_driver_sql(sql).first()
        return None if row is None else tuple(row)

    def insert(self, values: dict[str, Any]) -> None:
        self.add("audit_checkpoints", values)

    def add(self, table: str, values: dict[str, Any]) -> None:
        # The values as parameters of the table's plain INSERT (compiled once and cached), not
        # in the statement (a new statement, its cache key walked, on every entry).
        self.conn.execute(t.metadata.tables[table].insert(), values)


class AdbcDb:
    def __init__(self, cur: Any) -> None:
        self.cur = cur

    def feed(self, h: Any, sql: str, table: str) -> None:
        self.cur.execute(sql)
        for batch in self.cur.fetch_record_batch():
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            _feed_frame(h, frame, table)

    def columns(self, table: str) -> str:
        return _sqlite_columns(table)

    def frames(
        self, sql: str, table: str, params: dict[str, Any] | None = None
    ) -> Iterator[pl.DataFrame]:
        assert not params, "the bulk path sums whole tables only"
        self.cur.execute(sql)
        for batch in self.cur.fetch_record_batch():
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield frame.cast(_schema(table))  # type: ignore[arg-type]

    def one(self, sql: str) -> tuple[Any, ...] | None:
        self.cur.execute(sql)
        row = self.cur.fetchone()
        return None if row is None else tuple(row)

    def insert(self, values: dict[str, Any]) -> None:
        self.add("audit_checkpoints", values)

    def add(self, table: str, values: dict[str, Any]) -> None:
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self.cur.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(values.values()))


def _pg_columns(table: str) -> str:
    """Each column as text, except floats: PostgreSQL's COPY writes both the same way always."""
    return ", ".join(
        c.name if isinstance(c.type, sa.Float) else f"CAST({c.name} AS TEXT) AS {c.name}"
        for c in t.metadata.tables[table].columns
    )


def _sqlite_columns(table: str) -> str:
    """Floats as numbers, written by Polars (SQLite's text of a REAL depends on the library's
    version, and the ADBC bulk path links its own); every other column as non-null text
    (``\\N`` for NULL: ADBC infers an expression's type from its first values, and a NULL
    there would read as an integer). Both SQLite drivers then yield the same bytes."""
    return ", ".join(
        c.name
        if isinstance(c.type, sa.Float)
        else f"COALESCE(CAST({c.name} AS TEXT), '\\N') AS {c.name}"
        for c in t.metadata.tables[table].columns
    )


def legacy_rows_digest(db: Db) -> str:
    """The earlier rows digest: sha256 over every row of the covered tables, in key order,
    each column as text (checkpoints written before the sum form are verified with it)."""
    h = hashlib.sha256()
    for table, pk in COVERED.items():
        h.update(f"table {table}\n".encode())
        db.feed(h, f"SELECT {db.columns(table)} FROM {table} ORDER BY {pk}", table)
    return str(h.hexdigest())


def row_sum(
    db: Db, key: bytes, table: str, where: str = "", params: dict[str, Any] | None = None
) -> int:
    """The sum (mod 2**256) of the keyed hashes of ``table``'s rows (``where``: some of them).

    A row's hash is HMAC-SHA256 over the table's name and the row as a JSON object of its
    columns as text: unambiguous, so no two different rows (or a row moved to another table)
    hash alike. Summing makes the order irrelevant and lets a write replace a few rows' terms.
    """
    schema = _schema(table)
    as_text = pl.struct(pl.col(c).cast(pl.Utf8) for c in schema).struct.json_encode()
    prefix = f"{table}\n".encode()
    total = 0
    sql = f"SELECT {db.columns(table)} FROM {table} {where}"
    for frame in db.frames(sql, table, params):
        for text in frame.select(as_text).to_series().to_list():
            total += int.from_bytes(hmac.digest(key, prefix + text.encode(), "sha256"), "big")
    return total % MOD


def sum_digest(total: int) -> str:
    return f"{SUM}{total % MOD:064x}"


def rows_digest(db: Db, key: bytes) -> str:
    """The digest of every row of the covered tables (the sum form: module docstring)."""
    return sum_digest(sum(row_sum(db, key, table) for table in COVERED))


def rows_match(db: Db, key: bytes, signed: str) -> bool:
    """Whether the covered rows are those a checkpoint signed, in whichever form it has."""
    now = rows_digest(db, key) if signed.startswith(SUM) else legacy_rows_digest(db)
    return hmac.compare_digest(now, signed)


def _rows(db: Db, key: bytes, prev: dict[str, Any] | None, carry: bool,
          delta: tuple[int, int] | None) -> str:
    """The new checkpoint's rows digest: carried, updated by the touched rows, or summed."""
    if prev is not None and carry:
        return str(prev["rows_digest"])
    if prev is not None and delta is not None and str(prev["rows_digest"]).startswith(SUM):
        before, after = delta
        return sum_digest(int(str(prev["rows_digest"])[len(SUM):], 16) - before + after)
    return rows_digest(db, key)


def assessments_digest(db: Db, after: int, upto: int) -> str:
    if upto <= after:
        return EMPTY
    h = hashlib.sha256()
    db.feed(
        h,
        f"SELECT {db.columns('assessments')} FROM assessments WHERE assessment_id "
        f"> {int(after)} AND assessment_id <= {int(upto)} ORDER BY assessment_id",
        "assessments",
    )
    return str(h.hexdigest())


def mac(key: bytes, cp: dict[str, Any]) -> str:
    body = json.dumps([str(cp.get(k)) for k in SIGNED]).encode("utf-8")
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def latest(db: Db) -> dict[str, Any] | None:
    names = ", ".join([*SIGNED, "mac"])
    row = db.one(f"SELECT {names} FROM audit_checkpoints ORDER BY checkpoint_id DESC LIMIT 1")
    return None if row is None else dict(zip([*SIGNED, "mac"], row, strict=True))


def record(
    db: Db, key: bytes, at: str, action: str = "", rows_delta: tuple[int, int] | None = None
) -> dict[str, Any]:
    """Append a checkpoint of the chain's head and the rows as they are now (in the caller's
    transaction, after its writes and its audit entry, whose ``action`` says whether the
    covered rows can have changed). ``rows_delta``: ``row_sum`` of every covered row the write
    touched, before and after it (it touched no other), so the digest needs no full read."""
    prev = latest(db)
    carry = prev is not None and action.startswith(LEAVES_ROWS)
    head = db.one("SELECT audit_id, hash FROM audit ORDER BY audit_id DESC LIMIT 1")
    upto_row = db.one("SELECT max(assessment_id) FROM assessments")
    upto = int(upto_row[0]) if upto_row and upto_row[0] is not None else 0
    after = 0 if prev is None else int(prev["assessments_upto"])
    cp: dict[str, Any] = {
        "checkpoint_id": 1 if prev is None else int(prev["checkpoint_id"]) + 1,
        "at": at,
        "entries": 0 if head is None else int(head[0]),
        "head_hash": None if head is None else str(head[1]),
        "rows_digest": _rows(db, key, prev, carry, rows_delta),
        "assessments_upto": upto,
        "assessments_digest": assessments_digest(db, after, upto),
        "prev_mac": None if prev is None else prev["mac"],
    }
    cp["mac"] = mac(key, cp)
    db.insert(cp)
    return cp


def all_checkpoints(conn: sa.Connection) -> Iterator[dict[str, Any]]:
    q = sa.select(t.audit_checkpoints).order_by(t.audit_checkpoints.c.checkpoint_id)
    for row in conn.execute(q, execution_options={"yield_per": 5000}).mappings():
        yield dict(row)
