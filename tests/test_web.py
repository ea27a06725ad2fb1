"""The web pages through an in-process client: login and sessions, CSRF, roles and office
scoping, case work from the line page, and the overview's aggregates against the store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from chipcustoms.store import open_store, views
from chipcustoms.store import tables as t
from chipcustoms.store.access import set_password
from server_fixtures import Served
from web_fixtures import PASSWORD, client, csrf, idle, login_form, open_cases

CAPTURES = Path(__file__).parent / "fixtures" / "captures"


def test_login_required_wrong_password_and_logout(web: Served) -> None:
    c = client(web)
    r = c.get("/queue?channel=red", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/queue%3Fchannel%3Dred"
    bad = c.post("/login", data=login_form(c, "ines", "wrong password"))
    assert bad.status_code == 401 and "Unknown name or wrong password" in bad.text
    assert c.post("/login", data=login_form(c, "nobody", PASSWORD)).status_code == 401
    r = c.post("/login", data=login_form(c, "ines", PASSWORD, next="//evil.example"),
               follow_redirects=False)
    assert r.headers["location"] == "/queue"  # no open redirect
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    page = c.get("/queue")
    assert page.status_code == 200 and "ines · inspector · office SZ01" in page.text
    out = c.post("/logout", data={"csrf": csrf(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert c.get("/queue", follow_redirects=False).status_code == 303


def test_sessions_expire_and_end_with_a_new_password(
    web: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = client(web, "ana")
    assert c.get("/overview", follow_redirects=False).status_code == 200
    monkeypatch.setenv("CHIPCUSTOMS_SESSION_SECONDS", "-1")  # every cookie is now too old
    assert c.get("/overview", follow_redirects=False).status_code == 303
    monkeypatch.delenv("CHIPCUSTOMS_SESSION_SECONDS")
    assert c.get("/overview", follow_redirects=False).status_code == 200
    set_password(open_store(web.db), "ana", "another password")
    assert c.get("/overview", follow_redirects=False).status_code == 303
    forged = client(web)
    forged.cookies.set("chipcustoms_session", "eyJ1IjoiYWRhbSJ9.forged.sig")
    assert forged.get("/queue", follow_redirects=False).status_code == 303


def test_forms_without_the_session_token_are_refused(web: Served) -> None:
    c = client(web, "ines")
    case = open_cases(web, "SZ01")[0]
    r = c.post(f"/cases/{case['case_id']}/assign", data={"csrf": "guess"})
    assert r.status_code == 403 and "expired or did not come from this site" in r.text
    after = web.client.get(f"/v1/cases/{case['case_id']}", headers=web.auth("adam")).json()
    assert after["status"] == "open"


def test_queue_filters_sort_and_assign_to_me(web: Served) -> None:
    c = client(web, "adam")
    page = c.get("/queue?sort=risk")
    risks = [float(x) for x in re.findall(r"<td>(\d\.\d{3})</td>", page.text)]
    assert risks and risks == sorted(risks, reverse=True)
    api_total = len(open_cases(web))
    assert f"{api_total} case" in page.text
    red = c.get("/queue?channel=red&office=&accelerator=&age=&status=open").text  # as a form
    assert 'class="chan yellow"' not in red and 'class="chan red"' in red
    case = open_cases(web)[0]
    r = c.post(f"/cases/{case['case_id']}/assign",
               data={"csrf": csrf(page.text), "back": "/queue?status=assigned"})
    assert r.status_code == 200 and f"{case['declaration_id']} / {case['item_no']}" in r.text
    assert "assigned (adam)" in r.text


def test_office_scoping_and_roles_on_pages(web: Served) -> None:
    otto = client(web, "otto")  # inspector of SZ02
    assert "SZ01" not in otto.get("/queue").text.split("<tbody>")[1]
    assert otto.get("/queue?office=SZ01").status_code == 403
    assert otto.get("/line/D1/1").status_code == 403
    sz01 = next(c for c in open_cases(web, "SZ01"))
    line = f"/line/{sz01['declaration_id']}/{sz01['item_no']}"
    viewer = client(web, "vera").get(line)
    assert viewer.status_code == 200
    assert "Record the inspection outcome" not in viewer.text and "Override" not in viewer.text
    inspector = client(web, "ines").get(line).text
    assert "Record the inspection outcome" in inspector and "Override the channel" not in inspector
    r = client(web, "vera").post(f"/cases/{sz01['case_id']}/outcome",
                                 data={"csrf": csrf(viewer.text), "found": "yes"})
    assert r.status_code == 403


def test_line_page_outcome_with_capture_and_override(web: Served) -> None:
    case = next(c for c in open_cases(web, "SZ01") if c["declaration_id"] == "D1")
    line = f"/line/D1/{case['item_no']}"
    ines = client(web, "ines")
    page = ines.get(line).text
    for section in ("As declared", "Resolved to", "Reasons", "Screening hits",
                    "top contributions", "History of assessments"):
        assert section in page
    assert "ECCN" in page and "TPP" in page
    before = len(open_cases(web))
    capture = (CAPTURES / "nvidia-smi-q-x_H20.xml").read_bytes()
    r = ines.post(
        f"/cases/{case['case_id']}/outcome",
        data={"csrf": csrf(page), "found": "yes", "real_accelerator_id": "nvidia-h20",
              "real_units": "8", "real_value_usd": "96000", "notes": "8 cards"},
        files={"capture": ("smi.xml", capture, "text/xml")},
    )
    assert r.status_code == 200 and "Outcome recorded" in r.text
    assert "Found</strong> by ines" in r.text and "Capture verification" in r.text
    assert len(open_cases(web)) == before - 1
    ana = client(web, "ana")
    p2 = ana.get(line).text
    r = ana.post(f"/cases/{case['case_id']}/override",
                 data={"csrf": csrf(p2), "channel": "green", "reason": "cleared after check"})
    assert "Override by ana" in r.text and "cleared after check" in r.text
    bad = ana.post(f"/cases/{case['case_id']}/override",
                   data={"csrf": csrf(p2), "channel": "green", "reason": " "})
    assert bad.status_code == 422


def _in_force_totals(db: str) -> tuple[int, float]:
    d, a = t.declarations.c, t.assessments.c
    q = sa.select(sa.func.count(), sa.func.sum(a.value_usd)).select_from(
        t.declarations.join(t.assessments, sa.and_(
            a.declaration_id == d.declaration_id, a.item_no == d.item_no,
            a.run_id == d.last_run_id)))
    with open_store(db).engine.connect() as conn:
        n, v = conn.execute(q).one()
    return int(n), float(v or 0)


def _cells(db: str) -> list[tuple[object, ...]]:
    oc = t.overview_cells.c
    with open_store(db).engine.connect() as conn:
        rows = conn.execute(
            sa.select(oc.kind, oc.period, oc.office, oc.channel, oc.k1, oc.k2, oc.k3, oc.lines))
        return sorted((tuple(r) for r in rows), key=lambda r: [str(x) for x in r])


def test_overview_matches_the_store_and_refreshes_incrementally(web: Served) -> None:
    data = web.client.get("/v1/overview", params={"fresh": True},
                          headers=web.auth("ana")).json()
    assert data["as_of"] and not data["updating"]
    n, value = _in_force_totals(web.db)
    assert sum(r["lines"] for r in data["by_model_month"]) == n == 7
    assert sum(r["value_usd"] or 0 for r in data["by_model_month"]) == pytest.approx(value)
    assert sum(r["lines"] for r in data["routes"]) == n
    assert sum(r["lines"] for r in data["channel_mix"]) == n
    sz02 = web.client.get("/v1/overview", params={"office": "SZ02"},
                          headers=web.auth("otto")).json()
    assert {r["office"] for r in sz02["channel_mix"]} == {"SZ02"}
    assert web.client.get("/v1/overview", params={"office": "SZ01"},
                          headers=web.auth("otto")).status_code == 403
    nov5 = web.client.get("/v1/overview", params={"date_from": "2025-11-05", "date_to":
                          "2025-11-05"}, headers=web.auth("ana")).json()
    assert sum(r["lines"] for r in nov5["by_model_month"]) == 2  # D3 and D4
    line = {"declaration_id": "W1", "date": "2025-11-05", "flow": "import", "office": "SZ01",
            "description": "NVIDIA H20 96GB", "quantity": 4, "value": 9000, "currency": "USD"}
    assert web.client.post("/v1/screen", json={"lines": [line]},
                           headers=web.auth("ana")).status_code == 200
    stale = web.client.get("/v1/overview", headers=web.auth("ana")).json()
    assert stale["updating"]  # answered at once from the cells; a refresh has started
    idle(web)
    again = web.client.get("/v1/overview", params={"fresh": True},
                           headers=web.auth("ana")).json()
    assert sum(r["lines"] for r in again["by_model_month"]) == 8 and not again["updating"]
    incremental = _cells(web.db)
    with open_store(web.db).engine.begin() as conn:  # forget the watermark: full rebuild
        conn.execute(t.overview_state.delete())
    assert views.refresh(open_store(web.db))
    assert _cells(web.db) == incremental


def test_search_reference_and_no_external_assets(web: Served) -> None:
    c = client(web, "adam")
    assert "/line/D6/1" in c.get("/search?q=D6").text
    assert "/line/D1/1" in c.get("/search?q=shenzhen").text  # importer name, any case
    h20 = c.get("/search?q=H20").text
    assert "nvidia-h20" in h20 and "/line/D1/1" in h20
    ines = client(web, "ines").get("/search?q=D").text
    assert "/line/D1/1" in ines and "/line/D6/1" not in ines  # office scoping
    ref = c.get("/reference").text
    assert "CN_SCRUTINY_NAMED_MODEL" in ref and "nvidia-h20" in ref and "3A090" in ref
    for path in ("/queue", "/overview", "/line/D1/1", "/search?q=D1", "/reference", "/login"):
        html = c.get(path).text
        assert not re.search(r'(src|href)="(https?:)?//', html), path  # nothing from a CDN
    assert c.get("/static/style.css").status_code == 200
    assert "keydown" in c.get("/static/app.js").text
    assert "<svg" in c.get("/overview?measure=units").text
    assert c.get("/overview?date_from=yesterday").status_code == 422
