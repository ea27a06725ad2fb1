"""An app answers its first requests however its own threads run beside them: every route is
built in ``create_app``, before those threads start (app/server._build_routes).

FastAPI used to build a router's routes at the first request to reach it, silencing one of
pydantic's warnings meanwhile with ``warnings.catch_warnings``. The process has one list of
warning filters, and the app's start-up thread swaps it too (the online assessor compiling its
patterns), so under load a first request could meet the warning unsilenced: with pytest's
warnings-as-errors, an intermittent 500 on the first page of a web test (the login test)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from chipcustoms.assess.pipeline import References
from web_fixtures import client, web_served

# One request into each router: the pages (login, cases, overview, reference, party) and the
# API (screening, cases, reference data).
FIRST_REQUESTS = [
    ("GET", "/login"), ("GET", "/queue"), ("GET", "/overview"), ("GET", "/reference"),
    ("GET", "/party/IMP1"), ("GET", "/v1/cases/1"), ("GET", "/v1/jobs/1"),
    ("GET", "/v1/catalog"), ("POST", "/v1/screen"),
]


def test_no_route_is_built_while_serving(
    tmp_path: Path, fixtures: Path, refs: References, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race, made certain: once the app exists, a warning filter set inside a
    ``catch_warnings`` block no longer takes (as when another thread's block ends first and
    restores the list), and warnings are errors. A route built during a request would fail."""
    s = web_served(str(tmp_path / "s.db"), tmp_path, fixtures, refs)  # users with passwords
    monkeypatch.setattr(warnings, "simplefilter", lambda *args, **kwargs: None)
    warnings.filterwarnings("error")  # pytest's setting, and this test's own filter list
    with s.client:
        c = client(s, "adam")
        for method, path in FIRST_REQUESTS:
            r = c.request(method, path, headers=s.auth("adam"), follow_redirects=False)
            assert r.status_code < 500, (method, path, r.text[:300])
