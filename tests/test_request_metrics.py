"""The request metrics (app/api/prometheus.py, plain ASGI): each response carries its
``Server-Timing`` and each request is counted per method, matched route and status."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from chipcustoms.app.server import create_app
from chipcustoms.assess.pipeline import References
from chipcustoms.store import open_store


def test_requests_are_timed_and_counted_per_route(tmp_path: Path, refs: References) -> None:
    db = str(tmp_path / "m.db")
    open_store(db).engine.dispose()
    with TestClient(create_app(db, refs=refs, jobs_dir=str(tmp_path / "jobs"))) as client:
        for _ in range(3):
            r = client.get("/healthz")
            assert r.status_code == 200
            assert r.headers["server-timing"].startswith("app;dur=")
        assert client.get("/v1/cases/1").status_code == 401  # no key: counted all the same
        assert client.get("/no/such/page").status_code == 404
        text = client.get("/metrics").text
    assert 'chipcustoms_requests_total{method="GET",route="/healthz",status="200"} 3.0' in text
    assert 'route="/v1/cases/{case_id}",status="401"} 1.0' in text
    assert 'chipcustoms_requests_total{method="GET",route="unmatched",status="404"} 1.0' in text
    assert 'chipcustoms_request_seconds_count{route="/healthz"} 3.0' in text
