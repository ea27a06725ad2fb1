"""Search (declaration id, trader name or id, accelerator model) and the reference data in
force: catalog with specs and classification, policy packs with rules and sources, watchlists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from chipcustoms.app.state import state
from chipcustoms.app.web.render import page
from chipcustoms.app.web.session import Session, page_session
from chipcustoms.store import indexes, pages

router = APIRouter(include_in_schema=False)


def match_models(models: Sequence[Any], text: str) -> list[str]:
    """Catalog ids whose id or name contains ``text``, the exact model first: "H20" is the
    H20, then models named from it (H20 ...), then those that merely contain it (H200, GH200)."""
    low = text.lower()

    def rank(m: Any) -> tuple[int, int, str]:
        name, ident = m.model.lower(), m.id.lower()
        exact = low in (name, ident) or ident.endswith("-" + low)
        starts = name.startswith(low + " ") or ident.endswith("-" + low.replace(" ", "-"))
        return (0 if exact else 1 if starts else 2 if name.startswith(low) else 3, len(name), ident)

    hits = [m for m in models if low in m.id.lower() or low in f"{m.vendor} {m.model}".lower()]
    return [m.id for m in sorted(hits, key=rank)]


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = "", session: Session = Depends(page_session)) -> HTMLResponse:
    st = state(request)
    text = q.strip()
    rows: list[dict[str, object]] = []
    models: list[str] = []
    if text:
        # The catalog is a few dozen entries: its names are matched here, the lines in the store.
        models = match_models(st.refs.catalog.models, text)
        indexes.ensure_in_background(st.store)  # after a bulk run; this search scans meanwhile
        rows = pages.search(st.store, text, session.user.office, models)
    return page(request, "search.html", session, q=text, rows=rows, models=models)


@router.get("/reference", response_class=HTMLResponse)
def reference(request: Request, session: Session = Depends(page_session)) -> HTMLResponse:
    st = state(request)
    catalog = st.refs.catalog.frame().drop("hs_headings").to_dicts()
    packs = [lp.pack.model_dump(mode="json") | {"digest": lp.digest} for lp in st.refs.packs]
    return page(
        request,
        "reference.html",
        session,
        catalog=catalog,
        packs=packs,
        catalog_version=st.refs.catalog.version,
        watchlists=st.store.watchlists(),
    )
