"""Declarations and case work: the queue, assignment, outcomes, overrides (office-scoped)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam

from chipcustoms.app.api.contract import AUTH, BODY, answers
from chipcustoms.app.api.envelope import APIError
from chipcustoms.app.api.schemas import (
    JSON_INT_MAX,
    TEXT,
    AssignRequest,
    OutcomeRequest,
    OverrideRequest,
    RowId,
)
from chipcustoms.app.api.screen_routes import decode_reasons
from chipcustoms.app.auth import check_office, require
from chipcustoms.app.state import state
from chipcustoms.app.users import User
from chipcustoms.app.verification import declared_units, verify_capture
from chipcustoms.store import Store, casework
from chipcustoms.store.audit import acting_as

router = APIRouter(prefix="/v1", tags=["cases"])
CASE = {
    "case_id": 1,
    "declaration_id": "D1",
    "item_no": 1,
    "office": "SZ01",
    "channel": "red",
    "status": "open",
    "accelerator_id": "nvidia-h20",
    "assigned_to": None,
    "risk_score": 0.91,
}
DECLARATION = {
    "declaration_id": "D1",
    "items": [
        {
            "declaration": {"declaration_id": "D1", "item_no": 1, "office": "SZ01"},
            "assessments": [],
            "latest": None,
        }
    ],
}


def body(example: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` giving a request body its example."""
    return {"requestBody": {"content": {"application/json": {"example": example}}}}


@router.get("/declarations/{declaration_id}", responses=answers(DECLARATION, *AUTH, 404, 422))
def declaration(
    declaration_id: Annotated[str, PathParam(pattern=TEXT)],
    request: Request,
    user: User = Depends(require("read")),
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


@router.get(
    "/cases", responses=answers({"total": 1, "limit": 50, "offset": 0, "cases": [CASE]}, *AUTH, 422)
)
def cases(
    request: Request,
    channel: Literal["green", "yellow", "red", "blue"] | None = None,
    status: str | None = Query(None, pattern=TEXT),
    office: str | None = Query(None, pattern=TEXT),
    accelerator: str | None = Query(None, pattern=TEXT),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=JSON_INT_MAX),
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


@router.get("/cases/{case_id}", responses=answers(CASE, *AUTH, 404, 422))
def case(case_id: RowId, request: Request, user: User = Depends(require("read"))) -> dict[str, Any]:
    return _case(state(request).store, case_id, user)


@router.post(
    "/cases/{case_id}/assign",
    openapi_extra=body({"to": "ines"}),
    responses=answers(CASE | {"assigned_to": "ines", "status": "assigned"}, *AUTH, *BODY, 404, 409),
)
def assign(
    case_id: RowId, body: AssignRequest, request: Request, user: User = Depends(require("assign"))
) -> dict[str, Any]:
    store = state(request).store
    _case(store, case_id, user)
    with acting_as(user.name):
        return casework.assign(store, case_id, body.to or user.name)


@router.post(
    "/cases/{case_id}/outcome",
    openapi_extra=body(
        {"found": True, "real_accelerator_id": "nvidia-h100-pcie", "real_units": 8, "notes": "x"}
    ),
    responses=answers({"case_id": 1, "found": True, "recorded_by": "ines"}, *AUTH, *BODY, 404, 409),
)
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


@router.post(
    "/cases/{case_id}/override",
    openapi_extra=body({"channel": "red", "reason": "intelligence report 7"}),
    responses=answers(CASE | {"channel": "red"}, *AUTH, *BODY, 404, 409),
)
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
