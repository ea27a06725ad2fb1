"""Party screening: formats, bad files, the allow-list, rescreening, the pipeline scorer."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest

from chipcustoms.errors import InputError, NotFoundError
from chipcustoms.parties import commands
from chipcustoms.parties.compare import DEFAULT_THRESHOLD, compare
from chipcustoms.parties.matcher import Matcher, Query
from chipcustoms.parties.names import normalize
from chipcustoms.parties.party_scorer import ScreeningScorer
from chipcustoms.parties.watchlists import read_list
from chipcustoms.refdata import REFDATA
from chipcustoms.store import open_store

SAMPLES = REFDATA / "watchlists"
FORMATS = [
    ("csv", "sample.csv", "demo-xinyuan"),
    ("ftm", "sample.ftm.json", "sample-huawei"),
    ("targets-csv", "sample.targets.csv", "sample-biren"),
    ("csl", "sample.csl.csv", "csl-csl-sample-2"),
]


@pytest.mark.parametrize(("fmt", "file", "entity"), FORMATS)
def test_each_format_reads(fmt: str, file: str, entity: str) -> None:
    df = read_list(SAMPLES / file, fmt)
    assert entity in df["entity_id"].to_list()
    assert df["name"].null_count() == 0


def test_ftm_skips_non_parties_and_keeps_identifiers() -> None:
    df = read_list(SAMPLES / "sample.ftm.json", "ftm")
    assert "sample-sanction-1" not in df["entity_id"].to_list()
    tmc = df.filter(pl.col("entity_id") == "sample-tmc").row(0, named=True)
    assert tmc["identifiers"] == ["5018089836"] and tmc["countries"] == ["RU"]


def test_csl_splits_alt_names() -> None:
    df = read_list(SAMPLES / "sample.csl.csv", "csl")
    row = df.filter(pl.col("entity_id") == "csl-csl-sample-2").row(0, named=True)
    assert row["aliases"] == ["HK Jiarui Intl Trading Ltd", "香港嘉瑞国际贸易有限公司"]
    assert row["countries"] == ["HK"]


@pytest.mark.parametrize(
    ("name1", "name2", "match"),
    [
        ("Shenzhen Xinyuan Technology Co., Ltd.", "SHENZHEN XIN YUAN TECH CO LTD", True),
        ("Shenzhen Xinyuan Technology Co., Ltd.", "深圳市信源科技有限公司", True),
        ("Siemens AG", "Siemens Aktiengesellschaft", True),
        ("Tayota Motor Corporation", "Toyota Motor Corporation", True),
        ("ICBC (Asia) Limited", "ICBC (London) plc", False),
        ("Malik Magomedovich Barkhanoev", "Malik Ruslanovich Barkhanoev", False),
    ],
)
def test_compare_table(name1: str, name2: str, match: bool) -> None:
    assert (compare(normalize(name1), normalize(name2)).score >= DEFAULT_THRESHOLD) is match


def test_compare_explains_conflicts() -> None:
    cmp = compare(normalize("Hong Kong Wanfeng Electronics"), normalize("Hong Kong Jiarui Trading"))
    assert "conflict" in cmp.features


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_csv_names_file_and_line_and_loads_nothing(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.db"))
    bad = _write(tmp_path / "bad.csv", "name,country\nGood Firm Ltd,CN\n,CN\n")
    with pytest.raises(InputError, match=r"bad\.csv: line 3: field 'name'"):
        commands.load(store, str(bad), "csv", "x")
    assert store.watchlists() == [] and store.count("watchlist_entities") == 0


def test_bad_ftm_line_is_named(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "schema": "Company", "properties": {"name": ["A Ltd"]}})
    bad = _write(tmp_path / "e.ftm.json", good + "\n{not json\n")
    with pytest.raises(InputError, match=r"e\.ftm\.json: line 2"):
        read_list(bad, "ftm")


def test_missing_column_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="line 1: missing column"):
        read_list(_write(tmp_path / "t.csv", "id,name\n1,A\n"), "targets-csv")
    with pytest.raises(InputError, match="unknown watchlist format"):
        read_list(SAMPLES / "sample.csv", "xml")


def _store_with_sample(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = open_store(str(tmp_path / "s.db"))
    commands.load(store, str(SAMPLES / "sample.csv"), "csv", "demo")
    return store


def test_parties_and_allow_list(tmp_path: Path) -> None:
    store = _store_with_sample(tmp_path)
    names = tmp_path / "names.csv"
    with names.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerows([["name", "country"], ["HONGKONG JIARUI INTL TRADING LTD", "HK"], ["Acme", ""]])
    hits = commands.screen_names(store, str(names), lists=None, threshold=None)
    assert hits["entity_id"].to_list() == ["demo-jiarui"]
    assert hits["row"].to_list() == [1]  # the first data row, as the quarantine counts
    assert "country_agrees" in hits["features"][0]
    store.allow("HONGKONG JIARUI INTL TRADING LTD", "demo", "demo-jiarui", "different firm")
    assert commands.screen_names(store, str(names), lists=None, threshold=None).height == 0


def test_allow_refuses_an_unknown_list_or_entity(tmp_path: Path) -> None:
    """`watchlist allow "X" nolist nobody` once stored a clearance that never applied."""
    from typer.testing import CliRunner

    from chipcustoms.cli.main import app

    _store_with_sample(tmp_path)
    db = str(tmp_path / "s.db")
    for args, said in (
        (["X", "nolist", "nobody"], "no watchlist named 'nolist' (loaded: demo)"),
        (["X", "demo", "nobody"], "watchlist 'demo' has no entity 'nobody'"),
    ):
        r = CliRunner().invoke(app, ["watchlist", "allow", *args, "--reason", "r", "--db", db])
        assert r.exit_code != 0 and isinstance(r.exception, NotFoundError)
        assert str(r.exception) == said
    assert open_store(db).allowed().height == 0
    ok = CliRunner().invoke(
        app, ["watchlist", "allow", "X", "demo", "demo-jiarui", "--reason", "r", "--db", db]
    )
    assert ok.exit_code == 0 and open_store(db).allowed().height == 1


def test_rescreen_sees_only_changed_entities(tmp_path: Path) -> None:
    store = _store_with_sample(tmp_path)
    lines = pl.DataFrame(
        {
            "declaration_id": ["D1", "D2"],
            "item_no": [1, 1],
            "importer_name": ["Kowloon Yitong Supply Chain Ltd", "Nordic Ventures AB"],
        }
    )
    run = store.start_run(command="screen", inputs=[], mapping="", versions={}, seed=0, budgets={})
    from chipcustoms.lines.schema import FIELDS, LABELS

    full = lines.with_columns(
        pl.lit(None, dtype=f.dtype).alias(f.name)
        for f in [*FIELDS, *LABELS]
        if f.name not in lines.columns
    ).with_columns(pl.lit(None, dtype=pl.Utf8).alias("extra"))
    store.save_lines(run, full)
    before = store.watchlists()[0]["loaded_at"]
    v2 = tmp_path / "v2.csv"
    v2.write_text(
        (SAMPLES / "sample.csv").read_text(encoding="utf-8")
        + "demo-nordic,Company,Nordic Ventures Aktiebolag,,SE,,\n",
        encoding="utf-8",
    )
    import time

    time.sleep(1.1)  # load times have second resolution
    commands.load(store, str(v2), "csv", "demo")
    since = store.watchlists()[-1]["loaded_at"]
    assert since > before
    _, hits = commands.rescreen(store, since)
    assert hits["declaration_id"].to_list() == ["D2"]  # D1's entity did not change
    assert store.count("screening_hits") == 1


def test_scorer_adds_floor_reason_and_is_per_distinct_name() -> None:
    entities = read_list(SAMPLES / "sample.csv", "csv").with_columns(
        pl.lit("demo").alias("list_name"), pl.lit(1).alias("list_version")
    )
    scorer = ScreeningScorer(entities)
    df = pl.DataFrame(
        {
            "__i": [0, 1, 2],
            "importer_name": ["SHENZHEN XIN YUAN TECH CO LTD", "Acme GmbH", None],
            "exporter_name": ["Acme GmbH", "深圳市鑫源科技有限公司", "Acme GmbH"],
            "consignee_name": [None, None, None],
            "floor_red": [False, False, False],
            "floor_yellow": [False, False, False],
        },
        schema_overrides={"__i": pl.UInt32, "consignee_name": pl.Utf8},
    )
    out, term, reasons = scorer.score(df)
    assert out["floor_red"].to_list() == [True, True, False]
    assert term is not None and out.select(term).to_series().to_list()[2] == 0.0
    assert sorted(reasons["__i"].to_list()) == [0, 1]
    ev = json.loads(reasons["reason"].struct.field("evidence")[0])
    assert ev["entity_id"] == "demo-xinyuan" and "features" in ev


def test_matcher_identifier_match_wins() -> None:
    entities = read_list(SAMPLES / "sample.ftm.json", "ftm").with_columns(
        pl.lit("s").alias("list_name"), pl.lit(1).alias("list_version")
    )
    hits = Matcher(entities).match([Query("Tactical Missiles JSC", identifier="5018089836")])
    assert hits["score"].to_list() == [1.0]


BENCH = Path(__file__).resolve().parents[2] / "shared/data/name-bench/cases.csv"


def _bench_pairs() -> list[tuple[str, str]]:
    if BENCH.exists():
        rows = list(csv.DictReader(BENCH.open(encoding="utf-8")))
        return [(r["name1"], r["name2"]) for r in rows]
    listed = read_list(SAMPLES / "sample.csv", "csv")
    names = [*listed["name"].to_list(), *[a for al in listed["aliases"] for a in al]]
    return [(a, b) for a in names for b in names]


def test_prefilter_bound_never_below_the_full_score() -> None:
    """The bound is proven (parties/bound.py); here it is checked on the bench's pairs, their
    crossings and the generator's names: it never falls below compare(), so no pair at or above
    the threshold is dropped by the prefilter."""
    import random

    import numpy as np

    from chipcustoms.parties.bound import upper_bounds

    pairs = _bench_pairs()
    rng = random.Random(7)
    flat = [n for p in pairs for n in p]
    pairs += [(rng.choice(flat), rng.choice(flat)) for _ in range(3000)]
    pairs += [("J Smith", "John Smith"), ("", "Acme"), ("XIN YUAN", "Xinyuan"), ("A B", "B A")]
    left = [normalize(a).tokens for a, _ in pairs]
    right = [normalize(b).tokens for _, b in pairs]
    idx = np.arange(len(pairs))
    ub = upper_bounds(left, right, idx, idx)
    full = np.array([compare(normalize(a), normalize(b)).score for a, b in pairs])
    assert (full <= ub).all(), [pairs[i] for i in np.flatnonzero(full > ub)[:5]]
    assert not ((full >= DEFAULT_THRESHOLD) & (ub < DEFAULT_THRESHOLD)).any()
    assert (ub < DEFAULT_THRESHOLD).mean() > 0.3  # and it does reject most non-matches


def test_prefilter_drops_no_hit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The matcher finds the same hits with the prefilter as with every candidate compared."""
    import numpy as np

    from chipcustoms.parties import matcher

    entities = read_list(SAMPLES / "sample.csv", "csv").with_columns(
        pl.lit("demo").alias("list_name"), pl.lit(1).alias("list_version")
    )
    queries = [Query(a, country="HK") for a, _ in _bench_pairs()[:400]] + [
        Query("SHENZHEN XIN YUAN TECH CO LTD"),
        Query("Hongkong Jiarui Intl Trading", address="Kowloon"),
        Query("深圳市鑫源科技有限公司"),
    ]
    with_prefilter = Matcher(entities).match(queries)
    monkeypatch.setattr(matcher, "upper_bounds", lambda a, b, li, ri, f=None: np.ones(len(li)))
    without = Matcher(entities).match(queries)
    assert with_prefilter.equals(without) and with_prefilter.height >= 3


def test_scorer_uses_declared_country_and_id() -> None:
    entities = read_list(SAMPLES / "sample.csv", "csv").with_columns(
        pl.lit("demo").alias("list_name"), pl.lit(1).alias("list_version")
    )
    df = pl.DataFrame(
        {
            "__i": [0, 1],
            "importer_name": ["HONGKONG JIARUI INTL TRADING LTD"] * 2,
            "destination_country": ["HK", "DE"],
            "floor_red": [False, False],
            "floor_yellow": [False, False],
        },
        schema_overrides={"__i": pl.UInt32},
    )
    hits = ScreeningScorer(entities).hits(df).sort("__i")
    assert "country_agrees" in hits["features"][0] and "country_conflicts" in hits["features"][1]
    assert hits["score"][0] > hits["score"][1]


def test_one_hit_per_entity_names_every_list() -> None:
    """The same firm on two lists (shared identifier; or same name and country) is one hit."""
    base = read_list(SAMPLES / "sample.csv", "csv")
    jiarui = base.filter(pl.col("entity_id") == "demo-jiarui")
    other = jiarui.with_columns(
        pl.lit("ofac-77").alias("entity_id"),
        pl.lit(["HK-1234"]).alias("identifiers"),
        pl.lit("other").alias("list_name"),
        pl.lit(3).alias("list_version"),
    )
    entities = pl.concat(
        [
            base.with_columns(pl.lit("demo").alias("list_name"), pl.lit(1).alias("list_version")),
            other,
        ],
        how="diagonal_relaxed",
    )
    hits = Matcher(entities).match([Query("HONGKONG JIARUI INTL TRADING LTD")])
    assert hits.height == 1
    assert hits["lists"][0] == "demo v1:demo-jiarui; other v3:ofac-77"
    assert json.loads(hits["features"][0])["on_lists"] == hits["lists"][0].split("; ")


def test_screen_hits_stored_from_reasons() -> None:
    """`screen --db` stores exactly the hits its reasons state (party_scorer.hits_from_reasons)."""
    from chipcustoms.parties.party_scorer import hits_from_reasons

    entities = read_list(SAMPLES / "sample.csv", "csv").with_columns(
        pl.lit("demo").alias("list_name"), pl.lit(1).alias("list_version")
    )
    df = pl.DataFrame(
        {
            "__i": [0, 1],
            "importer_name": ["SHENZHEN XIN YUAN TECH CO LTD", "Acme GmbH"],
            "floor_red": [False, False],
            "floor_yellow": [False, False],
        },
        schema_overrides={"__i": pl.UInt32},
    )
    _, _, reasons = ScreeningScorer(entities).score(df)
    assessed = reasons.select(pl.col("reason").implode().alias("reasons")).with_columns(
        pl.lit("D1").alias("declaration_id"), pl.lit(1).alias("item_no")
    )
    rows = hits_from_reasons(assessed)
    assert rows.select("declaration_id", "role", "party_name", "entity_id").row(0) == (
        "D1",
        "importer",
        "SHENZHEN XIN YUAN TECH CO LTD",
        "demo-xinyuan",
    )
    assert 0.69 <= rows["score"][0] <= 1.0 and "compact_equal" in json.loads(rows["features"][0])
