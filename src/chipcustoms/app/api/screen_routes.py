"""Screening: single lines synchronously in threshold mode, files as batch jobs."""

from __future__ import annotations

import io
import json
import re
from typing import Any, Literal

import orjson
import polars as pl
from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from chipcustoms.app.api import uploads
from chipcustoms.app.api.contract import AUTH, BODY, answers
from chipcustoms.app.api.envelope import APIError
from chipcustoms.app.api.schemas import (
    RESERVED,
    RowId,
    ScreenRequest,
    line_records,
    records_frame,
)
from chipcustoms.app.auth import check_office, require
from chipcustoms.app.state import AppState, Cutoffs, state
from chipcustoms.app.users import User
from chipcustoms.assess.selection import SelectionReport
from chipcustoms.lines.ingest import ingest
from chipcustoms.lines.mapping import bundled_mappings, load_mapping
from chipcustoms.lines.quarantine import DUPLICATE_KEY
from chipcustoms.lines.row_ingest import ingest_rows
from chipcustoms.parties.party_scorer import CODE as HIT_CODE
from chipcustoms.parties.party_scorer import hits_from_reasons
from chipcustoms.store import Store
from chipcustoms.store.access import create_job, get_job, stored_offices
from chipcustoms.store.audit import acting_as
from chipcustoms.store.group_commit import Screened

router = APIRouter(prefix="/v1", tags=["screening"])
SHOWN = [
    "declaration_id",
    "item_no",
    "office",
    "accelerator_id",
    "resolution_confidence",
    "eccn",
    "license_required",
    "value_usd",
    "risk_score",
    "channel",
    "selection",
    "top_reason",
    "reasons",
]
SUFFIXES = (".csv", ".jsonl", ".parquet")
_FIRST_ROW = re.compile(r"(?<=first seen in )row (\d+)")


SCREENED = {
    "run_id": 12,
    "thresholds": {"red": 0.82, "yellow": 0.55},
    "assessments": [
        {
            "declaration_id": "API1",
            "item_no": 1,
            "office": "SZ01",
            "accelerator_id": "nvidia-h20",
            "channel": "red",
            "risk_score": 0.91,
            "top_reason": "LICENCE_REQUIRED",
            "reasons": [],
        }
    ],
    "quarantined": [],
}
EXAMPLE_LINE = {
    "declaration_id": "API1",
    "item_no": 1,
    "date": "2025-11-05",
    "flow": "import",
    "office": "SZ01",
    "origin_country": "TW",
    "destination_country": "CN",
    "hs_code": "847330",
    "description": "NVIDIA H20 96GB GPU module",
    "quantity": 8,
    "value": 24000,
    "currency": "USD",
}
JOB = {
    "job_id": 3,
    "state": "done",
    "file": "lines.csv",
    "total": 5000,
    "done": 5000,
    "counts": {"accepted": 4990, "quarantined": 10},
    "quarantine": [],
    "run_id": 7,
}
SCREEN_ANSWERS = answers(SCREENED, *AUTH, *BODY, 409)
# What FastAPI inferred when the route returned a dict; the route now returns its own response.
SCREEN_ANSWERS[200]["content"]["application/json"]["schema"] = {
    "additionalProperties": True, "title": "Response Screen V1 Screen Post", "type": "object"
}
# An empty form field is the field absent (FastAPI reads "" as the default), so the document
# lists "" among the values: a client may send it, and it means the default.
FORMATS = (*(s.lstrip(".") for s in SUFFIXES), "")
MAPPINGS = (*bundled_mappings(), "")
# The data file: one part of any bytes. ``format: binary`` beside 3.1's contentMediaType, so a
# client (or schemathesis) that knows only the 3.0 spelling does not read "123" as a wrong type.
BINARY: dict[str, Any] = {"format": "binary"}


def any_content(schema: dict[str, Any]) -> None:
    """The uploaded mapping's schema: anything, as a file part or a text field, or nothing. The
    server takes any bytes (what is *in* them is the job's business: a mapping that cannot be
    read fails the job, with the reason on it), so no value of any type can violate it; a
    ``type`` or ``format`` here would be a constraint the server does not enforce (schemathesis
    sent the text "622" and a non-binary string as "invalid", and both were rightly taken)."""
    description = schema.get("description")
    schema.clear()
    schema.update(contentMediaType="application/octet-stream", description=description)


@router.post(
    "/screen",
    responses=SCREEN_ANSWERS,
    openapi_extra={
        "requestBody": {"content": {"application/json": {"example": {"lines": [EXAMPLE_LINE]}}}}
    },
)
async def screen(
    body: ScreenRequest, request: Request, user: User = Depends(require("screen"))
) -> Response:
    """Assess up to 1,000 lines against the stored cut-offs (threshold mode); they are stored.

    A line that repeats an earlier line's (declaration_id, item_no) is not assessed: the first
    one wins, as in a file, and ``quarantined`` names the repeat with the reason."""
    # The answer is encoded here by orjson: FastAPI would otherwise validate the returned dict
    # against a model inferred from the annotation and walk it through jsonable_encoder, a
    # large share of a one-line request's time. Its schema is stated in SCREEN_ANSWERS.
    # Async: the common request (one line, the online assessor loaded, its texts mostly seen)
    # is a millisecond or two of CPU, done here on the event loop rather than handed to a worker
    # thread and back; it then awaits its commit without holding a thread. Anything slower
    # (several lines, the batch ingest, the assessor's first load) runs on a worker thread, so
    # the loop keeps answering the other requests meanwhile.
    st = state(request)
    with st.writer.arrival():  # until handed over: the writer may wait for it (group_commit)
        item, shown, repeated, report = await _screened(st, body, user)
    # Committed with other requests' lines by the process's writer (store/group_commit.py);
    # back here only once this request's lines, cases and audit entries are on disk.
    run_id = await st.writer.commit(item)
    for channel, n in report.counts.items():
        st.metrics.lines.labels(channel).inc(n)
    answer = {
        "run_id": run_id,
        "thresholds": item.thresholds,
        "assessments": shown,
        "quarantined": repeated,
    }
    return Response(orjson.dumps(answer), media_type="application/json")


async def _screened(
    st: AppState, body: ScreenRequest, user: User
) -> tuple[Screened, list[dict[str, Any]], list[dict[str, str]], SelectionReport]:
    """The request's lines checked, ingested and assessed, ready for the writer; with what the
    answer shows of them, the repeated keys and the channels' counts."""
    _check_lines(body.lines, user, st.store)
    records = line_records(body.lines)
    latest = st.cutoffs()
    if len(records) == 1 and latest is not None and st.online.ready(latest[0]):
        accepted, repeated, (assessments, report, rows) = _assessed(st, records, latest)
    else:
        accepted, repeated, (assessments, report, rows) = await run_in_threadpool(
            _assessed, st, records, latest
        )
    assert latest is not None  # else _assessed refused the request
    source_run, thresholds = latest
    shown = [{c: r.get(c) for c in SHOWN} for r in rows]
    listed = any(r["code"] == HIT_CODE for a in shown for r in a["reasons"] or ())
    item = Screened(
        actor=user.name, source_run=source_run, thresholds=thresholds,
        versions=st.versions, lines=accepted, assessments=assessments,
        hits=hits_from_reasons(assessments if listed else assessments.clear()),
    )
    return item, shown, repeated, report


def _assessed(
    st: AppState, records: list[dict[str, Any]], cutoffs: Cutoffs | None
) -> tuple[
    pl.DataFrame, list[dict[str, str]], tuple[pl.DataFrame, SelectionReport, list[dict[str, Any]]]
]:
    """The request's lines ingested and assessed: (accepted lines, repeated keys, assessment).
    The common line in plain Python (lines/row_ingest.py); anything else, and every refusal
    with its messages, through the batch ingest. JSON text is valid UTF-8 by construction:
    a U+FFFD in it was sent on purpose."""
    accepted = ingest_rows(records)
    repeated: list[dict[str, str]] = []
    if accepted is None:
        result = ingest(
            records_frame(records), load_mapping(None), file="request", check_encoding=False
        )
        if result.quarantined:
            repeated, refused = _split_quarantine(result.quarantine.to_dicts())
            if refused:
                raise APIError(
                    422, "invalid_input", f"invalid input: {refused[0]['field']}", refused
                )
        accepted = result.accepted
    if cutoffs is None:
        raise APIError(409, "no_thresholds", "no cut-offs yet: screen a batch in budget mode first")
    return accepted, repeated, st.assess_lines(accepted, cutoffs)


def _split_quarantine(
    entries: list[dict[str, Any]],
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The ingest's quarantine as (repeated keys, refusals), each ``{"field", "problem"}`` with
    the line's place in the request. A line that only repeats an earlier line's key is what
    a file's ingest quarantines and goes on (the first line wins): the request is valid under
    the schema, which cannot say "keys unique", so it is answered, the repeat reported. Any
    other problem refuses the whole request (422)."""
    repeated: list[dict[str, str]] = []
    refused: list[dict[str, str]] = []
    for entry in entries:
        errors = json.loads(entry["errors"])["e"] if entry.get("errors") else []
        where = f"lines.{int(entry['row']) - 1}"
        if errors and all(e["reason"].startswith(DUPLICATE_KEY) for e in errors):
            # ingest counts rows from 1; the request's lines are numbered as in ``field``
            problem = _FIRST_ROW.sub(lambda m: f"lines.{int(m[1]) - 1}", entry["reason"])
            repeated.append({"field": f"{where}.{entry['field']}", "problem": problem})
        else:
            refused.append({"field": f"{where}.{entry['field']}", "problem": entry["reason"]})
    return repeated, refused


def _check_lines(lines: list[Any], user: User, store: Store) -> None:
    """Refuse (422) labels and canonical names smuggled in ``extra``; force a scoped caller's
    office onto lines that name none and refuse (403) a line for another office, or a key whose
    stored line belongs to an office the caller does not see (it would move or overwrite it)."""
    problems = [
        {
            "field": f"lines.{i}.extra.{k}",
            "problem": "labels and canonical fields are not "
            "accepted in extra (labels come only from mapped files)",
        }
        for i, line in enumerate(lines)
        for k in (line.extra or {})
        if str(k).strip().lower() in RESERVED
    ]
    if problems:
        raise APIError(422, "invalid_input", f"invalid input: {problems[0]['field']}", problems)
    for line in lines:
        if line.office is None and user.office is not None:
            line.office = user.office
        check_office(user, line.office, f"line {line.declaration_id}")
    keys = [(line.declaration_id, line.item_no or 1) for line in lines]
    for key, office in stored_offices(store, keys).items():
        check_office(user, office, f"stored line {key[0]} item {key[1]}")


@router.post(
    "/jobs",
    status_code=202,
    responses=answers(
        {"job_id": 3, "state": "queued", "url": "/v1/jobs/3"}, *AUTH, *BODY, 413, status=202
    ),
)
async def submit_job(
    request: Request,
    file: UploadFile = File(
        description="Declarations: .csv, .jsonl or .parquet", json_schema_extra=BINARY
    ),
    mapping: Literal[MAPPINGS] = Form(  # type: ignore[valid-type]
        "canonical", description="Bundled mapping name (never a server path); empty: canonical"
    ),
    # Optional, any content: a file part, or a text field (``curl -F 'mapping_file=<m.yaml'``).
    mapping_file: UploadFile | str | None = File(
        None, description="Your own mapping (YAML)", json_schema_extra=any_content
    ),
    # Not nullable: a form field has no null, only absent (the text "null" is a 422).
    format: Literal[FORMATS] = Form(  # type: ignore[valid-type,assignment]
        None, description="How to read the file; absent or empty: its name's suffix, else csv"
    ),
    user: User = Depends(require("screen")),
) -> dict[str, Any]:
    """Queue a file for batch screening (budget mode); poll ``GET /v1/jobs/{id}``.

    The upload is bounded (setting ``upload_max_bytes``; 413 past it) and deleted when the job
    ends, done or failed. ``mapping`` names a bundled mapping; a mapping of your own is uploaded
    as ``mapping_file``, so no request can make the server read a file of its own choosing.
    What is *in* the files (rows, an uploaded mapping) is the job's business: a file that cannot
    be read fails the job, with the reason on it, as a schema cannot say what a file holds.
    """
    st = state(request)
    if user.office is not None:  # the file may hold lines of any office
        raise APIError(
            403,
            "forbidden",
            f"batch jobs may hold lines of any office: users "
            f"scoped to office {user.office} screen through POST /v1/screen",
        )
    name = re.sub(r"[^A-Za-z0-9._-]", "_", file.filename or "upload")
    suffix = next((s for s in SUFFIXES if name.endswith(s)), None)
    if format and suffix != f".{format}":
        name = f"{name}.{format}"
    elif suffix is None:
        name = f"{name}.csv"
    if isinstance(mapping_file, str):  # sent as a text field: the same bytes as a file
        mapping_file = UploadFile(io.BytesIO(mapping_file.encode()), filename="mapping.yaml")
    staged = uploads.stage(
        st.jobs_dir, [("file", file, name), ("mapping_file", mapping_file, "mapping.yaml")]
    )
    data_path, mapping_path = await staged
    mapping = mapping or "canonical"
    used = mapping if mapping_path is None else str(mapping_path)
    with acting_as(user.name):
        job_id = create_job(
            st.store, name, mapping if mapping_path is None else "(uploaded)", user.name
        )
    st.runner.submit(st.db, job_id, str(data_path), used, user.name)
    return {"job_id": job_id, "state": "queued", "url": f"/v1/jobs/{job_id}"}


@router.get("/jobs/{job_id}", responses=answers(JOB, *AUTH, 404, 422))
def job(job_id: RowId, request: Request, user: User = Depends(require("read"))) -> dict[str, Any]:
    """A job, for the user who submitted it, an admin or an analyst of every office; to anyone
    else it does not exist (404), so its number tells nothing."""
    found = get_job(state(request).store, job_id)
    if found is None or not may_read_job(user, found["created_by"]):
        raise APIError(404, "not_found", f"no job {job_id}")
    return found


def may_read_job(user: User, owner: str | None) -> bool:
    return (
        user.name == owner
        or user.role == "admin"
        or (user.role == "analyst" and user.office is None)
    )


def decode_reasons(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored assessments keep reasons as JSON text; the API returns them as JSON."""
    for r in rows:
        if isinstance(r.get("reasons"), str):
            r["reasons"] = json.loads(r["reasons"])
    return rows
