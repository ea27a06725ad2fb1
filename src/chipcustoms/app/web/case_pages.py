"""The queue, the line page, and the case actions posted from them (assign, outcome,
override). Writes go through the same store functions as the API, as the logged-in user."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from chipcustoms.app.api.schemas import ROW_ID_MAX, ItemNo, RowId
from chipcustoms.app.api.screen_routes import decode_reasons
from chipcustoms.app.state import state
from chipcustoms.app.verification import declared_units, verify_capture
from chipcustoms.app.web import i18n
from chipcustoms.app.web.render import page
from chipcustoms.app.web.session import (
    PageError,
    Session,
    check_csrf,
    check_office,
    page_session,
    require_page,
)
from chipcustoms.errors import ChipCustomsError
from chipcustoms.policy.messages import localise, rules_by_ref
from chipcustoms.store import casework, pages
from chipcustoms.store.audit import acting_as

router = APIRouter(include_in_schema=False)
PAGE = 50
MAX_CAPTURE = 1_000_000  # bytes: lspci / nvidia-smi output is a few kB


@router.get("/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    channel: str | None = None,
    office: str | None = None,
    accelerator: str | None = None,
    age: str = Query("", pattern=r"^\d{0,4}$"),  # days; empty when the form field is
    status: str = Query("open", pattern="^(open|assigned|closed|all)$"),
    sort: str = Query("risk", pattern="^(risk|age)$"),
    offset: int = Query(0, ge=0, le=2**63 - 1),
    after: int | None = Query(None, ge=0, le=ROW_ID_MAX),  # keyset: the page after this case
    before: int | None = Query(None, ge=0, le=ROW_ID_MAX),
    session: Session = Depends(page_session),
) -> HTMLResponse:
    user = session.user
    if user.office is not None:
        check_office(session, office or user.office)
        office = user.office
    qq = pages.QueueQuery(
        channel=channel or None,
        office=office or None,
        accelerator=accelerator or None,
        min_age_days=int(age or 0) or None,
        status=status,
        sort=sort,
        limit=PAGE,
        offset=offset,
        after=after,
        before=before,
    )
    found = pages.queue(state(request).store, qq)
    rows = found.rows
    params = {
        k: v for k, v in request.query_params.items() if k not in ("offset", "after", "before")
    }
    profiles = pages.run_profiles(state(request).store, {int(r["run_id"]) for r in rows})
    return page(
        request,
        "queue.html",
        session,
        q=qq,
        total=found.total,
        start=found.start,
        rows=rows,
        page_size=PAGE,
        profiles=profiles,
        base=urlencode(params),
        offices=pages.offices(state(request).store),
        models=sorted(state(request).refs.catalog.by_id),
    )


def _line(request: Request, session: Session, declaration_id: str, item_no: int) -> Any:
    record = state(request).store.line(declaration_id, item_no)
    if record is None:
        raise PageError(404, f"No line {declaration_id} item {item_no}.")
    check_office(session, record["declaration"]["office"])
    return record


@router.get("/line/{declaration_id}/{item_no}", response_class=HTMLResponse)
def line(
    request: Request, declaration_id: str, item_no: ItemNo, session: Session = Depends(page_session)
) -> HTMLResponse:
    st = state(request)
    record = _line(request, session, declaration_id, item_no)
    history = decode_reasons(record["assessments"])
    latest = history[0] if history else None
    model = st.refs.catalog.by_id.get(latest["accelerator_id"]) if latest else None
    spec: dict[str, Any] | None = None
    if model is not None:
        rows = st.refs.catalog.frame().filter(accelerator_id=model.id).drop("hs_headings")
        spec = rows.to_dicts()[0] if rows.height else None
    reasons = (latest or {}).get("reasons") or []
    lang = i18n.choose(request)
    if lang != "en":  # the reader's language, from the packs' templates
        by_ref = rules_by_ref(lp.pack for lp in st.refs.packs)
        reasons = [{**r, "message": localise(r, by_ref, lang)} for r in reasons]
    profiles = pages.run_profiles(st.store, {int(h["run_id"]) for h in history})
    return page(
        request,
        "line.html",
        session,
        d=record["declaration"],
        latest=latest,
        history=history,
        profiles=profiles,
        spec=spec,
        reasons=[r for r in reasons if r.get("source") != "model"],
        contributions=[r for r in reasons if r.get("source") == "model"],
        hits=pages.screening_hits(st.store, declaration_id, item_no),
        case=record["case"],
        outcomes=record["outcomes"],
        overrides=pages.overrides(st.store, declaration_id, item_no),
        models=sorted(st.refs.catalog.by_id),
        channels=casework.CHANNELS,
    )


@contextlib.contextmanager
def _as_page() -> Iterator[None]:
    """A refused write (closed case, unknown assignee) as an error page with its status."""
    try:
        yield
    except ChipCustomsError as exc:
        raise PageError(exc.status, str(exc)) from exc


def _case_for(request: Request, session: Session, case_id: int) -> dict[str, Any]:
    case = casework.get_case(state(request).store, case_id)
    if case is None:
        raise PageError(404, f"No case {case_id}.")
    check_office(session, case["office"])
    return case


def _back(case: dict[str, Any], msg: str) -> RedirectResponse:
    url = f"/line/{quote(case['declaration_id'], safe='')}/{case['item_no']}?msg={quote(msg)}"
    return RedirectResponse(url, status_code=303)


@router.post("/cases/{case_id}/assign")
def assign(
    request: Request,
    case_id: RowId,
    csrf: str = Form(""),
    back: str = Form(""),
    session: Session = Depends(page_session),
) -> RedirectResponse:
    check_csrf(session, csrf)
    require_page(session, "assign")
    case = _case_for(request, session, case_id)
    st = state(request)
    with _as_page(), st.writing, acting_as(session.user.name):
        casework.assign(st.store, case_id, session.user.name)
    if back.startswith("/queue"):
        return RedirectResponse(back, status_code=303)
    return _back(case, f"Case {case_id} assigned to you.")


def _number(text: str, what: str) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise PageError(422, f"{what} must be a number, got {text!r}.") from None
    if value < 0:
        raise PageError(422, f"{what} cannot be negative.")
    return value


@router.post("/cases/{case_id}/outcome")
async def outcome(
    request: Request,
    case_id: RowId,
    csrf: str = Form(""),
    found: str = Form(...),
    real_accelerator_id: str = Form(""),
    real_units: str = Form(""),
    real_value_usd: str = Form(""),
    notes: str = Form(""),
    capture: UploadFile | None = None,
    session: Session = Depends(page_session),
) -> RedirectResponse:
    """What the inspection found, with an optional capture verified on the spot."""
    check_csrf(session, csrf)
    require_page(session, "outcome")
    case = _case_for(request, session, case_id)
    text = None
    if capture is not None and capture.filename:
        raw = await capture.read(MAX_CAPTURE + 1)
        if len(raw) > MAX_CAPTURE:
            raise PageError(413, "The capture is larger than 1 MB; upload the text output only.")
        text = raw.decode("utf-8", errors="replace")
    st = state(request)
    claimed = real_accelerator_id or None
    units = _number(real_units, "Units found")
    verification = verify_capture(
        text,
        st.refs,
        declared_id=case["accelerator_id"],
        reported_id=claimed,
        reported_units=units,
        declared_units=declared_units(st.store.line(case["declaration_id"], case["item_no"])),
    )
    with _as_page(), st.writing, acting_as(session.user.name):
        casework.record_outcome(
            st.store,
            case_id,
            found={"yes": True, "no": False}.get(found),
            real_accelerator_id=claimed,
            real_units=units,
            real_value_usd=_number(real_value_usd, "Real value"),
            capture=text,
            verification=verification,
            notes=notes or None,
        )
    return _back(case, f"Outcome recorded; case {case_id} closed.")


@router.post("/cases/{case_id}/override")
def override(
    request: Request,
    case_id: RowId,
    csrf: str = Form(""),
    channel: str = Form(...),
    reason: str = Form(...),
    session: Session = Depends(page_session),
) -> RedirectResponse:
    check_csrf(session, csrf)
    require_page(session, "override")
    if not reason.strip():
        raise PageError(422, "An override needs a reason.")
    case = _case_for(request, session, case_id)
    st = state(request)
    with _as_page(), st.writing, acting_as(session.user.name):
        casework.override(st.store, case_id, channel, reason.strip())
    return _back(case, f"Channel set to {channel}.")
