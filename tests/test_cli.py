import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from chipcustoms.cli.main import app

runner = CliRunner()


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chipcustoms", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet"])
def test_screen_writes_every_format(tmp_path: Path, fixtures: Path, ext: str) -> None:
    out = tmp_path / f"a.{ext}"
    res = runner.invoke(app, ["screen", str(fixtures / "lines.csv"), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    df = {"csv": pl.read_csv, "jsonl": pl.read_ndjson, "parquet": pl.read_parquet}[ext](out)
    assert df.height == 7
    assert {
        "declaration_id",
        "item_no",
        "accelerator_id",
        "risk_score",
        "channel",
        "reasons",
        "eccn",
        "license_required",
    } <= set(df.columns)
    if ext == "csv":
        reasons = json.loads(df["reasons"][0])
        assert reasons[0]["code"] and "evidence" in reasons[0]
    else:
        assert df.schema["reasons"] == pl.List(
            pl.Struct(
                {
                    "code": pl.Utf8,
                    "source": pl.Utf8,
                    "score": pl.Float64,
                    "message": pl.Utf8,
                    "evidence": pl.Utf8,
                }
            )
        )


def test_quarantined_rows_go_beside_the_output_and_the_run_succeeds(
    tmp_path: Path, fixtures: Path
) -> None:
    res = _cli("screen", str(fixtures / "bad_rows.csv"), "-o", str(tmp_path / "a.csv"))
    assert res.returncode == 0, res.stderr
    q = pl.read_csv(tmp_path / "a.quarantine.csv")
    assert q.height == 11 and {"file", "row", "field", "reason", "raw"} <= set(q.columns)
    assert "quarantined: 11" in res.stderr and "accepted: 2" in res.stderr


def test_stdin_to_stdout(fixtures: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "chipcustoms", "screen", "-", "-q"],
        input=(fixtures / "lines.csv").read_text(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("declaration_id,item_no")
    assert len(res.stdout.strip().splitlines()) == 8


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["screen", "missing.csv", "-o", "x.csv"], "missing.csv: file not found"),
        (["screen", "{fixtures}/lines.csv", "-o", "x.txt"], "unknown file type"),
        (["screen", "{fixtures}/lines.csv", "-o", "x.csv", "--mapping", "nope"], "mapping 'nope'"),
        (["screen", "{fixtures}/lines.csv", "-o", "x.csv", "--red", "2"], "between 0 and 1"),
        (["screen", "{fixtures}/lines.csv", "-o", "x.csv", "--per", "colour"], "--per"),
        (["screen", "{fixtures}/lines.csv", "-o", "x.csv", "--policy", "nope"], "policy pack"),
    ],
)
def test_clear_error_and_exit_code_2(
    tmp_path: Path, fixtures: Path, args: list[str], message: str
) -> None:
    res = _cli(*[a.replace("{fixtures}", str(fixtures)) for a in args], cwd=tmp_path)
    assert res.returncode == 2
    assert message in res.stderr and "Traceback" not in res.stderr


def test_explain_after_screening_with_a_store(tmp_path: Path, fixtures: Path) -> None:
    db = str(tmp_path / "s.db")
    res = runner.invoke(
        app,
        [
            "screen",
            str(fixtures / "lines.csv"),
            "-o",
            str(tmp_path / "a.csv"),
            "--db",
            db,
            "-q",
            "--red",
            "0.3",
        ],
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["explain", "D5", "--db", db])
    assert res.exit_code == 0, res.output
    # D5 is an H100 imported into CN: China's check on advanced chips, not the US EAR (which
    # does not govern an import; issue 15).
    assert "CN_SCRUTINY_ADVANCED" in res.output and "H100" in res.output
    assert "EAR_3A090A_D5" not in res.output
    res = runner.invoke(app, ["explain", "D1", "--item", "2", "--db", db, "--json"])
    assert json.loads(res.output)["declaration"]["description"] == "Ｈ１００ PCIe 80GB"
    res = _cli("explain", "D1", "--item", "9", "--db", db)
    assert res.returncode == 2 and "it has items [1, 2]" in res.stderr


def test_catalog_and_policies_list_versions_and_sources() -> None:
    res = runner.invoke(app, ["catalog"])
    assert res.exit_code == 0 and "nvidia-h20" in res.output and "3A090.a" in res.output
    models = json.loads(runner.invoke(app, ["catalog", "--json"]).output)
    assert any(m["accelerator_id"] == "amd-mi300x" and m["eccn"] == "3A090.a" for m in models)
    res = runner.invoke(app, ["policies"])
    assert res.exit_code == 0
    for pack in ("cn-customs-2025", "us-ear-3a090", "valuation-and-routing"):
        assert pack in res.output
    packs = json.loads(runner.invoke(app, ["policies", "--json"]).output)
    assert all(r["source"] for p in packs for r in p["rules"])


def test_catalog_through_a_pipe_keeps_each_model_on_one_whole_line() -> None:
    """Piped (no terminal: rich assumes 80 columns), the table used to cut its cells
    ("undete…", "datace…"); now every row is whole, so `catalog | grep` finds all of it."""
    res = _cli("catalog")
    assert res.returncode == 0 and "…" not in res.stdout, res.stdout[-2000:]
    rows = {line.split("│")[1].strip(): line for line in res.stdout.splitlines()
            if line.count("│") == 7}
    h20 = [c.strip() for c in rows["nvidia-h20"].split("│")[1:-1]]
    assert h20[0] == "nvidia-h20" and h20[4] == "not-3A090" and "-" in h20[5], h20


def test_generate_output_screens_without_a_mapping(tmp_path: Path) -> None:
    gen = tmp_path / "g.parquet"
    res = runner.invoke(app, ["generate", "--rows", "3000", "--seed", "3", "-o", str(gen)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["screen", str(gen), "-o", str(tmp_path / "a.parquet"), "-q"])
    assert res.exit_code == 0, res.output
    out = pl.read_parquet(tmp_path / "a.parquet")
    assert out.height == 3000 and not (tmp_path / "a.quarantine.csv").exists()
    assert out["accelerator_id"].is_not_null().sum() > 0


def test_threshold_mode_uses_the_cutoffs_of_the_last_budget_run(
    tmp_path: Path, fixtures: Path
) -> None:
    db = str(tmp_path / "s.db")
    res = _cli(
        "screen",
        str(fixtures / "lines.csv"),
        "-o",
        str(tmp_path / "a.csv"),
        "--mode",
        "threshold",
        "--db",
        db,
    )
    assert res.returncode == 2 and "no finished budget-mode screening run" in res.stderr
    res = runner.invoke(
        app,
        [
            "screen",
            str(fixtures / "lines.csv"),
            "-o",
            str(tmp_path / "a.csv"),
            "--db",
            db,
            "-q",
            "--red",
            "0.3",
            "--yellow",
            "0.3",
            "--summary",
            str(tmp_path / "a.md"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "cut-offs implied by this run: red >= " in (tmp_path / "a.md").read_text()
    one = tmp_path / "one.csv"
    lines = (fixtures / "lines.csv").read_text().splitlines()
    one.write_text("\n".join([lines[0], lines[5]]) + "\n")  # D4: the under-valued 4090 D
    res = runner.invoke(
        app,
        [
            "screen",
            str(one),
            "-o",
            str(tmp_path / "b.jsonl"),
            "--mode",
            "threshold",
            "--db",
            db,
            "-q",
            "--summary",
            str(tmp_path / "b.md"),
        ],
    )
    assert res.exit_code == 0, res.output
    said = (tmp_path / "b.md").read_text()  # the cut-offs it used, not ones it found
    assert "the cut-offs of the latest budget-mode run were applied: red >= " in said
    assert "implied by this run" not in said
    row = pl.read_ndjson(tmp_path / "b.jsonl").row(0, named=True)
    assert row["declaration_id"] == "D4" and row["channel"] != "green"
    assert row["selection"] == "threshold"
    assert row["reasons"][-1]["code"].startswith("SEL_THRESHOLD")


def test_demo_runs_end_to_end_with_watchlist_hits(tmp_path: Path) -> None:
    """The README's first command: generate, load the sample list, screen, summarise."""
    res = _cli("demo", "--dir", str(tmp_path / "demo"), "--db", str(tmp_path / "d.db"))
    assert res.returncode == 0, res.stderr
    out = pl.read_csv(tmp_path / "demo" / "assessments.csv")
    assert out.height > 19_000 and set(out["channel"]) >= {"red", "yellow", "green"}
    summary = (tmp_path / "demo" / "summary.md").read_text()
    assert "SCR_WATCHLIST_HIT" in summary
    # issue 15: a cut-off printed as none beside red lines says why (floors set no cut-off)
    cutoffs = next(x for x in summary.splitlines() if x.startswith("Threshold-mode cut-offs"))
    assert ": none" not in cutoffs or "A cut-off is none when no line of its budget" in cutoffs
    # issue 16: the run stores its hits in screening_hits, one per reason, under its run
    from chipcustoms.store import open_store

    store = open_store(str(tmp_path / "d.db"))
    reasons = out["reasons"].map_elements(
        lambda r: sum(x["code"] == "SCR_WATCHLIST_HIT" for x in json.loads(r)), return_dtype=int
    )
    assert store.count("screening_hits") == reasons.sum() > 0
