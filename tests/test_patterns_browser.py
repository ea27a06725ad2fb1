"""The pattern views in a real browser (Debian's Chromium via Playwright, as in
test_web_browser.py): an analyst opens a planted front's line, follows the link to its trader
network and sees the SVG; the director's report opens from its file with nothing fetched. The
screenshots go to ``test-artifacts/patterns/``; the report is also printed to PDF.

Also, without a browser: the party page over the in-process client (the network, its path and
the office scoping) and the `network` command.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chipcustoms.app.server import create_app
from chipcustoms.assess.pipeline import References
from chipcustoms.assess.selection import Budgets
from chipcustoms.cli.main import app as cli
from chipcustoms.parties.commands import load
from chipcustoms.patterns import report
from chipcustoms.patterns.mirror import read_partner
from chipcustoms.patterns.network import listed_keys
from chipcustoms.patterns.sources import store_lines
from chipcustoms.run.orchestrator import screen_file
from chipcustoms.run.references import load_references
from chipcustoms.store import open_store
from chipcustoms.store.access import add_user, set_password
from chipcustoms.synthetic.generator import generate
from chipcustoms.synthetic.plants import Planted, plant
from web_fixtures import PASSWORD, log_in

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(
    os.environ.get("CHIPCUSTOMS_ARTIFACTS") or Path(__file__).parents[1] / "test-artifacts"
) / "patterns"
TRUTH = ["true_accelerator_id", "true_value_usd", "intent", "patterns"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Planted, str, Path]:
    folder = tmp_path_factory.mktemp("patterns")
    p = plant(generate(6_000, seed=11, truth=True), seed=11)
    lines = folder / "lines.parquet"
    p.lines.drop(TRUTH).write_parquet(lines)
    db = str(folder / "p.db")
    refs = References.load()
    screen_file(str(lines), str(folder / "out.parquet"), db=db,
                budgets=Budgets(red=0.05, yellow=0.05), refs=refs)
    p.watchlist.rename({"entity_id": "id"}).write_csv(folder / "fronts.csv")
    store = open_store(db)
    load(store, str(folder / "fronts.csv"), "csv", "planted-fronts")
    for name, role, office in (("ana", "analyst", None), ("ines", "inspector", "SZ01")):
        add_user(store, name, role, office)
        set_password(store, name, PASSWORD)
    p.comtrade.write_csv(folder / "partner.csv")
    return p, db, folder


def _front(p: Planted) -> tuple[str, str]:
    """A listed front's partner, not itself listed: (importer id, one of its declarations)."""
    row = p.lines.filter(pl.col("planted") == "network:N00").sort("importer_id").row(
        -1, named=True)
    return row["importer_id"], row["declaration_id"]


def test_party_page_shows_the_network_and_its_path(world: tuple[Planted, str, Path]) -> None:
    p, db, folder = world
    client = TestClient(create_app(db, jobs_dir=str(folder / "jobs")))
    log_in(client, "ana")
    party, decl = _front(p)
    line = client.get(f"/line/{decl}/1")
    assert f'href="/party/{party}"' in line.text
    r = client.get(f"/party/{party}")
    assert r.status_code == 200
    assert 'id="party-network"' in r.text and "flagged" in r.text
    assert "listed on planted-fronts" in r.text
    members = p.networks.filter(pl.col("network") == "N00")["party"].to_list()
    assert all(m in r.text for m in members)
    assert client.get("/party/NO-SUCH-PARTY").status_code == 404


def test_network_command_prints_the_path(world: tuple[Planted, str, Path]) -> None:
    p, db, _ = world
    party, _ = _front(p)
    res = CliRunner().invoke(cli, ["network", party, "--db", db])
    assert res.exit_code == 0, res.output
    assert "(flagged)" in res.output and "planted-fronts" in res.output


def test_report_from_the_store_has_every_section(world: tuple[Planted, str, Path]) -> None:
    p, db, folder = world
    store = open_store(db)
    lines = store_lines(store, References.load())
    ctx = report.build(lines, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31),
                       listed=listed_keys(store.watchlist_entities()),
                       partner=read_partner(folder / "partner.csv"))
    html = report.render(ctx)
    for section in ("flows", "routes", "ledger", "mirror", "networks", "rates", "cases"):
        assert f'id="{section}"' in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert html.count("<svg") >= 4 and "<script" not in html
    assert ctx["n_flagged"] >= 8  # the planted fronts, found from the store's lines and lists
    assert ctx["gap"]["total"]["gap_low"] <= p.mirror_gap_usd <= ctx["gap"]["total"]["gap_high"]
    (folder / "report.html").write_text(html, encoding="utf-8")


@pytest.fixture
def base_url(world: tuple[Planted, str, Path]) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    _, db, folder = world
    app = create_app(db, jobs_dir=str(folder / "jobs"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def test_party_network_and_report_in_chromium(
    base_url: str, world: tuple[Planted, str, Path]
) -> None:
    playwright: Any = pytest.importorskip("playwright.sync_api")
    p, _, folder = world
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _, decl = _front(p)
    html = folder / "report.html"
    if not html.exists():
        test_report_from_the_store_has_every_section(world)
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        fetched: list[str] = []
        page.on("request", lambda req: fetched.append(req.url))
        page.goto(f"{base_url}/login?next=/line/{decl}/1")
        page.get_by_label("Name").fill("ana")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base_url}/line/**")
        page.locator("#party-link").click()
        page.wait_for_url(f"{base_url}/party/**")
        assert page.locator("#party-network circle.party").count() >= 4
        assert "flagged" in page.locator("#community-summary").inner_text()
        assert "listed on planted-fronts" in page.locator("#network-path").inner_text()
        page.locator("#party-network").screenshot(path=str(ARTIFACTS / "party-network.png"))
        page.screenshot(path=str(ARTIFACTS / "party-page.png"), full_page=True)
        fetched.clear()
        page.goto(html.resolve().as_uri())
        assert all(u.startswith("file://") or u.startswith("data:") for u in fetched), fetched
        assert page.locator("svg").count() >= 4
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()
    why = report.to_pdf(html, ARTIFACTS / "report.pdf")
    assert why is None and (ARTIFACTS / "report.pdf").stat().st_size > 10_000


def test_screen_with_patterns_setting_adds_pattern_reasons(
    world: tuple[Planted, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """CHIPCUSTOMS_PATTERNS on: the store's lines build the context, the run's lines get the
    pattern reasons and the run records the context's version."""
    _, db, folder = world
    monkeypatch.setenv("CHIPCUSTOMS_PATTERNS", "1")
    refs = load_references(db=db)
    assert [s.name for s in refs.scorers][-2:] == ["pattern", "model"]
    out = folder / "again.parquet"
    screen_file(str(folder / "lines.parquet"), str(out), db=None,
                budgets=Budgets(red=0.05, yellow=0.05), refs=refs)
    got = pl.read_parquet(out)
    sources = got["reasons"].explode().struct.field("source")
    codes = set(got["reasons"].explode().struct.field("code").drop_nulls().to_list())
    assert (sources == "pattern").sum() > 100
    assert {"NETWORK_LISTED_LINK", "SPLIT_LOT_CAMPAIGN", "ROUTE_NEW"} <= codes
    assert refs.versions()["patterns"]["flagged_parties"] > 0  # type: ignore[index]
