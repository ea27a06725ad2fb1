"""The Store interface and what every backend shares (migrations, reads through SQLAlchemy)."""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from chipcustoms import settings
from chipcustoms.errors import StoreBusy, StoreError
from chipcustoms.store import checkpoints, runlife
from chipcustoms.store import tables as t
from chipcustoms.store.audit import GENESIS, current_actor, entry_hash

HERE = Path(__file__).parent


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def actor() -> str:
    """Who is acting: the server's user for this request, $CHIPCUSTOMS_USER, else the OS user."""
    acting = current_actor()
    if acting:
        return acting
    try:
        fallback = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        fallback = "unknown"
    return settings.get("user") or fallback


def default_db_path() -> str:
    return settings.get("db") or "chipcustoms.db"


def alembic_config(connection: sa.Connection) -> Config:
    cfg = Config(str(HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


class Store(ABC):
    """What the pipeline and the CLI may ask of a store."""

    engine: sa.Engine

    def upgrade(self) -> None:
        """Apply pending migrations (Alembic)."""
        with self.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")

    def check_schema(self) -> None:
        """Refuse to run on a schema this version does not know (newer than head)."""
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            script = ScriptDirectory.from_config(alembic_config(conn))
            known = {r.revision for r in script.walk_revisions()}
            head = script.get_current_head()
        if current is not None and current not in known:
            raise StoreError(
                f"store schema {current!r} is unknown to this chipcustoms "
                f"(knows up to {head!r}); upgrade chipcustoms"
            )
        if current != head:
            raise StoreError(
                f"store schema is at {current!r}, expected {head!r}: run `chipcustoms db upgrade`"
            )

    # --- runs and audit -------------------------------------------------------------------
    def start_run(
        self,
        *,
        command: str,
        inputs: list[str],
        mapping: str,
        versions: dict[str, Any],
        seed: int,
        budgets: dict[str, Any],
    ) -> int:
        with self.engine.begin() as conn:
            pk = conn.execute(
                t.runs.insert().values(
                    started_at=now(),
                    actor=actor(),
                    command=command,
                    inputs=json.dumps(inputs),
                    mapping=mapping,
                    versions=json.dumps(versions),
                    seed=seed,
                    budgets=json.dumps(budgets),
                    status="running",
                    owner=runlife.owner(),
                )
            ).inserted_primary_key
            assert pk is not None  # a single-row insert always reports its key
            run_id = pk[0]
            self._audit(
                conn,
                "run.start",
                "run",
                str(run_id),
                None,
                {"command": command, "inputs": inputs, "budgets": budgets, "seed": seed},
            )
        return int(run_id)

    def finish_run(
        self, run_id: int, *, counts: dict[str, Any], thresholds: dict[str, Any]
    ) -> None:
        with self.engine.begin() as conn:
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
            self._audit(
                conn,
                "run.finish",
                "run",
                str(run_id),
                None,
                {"counts": counts, "thresholds": thresholds, "cases": cases},
            )

    def _audit(
        self,
        conn: sa.Connection,
        action: str,
        entity: str,
        entity_id: str | None,
        before: Any,
        after: Any,
    ) -> None:
        """Append one hash-chained entry (chipcustoms.store.audit) in the caller's transaction."""
        self._serialize_audit(conn)
        last = conn.execute(
            sa.select(t.audit.c.audit_id, t.audit.c.hash)
            .order_by(t.audit.c.audit_id.desc())
            .limit(1)
        ).first()
        entry: dict[str, Any] = {
            "audit_id": 1 if last is None else int(last.audit_id) + 1,
            "at": now(),
            "actor": actor(),
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": None if before is None else json.dumps(before, default=str),
            "after": None if after is None else json.dumps(after, default=str),
        }
        prev = GENESIS if last is None else str(last.hash)
        key = self.audit_key
        conn.execute(
            t.audit.insert().values(**entry, prev_hash=prev, hash=entry_hash(prev, entry, key))
        )
        checkpoints.record(checkpoints.SaDb(conn), key, entry["at"], action)

    @property
    def audit_key(self) -> bytes:
        """The key of the audit chain and its checkpoints (store/checkpoints.py), read once."""
        key: bytes | None = self.__dict__.get("_audit_key")
        if key is None:
            key = self.__dict__["_audit_key"] = checkpoints.audit_key(self.engine.url)
        return key

    @abstractmethod
    def _serialize_audit(self, conn: sa.Connection) -> None:
        """Hold the store's write lock before reading the chain's tail (one writer at a time)."""

    def audit_entries(self) -> Iterator[dict[str, Any]]:
        """Every audit entry in chain order, streamed."""
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=5000).execute(
                sa.select(t.audit).order_by(t.audit.c.audit_id)
            )
            for row in result.mappings():
                yield dict(row)

    # --- bulk writes (backend-specific fast paths) ------------------------------------------
    @abstractmethod
    def save_lines(self, run_id: int, lines: pl.DataFrame) -> int:
        """Upsert the declared lines (one current row per key); returns how many were updated.

        Separate from the assessments so that a caller may store the lines while it assesses.
        """

    @abstractmethod
    def save_assessments(self, run_id: int, assessments: pl.DataFrame) -> None:
        """Append one assessment per line; hold a case for each selected line, which
        ``finish_run`` opens (or updates) when the run completes."""

    def save_batch(self, run_id: int, lines: pl.DataFrame, assessments: pl.DataFrame) -> None:
        """Both of the above, lines first."""
        self.save_lines(run_id, lines)
        self.save_assessments(run_id, assessments)

    # --- reads --------------------------------------------------------------------------------
    def line(self, declaration_id: str, item_no: int = 1) -> dict[str, Any] | None:
        """The declared line, its assessments (newest first), its case and outcomes."""
        with self.engine.connect() as conn:
            decl = (
                conn.execute(
                    sa.select(t.declarations).where(
                        t.declarations.c.declaration_id == declaration_id,
                        t.declarations.c.item_no == item_no,
                    )
                )
                .mappings()
                .first()
            )
            if decl is None:
                return None
            history = (
                conn.execute(
                    sa.select(t.assessments)
                    .where(
                        t.assessments.c.declaration_id == declaration_id,
                        t.assessments.c.item_no == item_no,
                    )
                    .order_by(t.assessments.c.assessment_id.desc())
                )
                .mappings()
                .all()
            )
            case = (
                conn.execute(
                    sa.select(t.cases).where(
                        t.cases.c.declaration_id == declaration_id, t.cases.c.item_no == item_no
                    )
                )
                .mappings()
                .first()
            )
            outcomes = []
            if case is not None:
                outcomes = [
                    dict(r)
                    for r in conn.execute(
                        sa.select(t.outcomes).where(t.outcomes.c.case_id == case["case_id"])
                    )
                    .mappings()
                    .all()
                ]
        return {
            "declaration": dict(decl),
            "assessments": [dict(a) for a in history],
            "case": dict(case) if case else None,
            "outcomes": outcomes,
        }

    def items_of(self, declaration_id: str) -> list[int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.declarations.c.item_no)
                .where(t.declarations.c.declaration_id == declaration_id)
                .order_by(t.declarations.c.item_no)
            ).all()
        return [int(r[0]) for r in rows]

    def latest_thresholds(
        self, profile: str | None = None
    ) -> tuple[int, dict[str, float | None]] | None:
        """The score cut-offs implied by the newest finished budget-mode run (threshold mode);
        with ``profile``, the newest run under that jurisdiction profile (runs recorded before
        profiles existed count as `all`): cut-offs of another border's day do not transfer."""
        with self.engine.connect() as conn:
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

    def runs(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(sa.select(t.runs).order_by(t.runs.c.run_id)).mappings().all()
            ]

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).select_from(t.metadata.tables[table])
                ).scalar_one()
            )

    # --- learned model versions ----------------------------------------------------
    def save_model(self, record: dict[str, Any], *, activate: bool = True) -> int:
        """Store a trained version (JSON fields as dicts); the newest trained is active unless
        ``activate`` is False. Returns its version number."""
        values = {
            **{k: json.dumps(record[k]) for k in ("source", "params", "features", "metrics")},
            **{k: record[k] for k in ("label", "fingerprint", "booster", "encodings")},
        }
        with self.engine.begin() as conn:
            pk = conn.execute(
                t.models.insert().values(
                    **values, created_at=now(), actor=actor(), active=False
                )
            ).inserted_primary_key
            assert pk is not None  # a single-row insert always reports its key
            version = int(pk[0])
            self._audit(
                conn,
                "model.train",
                "model",
                str(version),
                None,
                {k: record[k] for k in ("label", "fingerprint", "source", "metrics")},
            )
            if activate:
                self._activate(conn, version)
        return version

    def models(self) -> list[dict[str, Any]]:
        """Every version, oldest first, without the model text and encodings."""
        cols = [c for c in t.models.c if c.name not in ("booster", "encodings")]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(*cols).order_by(t.models.c.version)).mappings().all()
        return [_decoded(dict(r)) for r in rows]

    def model(self, version: int | None = None) -> dict[str, Any] | None:
        """One version in full; the active one when ``version`` is None (None if none is)."""
        where = t.models.c.active.is_(True) if version is None else t.models.c.version == version
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.models).where(where)).mappings().first()
        return None if row is None else _decoded(dict(row))

    def activate_model(self, version: int) -> None:
        """Make ``version`` the one screening uses (activating an older one is the rollback)."""
        with self.engine.begin() as conn:
            self._activate(conn, version)

    def _activate(self, conn: sa.Connection, version: int) -> None:
        exists = conn.execute(
            sa.select(t.models.c.version).where(t.models.c.version == version)
        ).first()
        if exists is None:
            raise StoreError(f"model version {version} is not in the store")
        before = conn.execute(
            sa.select(t.models.c.version).where(t.models.c.active.is_(True))
        ).scalar()
        conn.execute(t.models.update().values(active=t.models.c.version == version))
        self._audit(conn, "model.activate", "model", str(version), before, version)

    def labelled_lines(self, until: str | None = None) -> pl.DataFrame:
        """Stored lines with an outcome: the latest recorded inspection (found or not), else
        the label the line was imported with. ``until`` (ISO date) keeps earlier lines only."""
        d, c, o = t.declarations, t.cases, t.outcomes
        latest = (
            sa.select(o.c.case_id, sa.func.max(o.c.outcome_id).label("oid"))
            .group_by(o.c.case_id)
            .subquery()
        )
        found = (
            sa.select(c.c.declaration_id, c.c.item_no, o.c.found)
            .join(latest, latest.c.case_id == c.c.case_id)
            .join(o, o.c.outcome_id == latest.c.oid)
            .subquery()
        )
        label = sa.case((found.c.found.is_not(None), found.c.found), else_=d.c.fraud)
        q = (
            sa.select(*[col for col in d.c if col.name != "fraud"], label.label("fraud"))
            .outerjoin(
                found,
                (found.c.declaration_id == d.c.declaration_id)
                & (found.c.item_no == d.c.item_no),
            )
            .where(label.is_not(None))
        )
        if until:
            q = q.where(d.c.date < until)
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        return pl.DataFrame([dict(r) for r in rows], infer_schema_length=None)


    # --- watchlists, allow-list, screening hits ------------------------------------
    def save_watchlist(self, name: str, fmt: str, source: str, entities: pl.DataFrame) -> int:
        """Store ``entities`` as the next version of list ``name`` in one transaction.

        An entity whose content (digest) is unchanged since the previous version keeps its
        ``changed_at``, so `rescreen --since` sees only what really changed.
        """
        at = now()
        with self.engine.begin() as conn:
            prev = conn.execute(
                sa.select(t.watchlists.c.list_id, t.watchlists.c.version)
                .where(t.watchlists.c.name == name)
                .order_by(t.watchlists.c.version.desc())
                .limit(1)
            ).first()
            kept: dict[tuple[str, str], str] = {}
            if prev is not None:
                kept = {
                    (r.entity_id, r.digest): r.changed_at
                    for r in conn.execute(
                        sa.select(
                            t.watchlist_entities.c.entity_id,
                            t.watchlist_entities.c.digest,
                            t.watchlist_entities.c.changed_at,
                        ).where(t.watchlist_entities.c.list_id == prev.list_id)
                    )
                }
            version = 1 if prev is None else int(prev.version) + 1
            pk = conn.execute(
                t.watchlists.insert().values(
                    name=name,
                    version=version,
                    format=fmt,
                    source=source,
                    entity_count=entities.height,
                    loaded_at=at,
                    loaded_by=actor(),
                )
            ).inserted_primary_key
            assert pk is not None  # a single-row insert always reports its key
            multi = ("aliases", "countries", "addresses", "identifiers")
            rows = entities.with_columns(pl.col(c).list.join("\x1f") for c in multi).to_dicts()
            for r in rows:
                for c in multi:
                    r[c] = json.dumps(r[c].split("\x1f") if r[c] else [], ensure_ascii=False)
                r["list_id"] = pk[0]
                r["changed_at"] = kept.get((r["entity_id"], r["digest"]), at)
            conn.execute(t.watchlist_entities.insert(), rows)
            self._audit(
                conn, "watchlist.load", "watchlist", name, None,
                {"version": version, "source": source, "entities": entities.height},
            )
        return version

    def watchlists(self) -> list[dict[str, Any]]:
        """Every loaded version of every list, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.watchlists).order_by(t.watchlists.c.name, t.watchlists.c.version)
            )
            return [dict(r) for r in rows.mappings().all()]

    def watchlist_entities(
        self, names: list[str] | None = None, *, since: str | None = None
    ) -> pl.DataFrame:
        """The entities of the newest version of each list (or of ``names``), with
        ``list_name`` and ``list_version``; with ``since``, only those changed at or after it."""
        latest = (
            sa.select(t.watchlists.c.name, sa.func.max(t.watchlists.c.version).label("v"))
            .group_by(t.watchlists.c.name)
            .subquery()
        )
        w, e = t.watchlists, t.watchlist_entities
        q = (
            sa.select(
                w.c.name.label("list_name"),
                w.c.version.label("list_version"),
                *[e.c[c] for c in ("entity_id", "schema", "name", "aliases", "countries",
                                   "addresses", "identifiers", "changed_at")],
            )
            .join(latest, sa.and_(latest.c.name == w.c.name, latest.c.v == w.c.version))
            .join(e, e.c.list_id == w.c.list_id)
        )
        if names:
            q = q.where(w.c.name.in_(names))
        if since:
            q = q.where(e.c.changed_at >= since)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(q).mappings().all()]
        lists = ("aliases", "countries", "addresses", "identifiers")
        for r in rows:
            for c in lists:
                r[c] = json.loads(r[c] or "[]")
        text = ("list_name", "entity_id", "schema", "name", "changed_at")
        schema: dict[str, pl.DataType] = {c: pl.Utf8() for c in text}
        schema.update({"list_version": pl.Int64(), **{c: pl.List(pl.Utf8()) for c in lists}})
        return pl.DataFrame(rows, schema=schema)

    def allow(self, party_name: str, list_name: str, entity_id: str, reason: str) -> None:
        """Clear one (declared name, list entity) pair; who and when are recorded."""
        with self.engine.begin() as conn:
            conn.execute(
                t.allow_list.insert().values(
                    party_name=party_name, list_name=list_name, entity_id=entity_id,
                    reason=reason, cleared_by=actor(), cleared_at=now(),
                )
            )
            self._audit(conn, "allow.add", "allow_list", entity_id, None,
                        {"party_name": party_name, "list_name": list_name, "reason": reason})

    def allowed(self) -> pl.DataFrame:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.allow_list.c.party_name, t.allow_list.c.list_name,
                          t.allow_list.c.entity_id)
            ).all()
        return pl.DataFrame(
            [tuple(r) for r in rows], orient="row",
            schema={"party_name": pl.Utf8, "list_name": pl.Utf8, "entity_id": pl.Utf8},
        )

    def declared_parties(self) -> pl.DataFrame:
        """Key and party names of every stored line (what `rescreen` screens again)."""
        d = t.declarations
        cols = ["declaration_id", "item_no", "importer_name", "exporter_name", "consignee_name"]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(*[d.c[c] for c in cols])).all()
        return pl.DataFrame(
            [tuple(r) for r in rows], orient="row",
            schema={c: pl.Int64 if c == "item_no" else pl.Utf8 for c in cols},
        )

    def save_screening_hits(self, run_id: int, hits: pl.DataFrame) -> None:
        at = now()
        rows = hits.with_columns(
            pl.lit(run_id).alias("run_id"), pl.lit(at).alias("created_at")
        ).select([c.name for c in t.screening_hits.columns if c.name != "hit_id"]).to_dicts()
        with self.engine.begin() as conn:
            if rows:
                conn.execute(t.screening_hits.insert(), rows)


def open_store(
    url_or_path: str | None = None, *, upgrade: bool = True, busy_seconds: float | None = None
) -> Store:
    """A store for a SQLite path (default) or a database URL; runs whose process is gone are
    marked failed (store/runlife.py). ``busy_seconds``: how long a SQLite write waits for
    another writer (default: the ``busy_seconds`` setting)."""
    target = url_or_path or default_db_path()
    store: Store
    if target.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from chipcustoms.store.postgres import PostgresStore

        store = PostgresStore(target)
    elif "://" in target and not target.startswith("sqlite:///"):
        raise StoreError(f"{target}: use a SQLite path or a postgresql:// URL")
    else:
        from chipcustoms.store.sqlite import SQLiteStore

        store = SQLiteStore(target.removeprefix("sqlite:///"), busy_seconds=busy_seconds)
    try:
        if upgrade:
            store.upgrade()
        store.check_schema()
        with contextlib.suppress(StoreBusy):  # a writer holds the store: reap at the next open
            runlife.reap(store)
    except sa.exc.OperationalError as exc:
        raise StoreError(f"{_shown(target)}: cannot reach the store ({exc.orig})") from exc
    return store


def _shown(target: str) -> str:
    """The URL without its password, for messages."""
    return sa.engine.make_url(target).render_as_string() if "://" in target else target


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    """A `models` row with its JSON fields parsed."""
    for k in ("source", "params", "features", "metrics"):
        if row.get(k) is not None:
            row[k] = json.loads(row[k])
    return row
