"""The pages in a real browser: headless Chromium (Debian's package at /usr/bin/chromium, never
the test tool's own download) driven by Playwright, against uvicorn on a free local port.

An inspector logs in, opens the queue, moves through it with the keyboard, opens a red case,
records an outcome with a capture, and sees the queue and the overview's hit rate change; a
viewer then sees the line with no outcome form. A screenshot of each page goes to
``test-artifacts/web/`` (or ``$CHIPCUSTOMS_ARTIFACTS``). Skips without Chromium, except under
CI=true, where it fails: ``.ci/run`` installs Chromium.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from chipcustoms.assess.pipeline import References
from web_fixtures import PASSWORD, web_served

CHROMIUM = "/usr/bin/chromium"
CAPTURES = Path(__file__).parent / "fixtures" / "captures"
ARTIFACTS = Path(
    os.environ.get("CHIPCUSTOMS_ARTIFACTS") or Path(__file__).parents[1] / "test-artifacts"
) / "web"


def _need(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI=true but {what} (.ci/run installs it)")
    pytest.skip(what)


@pytest.fixture
def base_url(tmp_path: Path, fixtures: Path, refs: References) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        _need(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    s = web_served(str(tmp_path / "s.db"), tmp_path, fixtures, refs)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(s.client.app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)
    busy = s.client.app.state.web_refreshing  # type: ignore[attr-defined]
    assert busy.acquire(timeout=60)  # no overview refresh left running on the deleted store
    busy.release()


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _log_in(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/queue")
    assert "/login" in page.url
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/queue")


def test_inspector_works_a_red_case_in_chromium(base_url: str) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("playwright is not installed (pip install -e '.[dev]')")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox"])  # CI runs as root
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base_url}/login")
        _shot(page, "01-login")
        _log_in(page, base_url, "ines")
        total_before = page.locator("#queue-total").inner_text()
        _shot(page, "02-queue")
        # Keyboard: j moves to the first case, Enter opens it.
        page.keyboard.press("j")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base_url}/line/**")
        page.go_back()

        page.goto(f"{base_url}/overview")
        assert "No inspection outcomes recorded yet" in page.locator("#hit-rates").inner_text()
        page.goto(f"{base_url}/queue")
        page.get_by_label("Channel").select_option("red")
        page.get_by_role("button", name="Filter").click()
        page.locator("a.open-line").first.click()
        page.wait_for_url(f"{base_url}/line/**")
        line_url = page.url
        assert "red" in page.locator("#case-status").inner_text()
        _shot(page, "03-line-red-case")

        page.get_by_label("Yes: misdeclared or controlled goods").check()
        page.get_by_label("Accelerator actually found").select_option("nvidia-h100-pcie")
        page.get_by_label("Units counted").fill("2")
        page.get_by_label("Capture (lspci / nvidia-smi output, text file; optional)") \
            .set_input_files(str(CAPTURES / "lspci-vmmnn_H100x2.txt"))
        page.get_by_role("button", name="Record outcome and close the case").click()
        page.wait_for_url("**msg=**")
        assert "closed" in page.locator("#case-status").inner_text()
        assert page.locator(".verification").count() == 1
        _shot(page, "04-outcome-recorded")

        page.goto(f"{base_url}/queue")
        assert page.locator("#queue-total").inner_text() != total_before
        page.goto(f"{base_url}/overview")
        hits = page.locator("#hit-rates").inner_text()
        assert "No inspection outcomes" not in hits and "100%" in hits
        assert page.locator("#chart-hit-reason circle").count() >= 1  # the chart shows it too
        _shot(page, "05-overview")
        page.goto(f"{base_url}/search?q=D1")
        _shot(page, "06-search")
        page.goto(f"{base_url}/reference")
        _shot(page, "07-reference")
        page.get_by_role("button", name="Log out").click()

        _log_in(page, base_url, "vera")
        page.goto(line_url)
        assert page.get_by_text("Record the inspection outcome").count() == 0
        assert page.locator("form[action$='/outcome']").count() == 0
        _shot(page, "08-viewer-line")
        browser.close()
    assert len(list(ARTIFACTS.glob("*.png"))) == 8


def test_pages_in_chinese_with_a_cjk_font(base_url: str) -> None:
    """The same pages in Simplified Chinese (?lang=zh-CN, then the cookie), screenshots
    ``zh-*.png``; the glyphs come from a system CJK font (Debian's fonts-noto-cjk,
    installed by .ci/chromium.sh), never from the internet."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("playwright is not installed (the dev extra)")
    if shutil.which("fc-list") and "CJK" not in os.popen("fc-list :lang=zh family").read():
        _need("no CJK font (apt-get install fonts-noto-cjk)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base_url}/login?lang=zh-CN")
        assert page.get_by_role("heading", name="登录").is_visible()
        _shot(page, "zh-01-login")
        page.get_by_label("用户名").fill("ines")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base_url}/queue")
        assert page.get_by_role("heading", name="布控队列").is_visible()  # the cookie kept it
        assert page.evaluate("document.fonts.check('15px \"Noto Sans CJK SC\"', '布控')")
        _shot(page, "zh-02-queue")
        for path, name, heading in (
            ("/line/D1/1", "zh-03-line", "报关单 D1 第 1 项"),
            ("/overview", "zh-05-overview", "概览"),
            ("/search?q=H20", "zh-06-search", "搜索"),
            ("/reference", "zh-07-reference", "现行参考数据"),
        ):
            page.goto(f"{base_url}{path}")
            assert page.get_by_role("heading", name=heading, exact=False).first.is_visible()
            _shot(page, name)
        page.goto(f"{base_url}/search?q=H20&lang=en")
        _shot(page, "06b-search-h20")
        browser.close()
