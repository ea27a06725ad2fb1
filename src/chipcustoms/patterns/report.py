"""The analyst's report: one self-contained HTML file (charts as inline SVG, styles inline,
nothing fetched) with the flows of controlled accelerators by model, route and month, the
compute ledger, the mirror gap, the top networks, split-lot campaigns and new routes, hit rates
and selection precision over time, and the top cases; printed to PDF by headless Chromium.

Every figure is an aggregate of the lines in the period (Polars group-bys); the charts reuse
the pages' SVG drawing (:mod:`chipcustoms.app.web.charts`), so the report and the overview
look alike.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
from markupsafe import Markup

from chipcustoms import settings
from chipcustoms.app.web import charts
from chipcustoms.patterns import ledger, mirror, network, routes, split_lots

TOP_MODELS = 4  # series per chart: the legend holds four


def _month_labels(df: pl.DataFrame) -> list[str]:
    return [m.strftime("%Y-%m") for m in df["month"].unique().sort().to_list()]


def _series(df: pl.DataFrame, key: str, value: str, months: list[str]) -> list[Any]:
    wide = df.with_columns(pl.col("month").dt.strftime("%Y-%m")).group_by(key, "month").agg(
        pl.col(value).sum())
    out = []
    for name in wide.group_by(key).agg(pl.col(value).sum()).sort(value, descending=True)[key] \
            .head(TOP_MODELS).to_list():
        got = dict(wide.filter(pl.col(key) == name).select("month", value).iter_rows())
        out.append((str(name), [float(got.get(m, 0.0)) for m in months]))
    return out


def _rates(acc: pl.DataFrame, months: list[str]) -> list[Any]:
    """Hit rate of inspected lines, and precision of the selected (red / yellow) ones, by month."""
    cols = acc.columns
    sel = pl.col("channel").is_in(["red", "yellow"]) if "channel" in cols else pl.lit(False)
    insp = pl.col("status").is_in(["irregular", "inspected_clear"])
    irr = pl.col("status") == "irregular"
    per = acc.group_by(pl.col("date").dt.strftime("%Y-%m").alias("m")).agg(
        (irr.sum() / insp.sum()).alias("hit"),
        ((irr & sel).sum() / (insp & sel).sum()).alias("precision"),
    )
    got = {r["m"]: r for r in per.iter_rows(named=True)}

    def val(m: str, k: str) -> float | None:
        v = got.get(m, {}).get(k)
        return None if v is None or v != v else float(v)

    return [("hit rate, inspected", [val(m, "hit") for m in months]),
            ("precision, selected", [val(m, "precision") for m in months])]


def build(
    lines: pl.DataFrame,
    *,
    start: dt.date,
    end: dt.date,
    listed: pl.DataFrame | None = None,
    partner: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Everything the template shows, for the lines dated in [start, end]."""
    df = lines.filter(pl.col("date").is_between(start, end))
    acc = ledger.accelerator_lines(df).with_columns(route=routes.route_expr())
    months = _month_labels(acc) if acc.height else []
    net = network.build(df, listed)
    camps, _ = split_lots.campaigns(df, net)
    flagged = net.flagged().head(10)
    paths = network.paths(net)
    example = paths.sort("code").unique("community", keep="first")
    top_networks = flagged.join(example.select("community", "message"), on="community",
                                how="left")
    led = ledger.ledger(df)
    by_model = led.group_by("accelerator_id").agg(pl.exclude(
        "month", "route", "destination_country", "accelerator_id").sum()).sort(
        "compute_tpp", descending=True)
    routes_top = acc.group_by("route").agg(pl.len().alias("lines"), pl.col("units").sum(),
                                           pl.col("compute_tpp").sum()).sort(
        "units", descending=True).head(12)
    gap: dict[str, Any] | None = None
    if partner is not None:
        part = partner.filter(pl.col("month").is_between(start.replace(day=1), end))
        cells, total = mirror.gap(df, part)
        by_month = mirror.by(cells, "month").sort("month")
        gap = {"total": total, "by_hs": mirror.by(cells, "hs6").head(10),
               "by_partner": mirror.by(cells, "reporter").head(10),
               "chart": Markup(charts.grouped_bars(
                   "Partner exports and declared imports by month (USD)",
                   [m.strftime("%Y-%m") for m in by_month["month"].to_list()],
                   [("partner exports", by_month["partner_usd"].to_list()),
                    ("declared", by_month["declared_usd"].to_list())]))}
    top_cases = (acc.sort("risk_score", descending=True) if "risk_score" in acc.columns
                 else acc.sort("value_usd", descending=True)).head(15)
    return {
        "start": start, "end": end, "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "lines": df.height, "acc_lines": acc.height, "units": float(acc["units"].sum()),
        "compute": float(acc["compute_tpp"].sum()),
        "unchecked": ledger.unchecked(df),
        "chart_models": Markup(charts.grouped_bars(
            "Accelerator units by model and month", months,
            _series(acc, "accelerator_id", "units", months))),
        "chart_routes": Markup(charts.grouped_bars(
            "Accelerator units by route and month (top routes)", months,
            _series(acc, "route", "units", months))),
        "chart_rates": Markup(charts.lines("Hit rate and selection precision by month", months,
                                           _rates(acc, months))),
        "by_model": by_model.head(15), "routes_top": routes_top, "gap": gap,
        "networks": top_networks, "n_flagged": net.flagged().height,
        "campaigns": camps.sort("value_usd", descending=True).head(10),
        "route_flags": routes.flags(df).sort(["code", "month", "share"],
                                             descending=[True, False, True]).head(20),
        "top_cases": top_cases,
    }


def render(context: dict[str, Any]) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = lambda v, d=0: "" if v is None else f"{v:,.{d}f}"
    env.filters["pct"] = lambda v: "" if v is None else f"{v:.1%}"
    return env.get_template("report.html").render(**context)


def to_pdf(html_path: Path, pdf_path: Path) -> str | None:
    """Print ``html_path`` with headless Chromium; the reason it could not, or None."""
    chromium = str(settings.get("chromium"))
    if not Path(chromium).exists() and shutil.which(chromium) is None:
        return f"no Chromium at {chromium} (set CHIPCUSTOMS_CHROMIUM); PDF skipped"
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             f"--user-data-dir={profile}", "--no-pdf-header-footer",
             f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )
    if done.returncode != 0 or not pdf_path.exists():
        return f"Chromium failed ({done.returncode}): {done.stderr.strip()[-300:]}"
    return None
