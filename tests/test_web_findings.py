"""Issue 15's page findings: the overview on first visit, accelerators apart from the rest,
readable model-version legends, search ranking with channel and risk, the profile shown."""

from __future__ import annotations

import re

from chipcustoms.store.pages import _by_model_label, model_label
from server_fixtures import Served
from web_fixtures import client


def test_overview_first_visit_and_model_chart(web: Served) -> None:
    html = client(web, "adam").get("/overview").text
    as_of = re.search(r"Line figures as of ([^;.<]+)", html)
    assert as_of and as_of.group(1) != "never"  # computed on the first visit
    chart = re.search(r'<figure id="chart-model">(.*?)</figure>', html, re.S)
    assert chart and "unresolved" not in chart.group(1) and "nvidia-h20" in chart.group(1)
    assert re.search(r'id="without-accelerator">Not in this chart: \d+ lines', html)


def test_model_version_legend_reads_as_words() -> None:
    assert model_label({"version": 3, "fingerprint": "ab12"}) == "model v3"
    assert model_label(None) == "rules only"
    rows = [{"key": 1, "month": "2025-11", "inspected": 2, "found": 1},
            {"key": 2, "month": "2025-11", "inspected": 1, "found": 1}]
    same = {1: {"version": 3, "fingerprint": "x"}, 2: {"version": 3, "fingerprint": "x"}}
    assert _by_model_label(rows, same) == [
        {"key": "model v3", "month": "2025-11", "inspected": 3, "found": 2}]


def test_search_lists_the_exact_model_first_with_channel_and_risk(web: Served) -> None:
    # A newer H200 line: by date alone it would come before the H20 lines.
    line = {"declaration_id": "W200", "date": "2026-01-05", "flow": "import", "office": "SZ01",
            "description": "NVIDIA H200 NVL 141GB", "quantity": 1, "value": 30000,
            "currency": "USD"}
    assert web.client.post("/v1/screen", json={"lines": [line]},
                           headers=web.auth("ana")).status_code == 200
    html = client(web, "adam").get("/search?q=H20").text
    assert "<th scope=\"col\">Channel</th><th scope=\"col\">Risk</th>" in html
    order = re.findall(r'href="/line/([^/]+)/1"', html)
    assert order.index("D1") < order.index("W200")
    assert re.search(r'/line/D1/1">D1 / 1</a>.*?<td>nvidia-h20</td><td><span class="chan '
                     r'(red|yellow|blue|green)">\w+</span></td><td>0\.\d{3}</td>', html)
    assert "Accelerator models matching: nvidia-h20, nvidia-h200" in html


def test_line_and_queue_pages_show_the_profile(web: Served) -> None:
    c = client(web, "adam")
    assert re.search(r'jurisdiction profile <strong>[a-z-]+</strong>', c.get("/line/D1/1").text)
    assert re.search(r'id="profiles">Jurisdiction profiles? of these cases: <strong>',
                     c.get("/queue").text)
