"""The server as an operator meets it: the per-key rate limit (429 with Retry-After), the request
size limit (413), and `serve` printing its address and access log, with one worker or several."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from chipcustoms.app.server import create_app
from chipcustoms.assess.pipeline import References
from chipcustoms.store import open_store
from chipcustoms.store.access import add_user
from storecheck import cli, env


@pytest.fixture
def client(
    tmp_path: Path, refs: References, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, str]]:
    monkeypatch.setenv("CHIPCUSTOMS_API_RATE_PER_SECOND", "0.5")
    monkeypatch.setenv("CHIPCUSTOMS_API_RATE_BURST", "3")
    monkeypatch.setenv("CHIPCUSTOMS_REQUEST_MAX_BYTES", "2000")
    db = str(tmp_path / "s.db")
    key = add_user(open_store(db), "ana", "analyst")
    with TestClient(create_app(db, refs=refs, jobs_dir=str(tmp_path / "jobs"))) as c:
        yield c, key


def test_a_key_past_its_rate_gets_429_with_retry_after(client: tuple[TestClient, str]) -> None:
    c, key = client
    mine = {"Authorization": f"Bearer {key}"}
    codes = [c.get("/v1/cases", headers=mine).status_code for _ in range(3)]
    assert codes == [200, 200, 200]  # the burst
    r = c.get("/v1/cases", headers=mine)
    assert r.status_code == 429, r.text
    assert r.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(r.headers["Retry-After"]) <= 2  # one token at 0.5 a second
    assert r.headers["X-Frame-Options"] == "DENY"  # inside the security headers
    # Another key has its own bucket; requests without a key (pages, health) are not counted.
    assert c.get("/v1/cases", headers={"Authorization": "Bearer other"}).status_code == 401
    assert all(c.get("/healthz").status_code == 200 for _ in range(5))


def test_a_body_over_the_bound_gets_413_before_it_is_read(
    client: tuple[TestClient, str],
) -> None:
    c, key = client
    mine = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    big = json.dumps({"lines": [{"declaration_id": "X", "description": "x" * 3000}]})
    r = c.post("/v1/screen", content=big, headers=mine)
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large", r.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: read up to the bound, then refused
        for i in range(0, len(big), 500):
            yield big[i : i + 500].encode()

    r = c.post("/v1/screen", content=chunks(), headers=mine)
    assert r.status_code == 413, r.text
    small = json.dumps({"lines": []})
    r = c.post("/v1/screen", content=(p.encode() for p in [small]), headers=mine)
    assert r.status_code == 422, r.text  # under the bound: replayed to the route intact


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_prints_its_address_and_logs_each_request(tmp_path: Path, workers: int) -> None:
    db = str(tmp_path / "s.db")
    open_store(db)
    port = _free_port()
    proc = subprocess.Popen(
        cli("serve", "--db", db, "--port", str(port), "--workers", str(workers)),
        env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline()
        assert first.startswith("note: CHIPCUSTOMS_SECRET") == (workers > 1), first
        if workers > 1:
            while "serving" not in first:
                first = proc.stdout.readline()
        assert f"serving http://127.0.0.1:{port}" in first, first
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise AssertionError("not ready")
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=60)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)
    assert re.search(r'"GET /readyz HTTP/1.1" 200', rest), rest
    assert len(re.findall(r"Started server process", rest)) == workers, rest
