"""The standing injection corpus for policy packs and mappings (issue 13).

Policy packs and mappings are data people share. Every payload of
``tests/data/injection/{policy,mapping}.yaml`` must be refused with an error that names the file
(and, for a pack, the rule), before any input is read and without writing anything; a few go
through the installed console script. Behind the checks, the DuckDB connection that evaluates
conditions cannot reach a file even when handed SQL that was never checked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
import yaml

from chipcustoms.assess.pipeline import References
from chipcustoms.assess.scoring import scoring_config
from chipcustoms.errors import ChipCustomsError, ReferenceDataError, RuleError
from chipcustoms.lines.mapping import bundled_mappings, load_mapping
from chipcustoms.policy import rules, sqlexpr
from chipcustoms.policy.packs import LoadedPack, Pack, bundled_packs, load_pack
from chipcustoms.recognise.catalog import Catalog, load_catalog
from chipcustoms.run.orchestrator import check_rules
from server_fixtures import served

CORPUS = Path(__file__).parent / "data" / "injection"
POLICY: list[dict[str, Any]] = yaml.safe_load((CORPUS / "policy.yaml").read_text("utf-8"))[
    "payloads"
]
MAPPINGS = yaml.safe_load((CORPUS / "mapping.yaml").read_text("utf-8"))
SRC = Path(__file__).parents[1] / "src"
BASE_RULE = {
    "code": "INJECTED",
    "title": "payload",
    "category": "valuation",
    "condition": "TRUE",
    "weight": 0.1,
    "source": "tests/data/injection/policy.yaml",
    "message": "hit",
}


def _built(spec: str | dict[str, Any]) -> str:
    """A payload condition: text, or a template repeated to a size no one types by hand."""
    if isinstance(spec, str):
        return spec
    n = spec["times"]
    return str(spec["template"]).format(a=spec.get("a", "") * n, b=spec.get("b", "") * n)


def _pack_text(payload: dict[str, Any]) -> str:
    if "text" in payload:
        return str(payload["text"])
    rule: dict[str, Any] = {"id": payload["id"], **BASE_RULE}
    for key in ("condition", "group", "message", "evidence"):
        if key in payload:
            rule[key] = _built(payload[key]) if key == "condition" else payload[key]
    pack = {"id": "evil", "version": "1", "title": "t", "source": "s", "rules": [rule]}
    return yaml.safe_dump(pack, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _refusal(path: Path, catalog: Catalog) -> str:
    """The error the real load path gives: load the pack, build the rules, compile them
    against an assessed batch's columns (what `screen_file` does before reading input)."""
    with pytest.raises(ChipCustomsError) as info:
        check_rules(References(catalog, [load_pack(str(path))], scoring_config()))
    return str(info.value)


def test_the_corpus_covers_the_class() -> None:
    ids = [p["id"] for p in POLICY]
    assert len(ids) == len(set(ids)) and len(ids) >= 25
    assert sum("group" in p for p in POLICY) >= 5  # aggregate names, expressions, partition_by
    assert len(MAPPINGS["payloads"]) >= 15


@pytest.mark.parametrize("payload", POLICY, ids=[p["id"] for p in POLICY])
def test_policy_payload_is_refused_naming_file_and_rule(
    payload: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog: Catalog
) -> None:
    monkeypatch.chdir(tmp_path)  # a payload that ran would write here (pwned.csv, ...)
    path = tmp_path / "evil.yaml"
    path.write_text(_pack_text(payload), encoding="utf-8")
    message = _refusal(path, catalog)
    assert str(path) in message
    if "text" not in payload:  # ours say "rule ID", the YAML validator's "[ID]"
        assert f"rule {payload['id']}" in message or f"[{payload['id']}]" in message
    assert re.search(payload["refused"], message), message
    assert "\n" not in message
    assert sorted(os.listdir(tmp_path)) == ["evil.yaml"]


def test_bundled_packs_load_and_compile_for_a_batch(catalog: Catalog) -> None:
    packs = [load_pack(name) for name in bundled_packs()]
    check_rules(References(catalog, packs, scoring_config()))


def test_checked_sql_is_rendered_from_the_tree_with_identifiers_quoted() -> None:
    sql = sqlexpr.check(
        "regexp_matches(lower(coalesce(description, '')), 'it''s') AND flow = 'a--b'",
        {"description", "flow"},
        where="t",
    )
    assert sql == (
        "REGEXP_MATCHES(LOWER(COALESCE(\"description\", '')), 'it''s') AND \"flow\" = 'a--b'"
    )


def test_string_literals_round_trip_through_duckdb() -> None:
    """What a literal says is what DuckDB reads: no quote or backslash changes the query."""
    con = rules.connect()
    for text in ["it's", "a\\", "\\'", "'; COPY x TO 'y'; --", "line\nbreak", "“quoted”", "$$"]:
        sql = sqlexpr.check(f"flow = {_quote(text)}", {"flow"}, where="t")
        literal = sql.split(" = ", 1)[1]
        assert con.sql(f"SELECT {literal}").fetchall() == [(text,)]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT content FROM read_text('/etc/passwd')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "COPY (SELECT 1) TO '{tmp}/pwned.csv'",
        "ATTACH '{tmp}/pwned.db' AS evil",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET autoload_known_extensions = true",
    ],
)
def test_rule_connection_reaches_no_file_network_or_extension(sql: str, tmp_path: Path) -> None:
    con = rules._thread_connection()
    with pytest.raises(duckdb.Error):
        con.sql(sql.format(tmp=tmp_path)).fetchall()
    assert not any(tmp_path.iterdir())


def test_a_condition_that_slipped_through_still_cannot_read_a_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Suppose the checks had a hole: the rendered SQL reads /etc/passwd. DuckDB refuses."""
    rule = {"id": "slipped", **BASE_RULE, "condition": "flow = 'import'"}
    pack = Pack.model_validate(
        {"id": "p", "version": "1", "title": "t", "source": "s", "rules": [rule]}
    )
    ruleset = rules.RuleSet([LoadedPack(pack=pack, path=Path("p.yaml"), digest="x")])
    evil = "flow IN (SELECT content FROM read_text('/etc/passwd'))"
    monkeypatch.setattr(sqlexpr.Checked, "render", lambda self, columns: evil)
    lines = pl.DataFrame({"flow": ["import"], "date": [None]}).with_row_index(rules.IDX)
    with pytest.raises(RuleError, match=r"Permission|disabled"):
        ruleset.evaluate(lines)


def test_the_sandbox_cannot_be_loosened_and_still_spills(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="enable_external_access"):
        rules.connect(enable_external_access=True)
    con = rules.connect(memory_limit="200MB", temp_directory=str(tmp_path / "spill"))
    assert con.sql("SELECT current_setting('enable_external_access')").fetchall() == [(False,)]


def _chipcustoms(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed console script of this venv, with this tree's sources first."""
    script = shutil.which("chipcustoms", path=str(Path(sys.executable).parent))
    assert script, "the chipcustoms console script is not installed in this venv"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [script, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


CLI = [p for p in POLICY if p.get("cli")]


@pytest.mark.parametrize("payload", CLI, ids=[p["id"] for p in CLI])
def test_cli_refuses_payload_with_exit_2_and_writes_nothing(
    payload: dict[str, Any], tmp_path: Path, fixtures: Path
) -> None:
    shutil.copy(fixtures / "lines.csv", tmp_path / "in.csv")
    (tmp_path / "evil.yaml").write_text(_pack_text(payload), encoding="utf-8")
    res = _chipcustoms(
        "screen", "in.csv", "-o", "out.csv", "--policy", "evil.yaml", "-q", cwd=tmp_path
    )
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert "evil.yaml" in lines[0]
    assert f"rule {payload['id']}" in lines[0] or f"[{payload['id']}]" in lines[0]
    assert sorted(os.listdir(tmp_path)) == ["evil.yaml", "in.csv"]


MAPPING = MAPPINGS["payloads"]


@pytest.mark.parametrize("payload", MAPPING, ids=[p["id"] for p in MAPPING])
def test_mapping_payload_is_refused_naming_the_file(
    payload: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "evil.yaml"
    text = payload.get("text") or yaml.safe_dump(
        {"name": "evil", "passthrough": True, **payload["mapping"]}, allow_unicode=True
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError) as info:
        load_mapping(str(path))
    assert str(path) in str(info.value)
    assert re.search(payload["refused"], str(info.value)), info.value
    assert sorted(os.listdir(tmp_path)) == ["evil.yaml"]


def test_a_server_takes_bundled_mappings_by_name_only_and_reveals_no_paths() -> None:
    for name in bundled_mappings():
        assert load_mapping(name, bundled_only=True).name
    answers = set()
    for name in MAPPINGS["server"]:
        with pytest.raises(ReferenceDataError) as info:
            load_mapping(name, bundled_only=True)
        answers.add(str(info.value).replace(repr(name[:60]), "NAME"))
    assert len(answers) == 1 and "not a bundled mapping" in answers.pop()


def test_cli_refuses_a_malicious_mapping_with_exit_2(tmp_path: Path, fixtures: Path) -> None:
    shutil.copy(fixtures / "lines.csv", tmp_path / "in.csv")
    (tmp_path / "m.yaml").write_text("name: m\ncolumns: {description: '^.*$'}\n", "utf-8")
    res = _chipcustoms("screen", "in.csv", "-o", "out.csv", "--mapping", "m.yaml", cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    assert "m.yaml" in res.stderr and "not a plain column name" in res.stderr
    assert sorted(os.listdir(tmp_path)) == ["in.csv", "m.yaml"]


def test_job_upload_names_a_bundled_mapping_or_is_refused(
    tmp_path: Path, fixtures: Path, refs: References
) -> None:
    api = served(str(tmp_path / "s.db"), tmp_path, fixtures, refs)
    with api.client:
        for mapping in ("/etc/passwd", "/no/such/file.yaml"):
            with (fixtures / "lines.csv").open("rb") as f:
                r = api.client.post(
                    "/v1/jobs",
                    files={"file": ("lines.csv", f)},
                    data={"mapping": mapping},
                    headers=api.auth("ana"),
                )
            assert r.status_code == 422, r.text
            # The request schema lists the bundled mappings: a path is refused by it, the same
            # way for a file that exists and one that does not (nothing about the server leaks).
            err = r.json()["error"]
            assert [d["field"] for d in err["details"]] == ["mapping"], err
            assert mapping not in r.text
