"""The API through an in-process client: screening, the error envelope, role and office
boundaries, case work. Every error must come back in the one envelope."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from chipcustoms.app.api.schemas import records_frame
from chipcustoms.app.api.screen_routes import EXAMPLE_LINE
from chipcustoms.store import open_store
from chipcustoms.store.access import revoke_user
from server_fixtures import Served

LINE = dict(EXAMPLE_LINE)  # the line the API document shows is the one posted here


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    err: dict[str, Any] = body["error"]
    return err


def test_screen_one_line_stores_it_with_reasons(api: Served) -> None:
    r = api.client.post("/v1/screen", json={"lines": [LINE]}, headers=api.auth("ana"))
    assert r.status_code == 200, r.text
    (a,) = r.json()["assessments"]
    assert a["declaration_id"] == "API1" and a["channel"] in ("green", "yellow", "red", "blue")
    assert a["accelerator_id"] == "nvidia-h20" and a["reasons"][0]["code"]
    d = api.client.get("/v1/declarations/API1", headers=api.auth("vera")).json()
    assert d["items"][0]["latest"]["channel"] == a["channel"]
    metrics = api.client.get("/metrics").text
    assert f'chipcustoms_lines_screened_total{{channel="{a["channel"]}"}} 1.0' in metrics


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"lines": [{**LINE, "quantity": "eight"}]}, 422, "lines.0.quantity"),
        ({"lines": [{**LINE, "colour": "green"}]}, 422, "lines.0.colour"),
        ({"lines": [{**LINE, "quantity": -3}]}, 422, "lines.0.quantity"),
        ({"lines": [{**LINE, "date": "2025-13-45"}]}, 422, "lines.0.date"),
        # ingest's working columns start with "__" (found by schemathesis: was a 400)
        ({"lines": [{**LINE, "extra": {"__main__": True}}]}, 422, "lines.0.extra.__main__"),
        ({"lines": []}, 422, "lines"),
        ({"line": LINE}, 422, "line"),
    ],
)
def test_invalid_lines_get_422_naming_the_field_and_store_nothing(
    api: Served, body: dict[str, Any], status: int, field: str
) -> None:
    before = open_store(api.db).count("declarations")
    err = error(api.client.post("/v1/screen", json=body, headers=api.auth("ana")), status)
    assert field in [d["field"] for d in err["details"]], err
    assert open_store(api.db).count("declarations") == before


def test_a_repeated_key_is_answered_with_the_repeat_reported_and_the_first_line_kept(
    api: Served,
) -> None:
    """A JSON Schema cannot say "keys unique across items", so a request with a repeated
    (declaration_id, item_no) is valid under the document: it is answered as a file's ingest
    treats it (the first line wins), and the repeat is named with its reason."""
    other = {**LINE, "declaration_id": "API2"}
    repeat = {**LINE, "description": "a different text for the same key"}
    body = {"lines": [LINE, other, repeat, {**LINE}]}
    r = api.client.post("/v1/screen", json=body, headers=api.auth("ana"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert [a["declaration_id"] for a in out["assessments"]] == ["API1", "API2"]
    assert [q["field"] for q in out["quarantined"]] == [
        "lines.2.declaration_id", "lines.3.declaration_id"
    ]
    assert all("duplicate key" in q["problem"] and "first seen in lines.0" in q["problem"]
               for q in out["quarantined"]), out["quarantined"]
    d = api.client.get("/v1/declarations/API1", headers=api.auth("vera")).json()
    assert [i["declaration"]["description"] for i in d["items"]] == [LINE["description"]]
    one = api.client.post("/v1/screen", json={"lines": [LINE]}, headers=api.auth("ana"))
    assert one.status_code == 200 and one.json()["quarantined"] == []


def test_a_repeat_beside_an_unreadable_line_refuses_only_for_the_unreadable_one() -> None:
    """Another problem still refuses the request (422), naming that line, not the repeat."""
    from chipcustoms.app.api.screen_routes import _split_quarantine
    from chipcustoms.lines.ingest import ingest
    from chipcustoms.lines.mapping import load_mapping

    row = {"declaration_id": "K", "item_no": "1", "date": "2025-01-01", "flow": "import"}
    rows = [row, dict(row), {**row, "declaration_id": "L", "date": "2025-13-01"}]
    result = ingest(records_frame(rows), load_mapping(None), file="request", check_encoding=False)
    repeated, refused = _split_quarantine(result.quarantine.to_dicts())
    assert [q["field"] for q in repeated] == ["lines.1.declaration_id"]
    assert [q["field"] for q in refused] == ["lines.2.date"]


def test_malformed_json_and_unknown_route_use_the_envelope(api: Served) -> None:
    headers = {**api.auth("ana"), "Content-Type": "application/json"}
    err = error(api.client.post("/v1/screen", content=b"{not json", headers=headers), 400)
    assert err["code"] == "malformed_json"
    assert error(api.client.get("/v1/nothing", headers=api.auth("ana")), 404)["code"]
    assert error(api.client.get("/v1/cases/99999", headers=api.auth("adam")), 404)
    # Found by schemathesis: an id past 64 bits used to reach SQLite and fail with a 500.
    error(api.client.get(f"/v1/cases/{2**64}", headers=api.auth("adam")), 422)
    error(api.client.get(f"/v1/cases?offset={2**64}", headers=api.auth("adam")), 422)


def test_missing_forged_and_revoked_keys_get_401(api: Served) -> None:
    assert error(api.client.get("/v1/cases"), 401)["code"] == "unauthenticated"
    forged = {"Authorization": "Bearer cc_" + "x" * 43}
    error(api.client.get("/v1/cases", headers=forged), 401)
    assert api.client.get("/v1/cases", headers=api.auth("vera")).status_code == 200
    revoke_user(open_store(api.db), "vera")
    error(api.client.get("/v1/cases", headers=api.auth("vera")), 401)


def _case_in(api: Served, office: str) -> int:
    page = api.client.get(f"/v1/cases?office={office}", headers=api.auth("adam")).json()
    assert page["total"] > 0
    return int(page["cases"][0]["case_id"])


OUTCOME = {"found": True, "real_accelerator_id": "nvidia-h100-pcie", "real_units": 8, "notes": "x"}


def test_role_boundaries(api: Served) -> None:
    sz01 = _case_in(api, "SZ01")
    # A viewer reads but cannot screen, override or record an outcome.
    error(api.client.post("/v1/screen", json={"lines": [LINE]}, headers=api.auth("vera")), 403)
    post = api.client.post
    error(post(f"/v1/cases/{sz01}/outcome", json=OUTCOME, headers=api.auth("vera")), 403)
    override = {"channel": "red", "reason": "tip-off"}
    error(post(f"/v1/cases/{sz01}/override", json=override, headers=api.auth("vera")), 403)
    # An analyst overrides but does not record outcomes; an inspector does not override.
    assert post(f"/v1/cases/{sz01}/override", json=override, headers=api.auth("ana")).is_success
    error(post(f"/v1/cases/{sz01}/outcome", json=OUTCOME, headers=api.auth("ana")), 403)
    error(post(f"/v1/cases/{sz01}/override", json=override, headers=api.auth("ines")), 403)
    # An inspector of SZ02 cannot touch SZ01's case; SZ01's inspector can.
    error(post(f"/v1/cases/{sz01}/assign", json={}, headers=api.auth("otto")), 403)
    error(post(f"/v1/cases/{sz01}/outcome", json=OUTCOME, headers=api.auth("otto")), 403)
    assert (
        post(f"/v1/cases/{sz01}/assign", json={}, headers=api.auth("ines")).json()["assigned_to"]
        == "ines"
    )
    done = post(f"/v1/cases/{sz01}/outcome", json=OUTCOME, headers=api.auth("ines"))
    assert done.status_code == 200 and done.json()["recorded_by"] == "ines"


def test_outcome_capture_is_verified_against_the_declared_line(api: Served) -> None:
    """A card whose PCI id says H100 SXM, recorded on a case that declared something else."""
    case = api.client.get(f"/v1/cases/{_case_in(api, 'SZ01')}", headers=api.auth("ines")).json()
    capture = (Path(__file__).parent / "fixtures/captures/lspci-nn_relabelled.txt").read_text()
    body = {**OUTCOME, "real_accelerator_id": "nvidia-h100-sxm", "real_units": 1,
            "capture": capture}
    done = api.client.post(f"/v1/cases/{case['case_id']}/outcome", json=body,
                           headers=api.auth("ines"))
    assert done.status_code == 200
    verdict = json.loads(done.json()["verification"])
    assert verdict["found_accelerator_ids"] == ["nvidia-h100-sxm"]
    assert verdict["declared_accelerator_id"] == case["accelerator_id"] != "nvidia-h100-sxm"
    # The line declares more units than the one card captured: both mismatches are named.
    assert verdict["status"].startswith("model") and verdict["mismatches"][0] == "model"
    assert verdict["against_report"]["status"] == "match"
    # What was declared is stored with the verdict (it once read null).
    line = api.client.get(f"/v1/declarations/{case['declaration_id']}",
                          headers=api.auth("ines")).json()
    item = next(i for i in line["items"] if i["declaration"]["item_no"] == case["item_no"])
    per_item = item["latest"]["units_per_item"] or 1
    assert verdict["declared_units"] == item["declaration"]["quantity"] * per_item > 0


def test_office_scoped_users_see_only_their_office(api: Served) -> None:
    mine = api.client.get("/v1/cases", headers=api.auth("otto")).json()
    assert mine["total"] > 0 and {c["office"] for c in mine["cases"]} == {"SZ02"}
    error(api.client.get("/v1/cases?office=SZ01", headers=api.auth("otto")), 403)
    error(api.client.get("/v1/declarations/D1", headers=api.auth("otto")), 403)
    everyone = api.client.get("/v1/cases?limit=1", headers=api.auth("vera")).json()
    assert everyone["total"] > mine["total"] and len(everyone["cases"]) == 1


def test_outcome_and_override_are_audited_with_who_and_before(api: Served) -> None:
    case = _case_in(api, "SZ01")
    body = {"channel": "red", "reason": "intelligence report 7"}
    api.client.post(f"/v1/cases/{case}/override", json=body, headers=api.auth("ana"))
    entries = list(open_store(api.db).audit_entries())
    last = entries[-1]
    assert (last["actor"], last["action"], last["entity_id"]) == ("ana", "case.override", str(case))
    assert '"status": "open"' in last["before"] and '"channel": "red"' in last["after"]


def test_reference_data_health_and_readiness(api: Served) -> None:
    h = api.auth("vera")
    assert api.client.get("/v1/catalog", headers=h).json()["models"]
    assert api.client.get("/v1/policies", headers=h).json()["packs"]
    assert "in_force" in api.client.get("/v1/models", headers=h).json()
    assert "in_force" in api.client.get("/v1/watchlists", headers=h).json()
    assert api.client.get("/healthz").json() == {"status": "alive"}
    assert api.client.get("/readyz").json()["status"] == "ready"
    assert api.client.get("/openapi.json").json()["paths"]["/v1/screen"]


def test_batch_job_screens_a_file_in_a_worker(api: Served, fixtures: Path) -> None:
    with (fixtures / "bad_rows.csv").open("rb") as f:
        r = api.client.post(
            "/v1/jobs",
            files={"file": ("bad_rows.csv", f)},
            data={"mapping": "canonical"},
            headers=api.auth("ana"),
        )
    assert r.status_code == 202, r.text
    url = r.json()["url"]
    deadline = time.monotonic() + 120
    while (job := api.client.get(url, headers=api.auth("ana")).json())["state"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline, job
        time.sleep(0.5)
    assert job["state"] == "done", job
    assert job["done"] == job["total"] > 0 and job["counts"]["quarantined"] == len(
        job["quarantine"]
    )
    assert job["quarantine"] and {"row", "field", "reason"} <= set(job["quarantine"][0])
    assert error(api.client.post("/v1/jobs", headers=api.auth("vera")), 403)


def test_empty_form_fields_mean_the_defaults(api: Served, fixtures: Path) -> None:
    """An empty form field is the field absent (the document lists "" for both): the bundled
    canonical mapping and the format from the file's name."""
    with (fixtures / "bad_rows.csv").open("rb") as f:
        r = api.client.post(
            "/v1/jobs",
            files={"file": ("bad_rows.csv", f)},
            data={"mapping": "", "format": ""},
            headers=api.auth("ana"),
        )
    assert r.status_code == 202, r.text
    deadline = time.monotonic() + 120
    while (job := api.client.get(r.json()["url"], headers=api.auth("ana")).json())["state"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline, job
        time.sleep(0.5)
    assert job["state"] == "done" and job["file"] == "bad_rows.csv", job
    body = api.client.get("/openapi.json").json()["components"]["schemas"]
    form = body["Body_submit_job_v1_jobs_post"]["properties"]
    assert "" in form["mapping"]["enum"] and "" in form["format"]["enum"]


def test_an_item_number_written_with_a_zero_fraction_is_that_item(api: Served) -> None:
    """JSON Schema counts 2.0 as an integer, so the server does too; 2.5 is still refused."""
    line = {**LINE, "declaration_id": "API3", "item_no": 2.0}
    r = api.client.post("/v1/screen", json={"lines": [line]}, headers=api.auth("ana"))
    assert r.status_code == 200, r.text
    assert r.json()["assessments"][0]["item_no"] == 2
    bad = {"lines": [{**line, "item_no": 2.5}]}
    err = error(api.client.post("/v1/screen", json=bad, headers=api.auth("ana")), 422)
    assert err["details"][0]["field"] == "lines.0.item_no"
