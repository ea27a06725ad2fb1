"""Case work in the store: the queue, assignment, inspection outcomes, officer overrides.

Each write records the case before and after in the audit log, in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from chipcustoms.errors import (
    ChipCustomsError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
)
from chipcustoms.store import tables as t
from chipcustoms.store.audit_log import actor, now
from chipcustoms.store.base import Store

c = t.cases.c
a = t.assessments.c
CHANNELS = ("green", "yellow", "red", "blue")


def _queue_query() -> sa.Select[Any]:
    """Cases with the accelerator of the assessment that opened or last updated them."""
    return sa.select(t.cases, a.accelerator_id, a.top_reason).outerjoin(
        t.assessments,
        sa.and_(
            a.declaration_id == c.declaration_id, a.item_no == c.item_no, a.run_id == c.run_id
        ),
    )


def list_cases(
    store: Store,
    *,
    channel: str | None = None,
    status: str | None = None,
    office: str | None = None,
    accelerator: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """One page of the queue, riskiest first, and how many cases match in all."""
    q = _queue_query()
    for col, value in ((c.channel, channel), (c.status, status), (c.office, office)):
        if value is not None:
            q = q.where(col == value)
    if accelerator is not None:
        q = q.where(a.accelerator_id == accelerator)
    with store.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
        page = conn.execute(
            q.order_by(c.risk_score.desc(), c.case_id).limit(limit).offset(offset)
        ).mappings()
        return int(total), [dict(r) for r in page]


def get_case(store: Store, case_id: int) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(_queue_query().where(c.case_id == case_id)).mappings().first()
    return None if row is None else dict(row)


def _case_row(conn: sa.Connection, case_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(t.cases).where(c.case_id == case_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no case {case_id}")
    return dict(row)


def _change(
    store: Store,
    case_id: int,
    action: str,
    also: Callable[[sa.Connection, dict[str, Any]], None] | None = None,
    **values: Any,
) -> dict[str, Any]:
    with store.engine.begin() as conn:
        conn.execute(t.cases.update().where(c.case_id == case_id).values(updated_at=now()))
        before = _case_row(conn, case_id)
        if before["status"] == "closed" and action != "case.override":
            raise ConflictError(f"case {case_id} is closed")
        if also is not None:
            also(conn, before)
        conn.execute(t.cases.update().where(c.case_id == case_id).values(**values))
        after = _case_row(conn, case_id)
        store._audit(conn, action, "case", str(case_id), before, after)
    return after


def assign(store: Store, case_id: int, to: str) -> dict[str, Any]:
    """Assign to ``to``: an active user (404 otherwise) whose role works cases and whose office
    is the case's, or every office (422 otherwise)."""
    from chipcustoms.store.access import find_user

    case = _read_case(store, case_id)
    user = find_user(store, to)
    if user is None:
        raise NotFoundError(f"no active user {to!r}")
    if not user.may("assign") or not user.sees_office(case["office"]):
        raise InvalidRequestError(
            f"{to} ({user.role}, office {user.office or 'all'}) cannot work case {case_id} "
            f"of office {case['office']}"
        )
    return _change(store, case_id, "case.assign", assigned_to=to, status="assigned")


def _read_case(store: Store, case_id: int) -> dict[str, Any]:
    with store.engine.connect() as conn:
        return _case_row(conn, case_id)


def found_from(stated: bool | None, verification: str | None) -> bool:
    """The one rule for "found": the inspector's answer when given; otherwise the capture's
    verdict against the declaration (anything but a match is an irregularity)."""
    if stated is not None:
        return stated
    if verification is None:
        raise InvalidRequestError("an outcome needs found=yes/no or a capture to decide it")
    return bool(json.loads(verification).get("status") != "match")


def record_outcome(
    store: Store,
    case_id: int,
    *,
    found: bool | None,
    real_accelerator_id: str | None,
    real_units: float | None,
    real_value_usd: float | None,
    capture: str | None,
    verification: str | None,
    notes: str | None,
) -> dict[str, Any]:
    """Store what the inspection found and close the case: the one way an outcome is recorded
    (API, web form and ``verify --declaration``). A closed case refuses another (409)."""
    with store.engine.begin() as conn:
        conn.execute(t.cases.update().where(c.case_id == case_id).values(updated_at=now()))
        before = _case_row(conn, case_id)  # read after a write: the row is locked for us
        if before["status"] == "closed":
            raise ConflictError(f"case {case_id} is closed: it has its outcome")
        outcome = {
            "case_id": case_id,
            "found": found_from(found, verification),
            "real_accelerator_id": real_accelerator_id,
            "real_units": real_units,
            "real_value_usd": real_value_usd,
            "capture": capture,
            "verification": verification,
            "notes": notes,
            "recorded_by": actor(),
            "recorded_at": now(),
        }
        conn.execute(t.outcomes.insert().values(**outcome))
        conn.execute(
            t.cases.update().where(c.case_id == case_id).values(status="closed", updated_at=now())
        )
        store._audit(conn, "case.outcome", "case", str(case_id), before, outcome)
    return outcome


def override(store: Store, case_id: int, channel: str, reason: str) -> dict[str, Any]:
    """An officer sets the channel; the old one and the reason are kept."""
    if channel not in CHANNELS:
        raise ChipCustomsError(f"channel must be one of {', '.join(CHANNELS)}")

    def keep(conn: sa.Connection, case: dict[str, Any]) -> None:
        conn.execute(
            t.overrides.insert().values(
                declaration_id=case["declaration_id"],
                item_no=case["item_no"],
                old_channel=case["channel"],
                new_channel=channel,
                reason=reason,
                by=actor(),
                at=now(),
            )
        )

    return _change(store, case_id, "case.override", keep, channel=channel)
