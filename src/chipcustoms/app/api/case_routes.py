"""Declarations and case work: the queue, assignment, outcomes, overrides (office-scoped)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from chipcustoms.app.api.envelope import APIError
from chipcustoms.app.api.schemas import AssignRequest, OutcomeRequest, OverrideRequest, RowId
from chipcustoms.app.api.screen_routes import decode_reasons
from chipcustoms.app.auth import check_office, require
from chipcustoms.app.state import state
from chipcustoms.app.users import User
from chipcustoms.app.verification import declared_units, verify_capture
from chipcustoms.store import Store, casework
from chipcustoms.store.audit import acting_as

router = APIRouter(prefix="/v1", tags=["cases"])


@router.get("/declarations/{declaration_id}")
def declaration(
    declaration_id: str, request: Request, user: User = Depends(require("read"))
) -> dict[str, Any]:
    """Every item of the declaration: the line, its assessments (newest first), case, outcomes."""
    store = state(request).store
    items = []
    for item_no in store.items_of(declaration_id):
        record = store.line(declaration_id, item_no)
        assert record is not None  # listed just above
        check_office(user, record["declaration"]["office"], f"declaration {declaration_id}")
        record["assessments"] = decode_reasons(record["assessments"])
        record["latest"] = record["assessments"][0] if record["assessments"] else None
        items.append(record)
    if not items:
        raise APIError(404, "not_found", f"no declaration {declaration_id}")
    return {"declaration_id": declaration_id, "items": items}


@router.get("/cases")
def cases(
    request: Request,
    channel: str | None = None,
    status: str | None = None,
    office: str | None = None,
    accelerator: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=2**63 - 1),
    user: User = Depends(require("read")),
) -> dict[str, Any]:
    """The queue, riskiest first. A user scoped to an office sees only that office's cases."""
    if user.office is not None:
        check_office(user, office or user.office, "that queue")
        office = user.office
    total, page = casework.list_cases(
        state(request).store,
        channel=channel,
        status=status,
        office=office,
        accelerator=accelerator,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "limit": limit, "offset": offset, "cases": page}


def _case(store: Store, case_id: int, user: User) -> dict[str, Any]:
    case = casework.get_case(store, case_id)
    if case is None:
        raise APIError(404, "not_found", f"no case {case_id}")
    check_office(user, case["office"], f"case {case_id}")
    return case


@router.get("/cases/{case_id}")
def case(case_id: RowId, request: Request, user: User = Depends(require("read"))) -> dict[str, Any]:
    return _case(state(request).store, case_id, user)


@router.post("/cases/{case_id}/assign")
def assign(
    case_id: RowId, body: AssignRequest, request: Request, user: User = Depends(require("assign"))
) -> dict[str, Any]:
    store = state(request).store
    _case(store, case_id, user)
    with acting_as(user.name):
        return casework.assign(store, case_id, body.to or user.name)


@router.post("/cases/{case_id}/outcome")
def outcome(
    case_id: RowId, body: OutcomeRequest, request: Request, user: User = Depends(require("outcome"))
) -> dict[str, Any]:
    """What the inspection found; a capture is checked against the catalog. Closes the case."""
    st = state(request)
    case = _case(st.store, case_id, user)
    verification = verify_capture(
        body.capture,
        st.refs,
        declared_id=case["accelerator_id"],
        declared_units=declared_units(st.store.line(case["declaration_id"], case["item_no"])),
        reported_id=body.real_accelerator_id,
        reported_units=body.real_units,
    )
    with acting_as(user.name):
        return casework.record_outcome(
            st.store,
            case_id,
            found=body.found,
            real_accelerator_id=body.real_accelerator_id,
            real_units=body.real_units,
            real_value_usd=body.real_value_usd,
            capture=body.capture,
            verification=verification,
            notes=body.notes,
        )


@router.post("/cases/{case_id}/override")
def override(
    case_id: RowId,
    body: OverrideRequest,
    request: Request,
    user: User = Depends(require("override")),
) -> dict[str, Any]:
    store = state(request).store
    _case(store, case_id, user)
    with acting_as(user.name):
        return casework.override(store, case_id, body.channel, body.reason)
