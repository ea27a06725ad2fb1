"""Reference data in force (with versions), health, readiness and metrics."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request, Response

from chipcustoms.app.api.contract import AUTH, answers
from chipcustoms.app.api.envelope import APIError
from chipcustoms.app.auth import require
from chipcustoms.app.state import state
from chipcustoms.app.users import User
from chipcustoms.store import tables as t

router = APIRouter(tags=["reference data"])


@router.get(
    "/v1/catalog",
    responses=answers(
        {"version": "2025.11", "models": [{"id": "nvidia-h20", "vendor": "NVIDIA"}]}, *AUTH
    ),
)
def catalog(request: Request, _: User = Depends(require("read"))) -> dict[str, Any]:
    cat = state(request).refs.catalog
    return {"version": cat.version, "models": cat.frame().drop("hs_headings").to_dicts()}


@router.get(
    "/v1/policies",
    responses=answers({"packs": [{"id": "us-ear-2025", "digest": "sha256:..."}]}, *AUTH),
)
def policies(request: Request, _: User = Depends(require("read"))) -> dict[str, Any]:
    packs = state(request).refs.packs
    return {"packs": [lp.pack.model_dump(mode="json") | {"digest": lp.digest} for lp in packs]}


def _stored(request: Request, *names: str) -> dict[str, list[dict[str, Any]]]:
    """Rows of whichever of these tables this schema has, without binary columns."""
    found: dict[str, list[dict[str, Any]]] = {}
    with state(request).store.engine.connect() as conn:
        for name in names:
            table = t.metadata.tables.get(name)
            if table is None:
                continue
            cols = [c for c in table.c if not isinstance(c.type, sa.LargeBinary)]
            found[name] = [dict(r) for r in conn.execute(sa.select(*cols).limit(1000)).mappings()]
    return found


@router.get("/v1/models", responses=answers({"in_force": "builtin", "models": []}, *AUTH))
def models(request: Request, _: User = Depends(require("read"))) -> dict[str, Any]:
    """The model in force and the stored model versions (as far as this schema has them)."""
    return {"in_force": state(request).refs.versions()["model"], **_stored(request, "models")}


@router.get(
    "/v1/watchlists",
    responses=answers({"in_force": {"ofac-sdn": "2025-11-01"}, "watchlists": []}, *AUTH),
)
def watchlists(request: Request, _: User = Depends(require("read"))) -> dict[str, Any]:
    stored = _stored(request, "watchlists", "watchlist_versions")
    return {"in_force": state(request).refs.versions()["watchlists"], **stored}


@router.get("/healthz", tags=["operations"], responses=answers({"status": "alive"}))
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "alive"}


@router.get(
    "/readyz",
    tags=["operations"],
    responses=answers({"status": "ready", "versions": {"catalog": "2025.11"}}, 503),
)
def readyz(request: Request) -> dict[str, Any]:
    """The store answers at the schema this version knows, and reference data is loaded."""
    st = state(request)
    try:
        st.store.check_schema()
    except Exception as exc:
        raise APIError(503, "not_ready", f"store not ready: {exc}") from exc
    return {"status": "ready", "versions": st.refs.versions()}


@router.get(
    "/metrics",
    tags=["operations"],
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/plain": {
                    "schema": {"type": "string"},
                    "example": "chipcustoms_requests_total 1.0\n",
                }
            }
        }
    },
)
def metrics(request: Request) -> Response:
    st = state(request)
    return st.metrics.render(st.store)
