"""Users and batch jobs in the store (the server's tables); every write is audited."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from chipcustoms.app.users import ROLES, User, key_hash, new_key, password_hash
from chipcustoms.errors import ChipCustomsError
from chipcustoms.store import tables as t
from chipcustoms.store.audit_log import now
from chipcustoms.store.base import Store

u = t.users.c


def add_user(store: Store, name: str, role: str, office: str | None = None) -> str:
    """Create the user; returns the API key, which is stored only as a hash."""
    if role not in ROLES:
        raise ChipCustomsError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    key = new_key()
    with store.engine.begin() as conn:
        if conn.execute(sa.select(u.user_id).where(u.name == name)).first():
            raise ChipCustomsError(f"user {name!r} exists already")
        conn.execute(
            t.users.insert().values(
                name=name, role=role, office=office, key_hash=key_hash(key), created_at=now()
            )
        )
        store._audit(conn, "user.add", "user", name, None, {"role": role, "office": office})
    return key


def list_users(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(u.name, u.role, u.office, u.created_at, u.revoked_at).order_by(u.name)
        )
        return [dict(r) for r in rows.mappings()]


def _update(store: Store, name: str, action: str, **values: Any) -> None:
    with store.engine.begin() as conn:
        done = conn.execute(t.users.update().where(u.name == name).values(**values)).rowcount
        if not done:
            raise ChipCustomsError(f"no user {name!r}")
        shown = {k: ("(hash)" if k.endswith("hash") else v) for k, v in values.items()}
        store._audit(conn, action, "user", name, None, shown)


def revoke_user(store: Store, name: str) -> None:
    _update(store, name, "user.revoke", revoked_at=now(), key_hash=None)


def end_sessions(store: Store, name: str) -> None:
    """Log the user out everywhere: web cookies carry the session version they were issued
    under, and it moves on."""
    with store.engine.begin() as conn:
        conn.execute(t.users.update().where(u.name == name)
                     .values(session_version=u.session_version + 1))
        store._audit(conn, "user.logout", "user", name, None, None)


def set_password(store: Store, name: str, password: str) -> None:
    if len(password) < 8:
        raise ChipCustomsError("a password needs at least 8 characters")
    _update(store, name, "user.set_password", password_hash=password_hash(password))


def find_user(store: Store, name: str) -> User | None:
    """The active (not revoked) user of that name, if any."""
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(u.name, u.role, u.office).where(u.name == name, u.revoked_at.is_(None))
        ).first()
    return None if row is None else User(row.name, row.role, row.office)


def user_for_key(store: Store, key: str) -> User | None:
    """The active user holding ``key``; None for unknown, forged or revoked keys."""
    with store.engine.connect() as conn:
        row = conn.execute(_USER_OF_KEY, {"hash": key_hash(key)}).first()
    return None if row is None else User(row.name, row.role, row.office)


# Built once: every API request looks its key up, and building the statement and its cache
# key per request cost more than the indexed lookup (the same holds for the office check).
_USER_OF_KEY = sa.select(u.name, u.role, u.office).where(
    u.key_hash == sa.bindparam("hash"), u.revoked_at.is_(None)
)


j = t.jobs.c


def create_job(store: Store, file: str, mapping: str | None, by: str) -> int:
    with store.engine.begin() as conn:
        pk = conn.execute(
            t.jobs.insert().values(
                state="queued", file=file, mapping=mapping, done=0, created_by=by, created_at=now()
            )
        ).inserted_primary_key
        assert pk is not None
        store._audit(conn, "job.create", "job", str(pk[0]), None, {"file": file})
    return int(pk[0])


def update_job(store: Store, job_id: int, **values: Any) -> None:
    for k in ("counts", "quarantine"):
        if k in values:
            values[k] = json.dumps(values[k], default=str)
    if values.get("state") in ("done", "failed"):
        values["finished_at"] = now()
    with store.engine.begin() as conn:
        conn.execute(t.jobs.update().where(j.job_id == job_id).values(**values))
        if "state" in values:
            store._audit(conn, f"job.{values['state']}", "job", str(job_id), None, values)


def get_job(store: Store, job_id: int) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(t.jobs).where(j.job_id == job_id)).mappings().first()
    if row is None:
        return None
    out = dict(row)
    for k in ("counts", "quarantine"):
        out[k] = None if out[k] is None else json.loads(out[k])
    return out


_OFFICE_OF_KEY = sa.select(t.declarations.c.office).where(
    t.declarations.c.declaration_id == sa.bindparam("decl"),
    t.declarations.c.item_no == sa.bindparam("item"),
)


def stored_offices(store: Store, keys: list[tuple[str, int]]) -> dict[tuple[str, int], str | None]:
    """The office of each key already stored (keys not stored are absent): a write through the
    API must not move or overwrite a line of an office its caller does not see."""
    d = t.declarations.c
    out: dict[tuple[str, int], str | None] = {}
    with store.engine.connect() as conn:
        if len(keys) == 1:  # the common request: a plain cached statement, no IN list to expand
            (decl, item), = keys
            office = conn.execute(_OFFICE_OF_KEY, {"decl": decl, "item": item}).first()
            return {} if office is None else {(decl, int(item)): office[0]}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = conn.execute(
                sa.select(d.declaration_id, d.item_no, d.office).where(
                    sa.tuple_(d.declaration_id, d.item_no).in_(chunk)
                )
            )
            out.update({(r.declaration_id, int(r.item_no)): r.office for r in rows})
    return out
