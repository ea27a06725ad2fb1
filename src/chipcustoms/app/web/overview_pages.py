"""The overview: value and units by model and month, routes, hit rates, channel mix.

Aggregates come from the store (``store.views`` cells, ``store.pages.hit_rates``); Python only
arranges a few hundred summed rows into chart series. ``/v1/overview`` serves the same numbers
to API clients (bearer key), and the page draws them as SVG.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from chipcustoms.app.api.contract import AUTH, answers
from chipcustoms.app.api.envelope import APIError
from chipcustoms.app.auth import check_office as api_check_office
from chipcustoms.app.auth import require
from chipcustoms.app.state import AppState, state
from chipcustoms.app.users import User
from chipcustoms.app.web import charts, i18n
from chipcustoms.app.web.i18n import gettext as _
from chipcustoms.app.web.render import money, num, page
from chipcustoms.app.web.session import PageError, Session, check_office, page_session
from chipcustoms.store import layout, pages, views

router = APIRouter()
DAY = Query(None, pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"})


def _day(text: str | None, name: str) -> str | None:
    """An ISO day, or a 422 naming the parameter (the document says ``format: date``)."""
    try:
        return None if text is None else dt.date.fromisoformat(text).isoformat()
    except ValueError:
        problem = f"not a date: {text!r} (YYYY-MM-DD)"
        raise APIError(
            422, "invalid_input", f"invalid input: {name}", [{"field": name, "problem": problem}]
        ) from None


def _refresh(st: AppState) -> None:
    # The app's write lock makes API writers wait for the refresh instead of meeting a locked
    # SQLite file; the store's own lock keeps other processes from refreshing the same days.
    with st.writing:
        views.refresh(st.store)


def _refresh_soon(request: Request) -> None:
    """Refresh on a background thread, one at a time: the page answers from the cells as they
    are (a full refresh of a million lines takes seconds, a month of routes about one)."""
    st, busy = state(request), request.app.state.web_refreshing
    if not busy.acquire(blocking=False):
        return

    def run() -> None:
        try:
            _refresh(st)
        finally:
            busy.release()

    # Not a daemon (see app/state.py): an exit waits for the refresh rather than cutting it off
    # inside native code.
    threading.Thread(target=run, name="overview-refresh").start()


def overview_data(request: Request, f: views.Filters, fresh: bool = False) -> dict[str, Any]:
    """The aggregates; with ``fresh`` the cells are brought up to date first (waits)."""
    st = state(request)
    as_of, stale = views.freshness(st.store)
    if fresh or as_of is None:
        # First visit (cells never computed): compute them now rather than show empty charts
        # "as of never"; later visits answer at once and refresh in the background.
        _refresh(st)
        as_of, stale = views.freshness(st.store)
    if stale or not layout.current(st.store):  # a store from before the layout: build it
        _refresh_soon(request)
    cells = layout.parts(st.store, f)  # the stored layout when unfiltered (store/layout.py)
    return {
        "filters": f.__dict__,
        "as_of": as_of,
        "updating": stale,
        "by_model_month": cells["by_model_month"],
        "routes": cells["routes"],
        "channel_mix": cells["channel_mix"],
        "flagged_by_reason": cells["flagged_by_reason"],
        "hit_rate_by_reason": pages.hit_rates(st.store, f, "code"),
        "hit_rate_by_model_version": pages.hit_rates(st.store, f, "model"),
    }


@router.get(
    "/v1/overview",
    tags=["overview"],
    responses=answers(
        {
            "filters": {"date_from": None, "date_to": None, "office": "SZ01"},
            "as_of": "2025-11-05",
            "updating": False,
            "by_model_month": [],
            "routes": [],
            "channel_mix": [],
            "flagged_by_reason": [],
            "hit_rate_by_reason": [],
            "hit_rate_by_model_version": [],
        },
        *AUTH,
        422,
    ),
)
def overview_api(
    request: Request,
    date_from: str | None = DAY,
    date_to: str | None = DAY,
    office: str | None = Query(None, pattern=r"^[^\x00]*$"),
    fresh: bool = False,
    user: User = Depends(require("read")),
) -> dict[str, Any]:
    """The overview's aggregates; an office-scoped user gets their office's. Line figures come
    from cells refreshed in the background (``as_of``, ``updating``); ``fresh=true`` waits for
    the refresh. Hit rates are always live."""
    if user.office is not None:
        api_check_office(user, office or user.office, "that overview")
        office = user.office
    days = [_day(date_from, "date_from"), _day(date_to, "date_to")]
    return overview_data(request, views.Filters(days[0], days[1], office), fresh)


def _series(
    rows: list[dict[str, Any]], key: str, value: str, months: list[str], top: int = 6
) -> list[tuple[str, list[float | None]]]:
    """One series per key (the ``top`` largest by sum), one value per month."""
    cells: dict[str, dict[str, float | None]] = defaultdict(dict)
    for r in rows:
        cells[str(r[key])][r["month"]] = r[value]
    biggest = sorted(cells, key=lambda k: -sum(v or 0 for v in cells[k].values()))[:top]
    return [(k, [cells[k].get(m) for m in months]) for k in biggest]


def _charts(data: dict[str, Any], measure: str) -> dict[str, str]:
    bm = data["by_model_month"]
    months = sorted({r["month"] for r in bm})
    per_month: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    per_model: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in bm:
        # Lines without an accelerator are counted by month but kept off the model chart,
        # where their one bar dwarfed every accelerator (the page states their total apart).
        model = [per_model[r["accelerator_id"]]] if r["accelerator_id"] else []
        for bucket in (per_month[r["month"]], *model):
            bucket[0] += r[measure] or 0
            bucket[1] += r[f"flagged_{measure}"] or 0
    models = sorted(per_model, key=lambda k: -per_model[k][0])[:10]
    word = _("value (USD)") if measure == "value_usd" else _("units")
    declared, flagged = _("declared"), _("flagged")
    mix: dict[str, dict[str, float]] = defaultdict(dict)
    for r in data["channel_mix"]:
        mix[str(r["office"])][r["channel"]] = r["lines"]
    hr_months = sorted({r["month"] for r in data["hit_rate_by_reason"]})
    hv_months = sorted({r["month"] for r in data["hit_rate_by_model_version"]})
    return {
        "month": charts.grouped_bars(
            _("Declared and flagged %(what)s by month") % {"what": word},
            months,
            [
                (declared, [per_month[m][0] for m in months]),
                (flagged, [per_month[m][1] for m in months]),
            ],
        ),
        "model": charts.grouped_bars(
            _("Declared and flagged %(what)s by accelerator model") % {"what": word},
            models,
            [
                (declared, [per_model[m][0] for m in models]),
                (flagged, [per_model[m][1] for m in models]),
            ],
        ),
        "mix": charts.stacked_shares(
            _("Channel mix per office"), sorted(mix.items()), ["red", "yellow", "blue", "green"]
        ),
        "hit_reason": charts.lines(
            _("Hit rate per top reason and month"),
            hr_months,
            _series(data["hit_rate_by_reason"], "key", "hit_rate", hr_months),
        ),
        "hit_model": charts.lines(
            _("Hit rate per model version and month"),
            hv_months,
            _series(data["hit_rate_by_model_version"], "key", "hit_rate", hv_months),
        ),
    }


def _model_month_rows(rows: list[dict[str, Any]]) -> Markup:
    """The model-and-month table's rows as HTML, built here rather than in a Jinja loop: at a
    million lines it has ~1,700 rows of 7 cells, and the loop's per-cell filter calls took
    50-60 ms of the page. The two text cells are escaped; the others are numbers formatted
    here (digits, commas, a point), which need no escaping."""
    row = (
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"
    ).format
    return Markup(
        "".join(
            row(
                escape(r["accelerator_id"] or "unresolved"),
                escape(r["month"]),
                int(r["lines"]),
                num(r["units"], 0),
                money(r["value_usd"]),
                num(r["flagged_units"], 0),
                money(r["flagged_value_usd"]),
            )
            for r in rows
        )
    )


@router.get("/overview", response_class=HTMLResponse, include_in_schema=False)
def overview(
    request: Request,
    date_from: str | None = None,
    date_to: str | None = None,
    office: str | None = None,
    measure: str = Query("value_usd", pattern="^(value_usd|units)$"),
    session: Session = Depends(page_session),
) -> HTMLResponse:
    for day in (date_from, date_to):
        if day:
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                raise PageError(422, f"{day!r} is not a date (YYYY-MM-DD).") from None
    if session.user.office is not None:
        check_office(session, office or session.user.office)
        office = session.user.office
    f = views.Filters(date_from or None, date_to or None, office or None)
    data = overview_data(request, f)
    other = [r for r in data["by_model_month"] if not r["accelerator_id"]]
    without = {k: sum(r[k] or 0 for r in other) for k in ("lines", "units", "value_usd")}
    token = i18n.use(i18n.choose(request))  # the charts' titles and legends
    try:
        drawn = _charts(data, measure)
    finally:
        i18n.reset(token)
    return page(
        request,
        "overview.html",
        session,
        data=data,
        f=f,
        measure=measure,
        without_accelerator=without,
        charts=drawn,
        model_month_rows=_model_month_rows(data["by_model_month"]),
        offices=pages.offices(state(request).store),
    )
