"""Screening: single lines synchronously in threshold mode, files as batch jobs."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from chipcustoms.app.api.envelope import APIError
from chipcustoms.app.api.schemas import RowId, ScreenRequest, lines_frame
from chipcustoms.app.auth import require
from chipcustoms.app.state import state
from chipcustoms.app.users import User
from chipcustoms.assess.pipeline import assess
from chipcustoms.assess.selection import Budgets
from chipcustoms.lines.ingest import ingest
from chipcustoms.lines.mapping import load_mapping
from chipcustoms.store.access import create_job, get_job
from chipcustoms.store.audit import acting_as

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


@router.post("/screen")
def screen(
    body: ScreenRequest, request: Request, user: User = Depends(require("screen"))
) -> dict[str, Any]:
    """Assess up to 1,000 lines against the stored cut-offs (threshold mode); they are stored."""
    st = state(request)
    result = ingest(lines_frame(body.lines), load_mapping(None), file="request")
    if result.quarantined:
        q = result.quarantine.to_dicts()
        details = [
            {"field": f"lines.{int(r['row']) - 1}.{r['field']}", "problem": r["reason"]} for r in q
        ]
        raise APIError(422, "invalid_input", f"invalid input: {details[0]['field']}", details)
    latest = st.store.latest_thresholds(st.refs.rules.profile.id)
    if latest is None:
        raise APIError(409, "no_thresholds", "no cut-offs yet: screen a batch in budget mode first")
    source_run, thresholds = latest
    assessments, report = assess(result.accepted, st.refs, Budgets(), thresholds=thresholds)
    with acting_as(user.name), st.writing:
        run_id = st.store.start_run(
            command=f"api screen (cut-offs of run {source_run})",
            inputs=["request"],
            mapping="canonical",
            versions=st.refs.versions(),
            seed=0,
            budgets={},
        )
        st.store.save_batch(run_id, result.accepted, assessments)
        st.store.finish_run(
            run_id,
            counts={"accepted": result.accepted.height, "channels": report.counts},
            thresholds=thresholds,
        )
    for channel, n in report.counts.items():
        st.metrics.lines.labels(channel).inc(n)
    return {
        "run_id": run_id,
        "thresholds": thresholds,
        "assessments": assessments.select(SHOWN).to_dicts(),
    }


@router.post("/jobs", status_code=202)
async def submit_job(
    request: Request,
    file: UploadFile = File(description="Declarations: .csv, .jsonl or .parquet"),
    mapping: str = Form("canonical", description="Bundled mapping name"),
    user: User = Depends(require("screen")),
) -> dict[str, Any]:
    """Queue a file for batch screening (budget mode); poll ``GET /v1/jobs/{id}``."""
    st = state(request)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", file.filename or "upload.csv")
    if not name.endswith(SUFFIXES):
        raise APIError(
            422,
            "invalid_input",
            f"file must end in {', '.join(SUFFIXES)}",
            [{"field": "file", "problem": f"unsupported file name {name!r}"}],
        )
    try:
        load_mapping(mapping)
    except Exception as exc:
        raise APIError(
            422, "invalid_input", str(exc), [{"field": "mapping", "problem": str(exc)}]
        ) from exc
    with acting_as(user.name):
        job_id = create_job(st.store, name, mapping, user.name)
    path = st.jobs_dir / f"job{job_id}-{name}"
    path.write_bytes(await file.read())
    st.runner.submit(st.db, job_id, str(path), mapping, user.name)
    return {"job_id": job_id, "state": "queued", "url": f"/v1/jobs/{job_id}"}


@router.get("/jobs/{job_id}")
def job(job_id: RowId, request: Request, _: User = Depends(require("read"))) -> dict[str, Any]:
    found = get_job(state(request).store, job_id)
    if found is None:
        raise APIError(404, "not_found", f"no job {job_id}")
    return found


def decode_reasons(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored assessments keep reasons as JSON text; the API returns them as JSON."""
    for r in rows:
        if isinstance(r.get("reasons"), str):
            r["reasons"] = json.loads(r["reasons"])
    return rows
