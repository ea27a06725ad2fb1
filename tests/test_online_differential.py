"""The online path gives exactly what the batch path gives in threshold mode.

The cut-offs and the HS6 peers come from one budget-mode run over generated background lines
(what a server loads from the latest run); the batch side runs ``assess`` in threshold mode with
those cut-offs and peers (``BatchContext``). Compared: every output column (floats to 1e-9,
text, booleans and lists exactly) and every reason (code, source, score, message, evidence
text, order). Lines: 20,000 generated ones, every fixture line in tests/ (the fixture files,
the golden scenarios, the resolver sets' texts on generated lines), and for group rules the
set-up the online path sees: lines submitted in date order, a window provider holding the
earlier ones, against the batch run over the lines up to and including that one (in
tests/test_online_group_order.py, the suite's longest test, so that the workers share it out).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from chipcustoms.assess.online import LABELS, OnlineAssessor
from chipcustoms.assess.pipeline import References, assess
from chipcustoms.assess.selection import Budgets
from chipcustoms.lines.ingest import read_and_ingest
from chipcustoms.lines.mapping import load_mapping
from chipcustoms.model.training import train
from chipcustoms.parties.commands import ensure_demo_list
from chipcustoms.run.references import load_references
from chipcustoms.store import open_store
from chipcustoms.synthetic.generator import generate
from test_scenarios import SCENARIOS, canonical, scenario_lines

FIXTURES = Path(__file__).parent / "fixtures"
GENERATED = 20_000
GROUP_LINES = 200
ONE_BY_ONE = 20
STORE_LINES = 300
RESOLVER_SETS = ("resolver_golden.csv", "resolver_devset.csv", "resolver_holdout.csv")


@pytest.fixture(scope="module")
def online(refs: References) -> OnlineAssessor:
    """Cut-offs and peers of a budget-mode run over a background of generated lines."""
    return OnlineAssessor.from_run(generate(5_000, seed=101), refs, Budgets())


def batch(lines: pl.DataFrame, refs: References, online: OnlineAssessor) -> list[dict[str, Any]]:
    out, _ = assess(
        lines, refs, Budgets(), thresholds=online.thresholds, context=online.batch_context()
    )
    return out.to_dicts()


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-9
    return type(a) is type(b) and a == b if a is not None and b is not None else a is b


def differences(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> list[str]:
    """Every (line, column) where the paths differ; reasons compared as whole lists."""
    assert len(got) == len(want)
    found = []
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        # A batch carries a label column when any of its lines has the label; a line alone
        # carries the labels it has.
        given = {c for c in w if c not in LABELS or w[c] is not None}
        if set(g) != given:
            found.append(f"line {k}: columns {sorted(set(g) ^ given)}")
        for col, value in w.items():
            if col == "reasons":
                if g.get(col) != value:
                    found.append(f"line {k} reasons: online {g.get(col)} batch {value}")
            elif not same(g.get(col), value):
                found.append(f"line {k} {col}: online {g.get(col)!r} batch {value!r}")
    return found


def fixture_lines() -> pl.DataFrame:
    """The line fixtures of tests/: the CSV files and the golden scenarios' lines."""
    frames = [
        read_and_ingest(FIXTURES / "lines.csv", load_mapping(None)).accepted,
        read_and_ingest(FIXTURES / "bad_rows.csv", load_mapping(None)).accepted.drop("extra"),
        *(canonical(scenario_lines(s)) for s in SCENARIOS),
    ]
    return pl.concat([f.select(sorted(f.columns)) for f in frames], how="diagonal_relaxed")


def resolver_texts() -> pl.DataFrame:
    """The resolver sets' goods texts, each put on a generated line (its other fields kept)."""
    fields = ("description", "brand", "model", "part_number", "hs_code")
    frames = []
    for name in RESOLVER_SETS:
        df = pl.read_csv(FIXTURES / name, infer_schema=False)
        frames.append(
            df.select(
                pl.col(c) if c in df.columns else pl.lit(None, pl.Utf8).alias(c) for c in fields
            )
        )
    texts = pl.concat(frames).with_columns(pl.col("hs_code").str.replace_all(r"[^0-9]", ""))
    base = generate(texts.height, seed=202)
    return base.with_columns(texts)


def test_generated_lines_give_what_the_batch_gives(
    refs: References, online: OnlineAssessor
) -> None:
    lines = generate(GENERATED, seed=303)
    want = batch(lines, refs, online)
    got = online.assess_many(lines.to_dicts())
    assert differences(got, want)[:5] == []
    # The mix is not trivial: every channel and reason source appears.
    assert {r["channel"] for r in got} >= {"red", "yellow", "green"}
    sources = {x["source"] for r in got for x in r["reasons"]}
    assert sources >= {"rule", "anomaly", "resolution", "selection"}


def test_fixture_lines_give_what_the_batch_gives(refs: References, online: OnlineAssessor) -> None:
    lines = pl.concat([fixture_lines(), resolver_texts()], how="diagonal_relaxed")
    assert lines.height > 3_000
    want = batch(lines, refs, online)
    got = online.assess_many(lines.to_dicts())
    assert differences(got, want)[:5] == []


def test_one_line_at_a_time_gives_what_a_batch_of_it_gives(
    refs: References, online: OnlineAssessor
) -> None:
    lines = generate(ONE_BY_ONE, seed=404)
    for line in lines.iter_slices(1):
        assert differences([online.assess(line.to_dicts()[0])], batch(line, refs, online)) == []


@pytest.fixture(scope="module")
def store_refs(tmp_path_factory: pytest.TempPathFactory) -> References:
    """References with the store's scorers: screening over the bundled demo watchlist and a
    trained model (fast parameters)."""
    db = str(tmp_path_factory.mktemp("online") / "online.db")
    store = open_store(db)
    ensure_demo_list(store)
    trained = train(
        generate(3_000, seed=7),
        label="fraud",
        refs=References.load(),
        source={"inputs": "generated"},
        params={"n_estimators": 40, "num_leaves": 15},
    )
    store.save_model(trained.record)
    return load_references(db=db)


def test_store_scorers_give_what_the_batch_gives(store_refs: References) -> None:
    assert {s.name for s in store_refs.scorers} >= {"screening", "model"}
    online = OnlineAssessor.from_run(generate(2_000, seed=111), store_refs, Budgets())
    lines = pl.concat([generate(STORE_LINES, seed=606), fixture_lines()], how="diagonal_relaxed")
    want = batch(lines, store_refs, online)
    got = online.assess_many(lines.to_dicts())
    assert differences(got, want)[:5] == []
    sources = {x["source"] for r in got for x in r["reasons"]}
    assert sources >= {"screening", "model"}


def test_a_server_without_a_model_scores_rows_without_a_frame(refs: References) -> None:
    """A store with no trained model (a server's first days): the model scorer answers in row
    form, and the online path still gives the batch's columns, scores and reasons."""
    from chipcustoms.model.model_scorer import ModelScorer

    no_model = References.load(scorers=[ModelScorer()])
    online = OnlineAssessor.from_run(generate(2_000, seed=112), no_model, Budgets())
    online.to_frame = None  # type: ignore[assignment,method-assign]  # no one-row frame wanted
    lines = generate(STORE_LINES, seed=607)
    got = online.assess_many(lines.to_dicts())
    assert differences(got, batch(lines, no_model, online))[:5] == []
    assert {r["model_score"] for r in got} == {None}


def test_a_new_run_replaces_cut_offs_and_peers_and_keeps_the_caches(
    refs: References, online: OnlineAssessor
) -> None:
    fresh = OnlineAssessor(refs, thresholds=online.thresholds, peers=online.peers)
    lines = generate(200, seed=707)
    assert fresh.warm(lines) == fresh.enricher.texts.misses > 0  # the run's texts, at once
    misses = fresh.enricher.texts.misses
    fresh.assess_many(lines.to_dicts())
    newer = OnlineAssessor.from_run(generate(1_000, seed=808), refs, Budgets(red=0.2))
    fresh.refresh(thresholds=newer.thresholds, peers=newer.peers)
    got = fresh.assess_many(lines.to_dicts())
    assert fresh.enricher.texts.misses == misses  # nothing resolved again
    assert differences(got, batch(lines, refs, newer)) == []


def test_the_text_cache_is_bounded_and_resolves_as_the_batch(refs: References) -> None:
    from chipcustoms.assess.online_enrich import TextCache

    cache = TextCache(refs.resolver, size=2)
    lines = generate(30, seed=909).to_dicts()
    texts = {tuple(line[c] for c in ("description", "brand", "model", "part_number", "hs_code"))
             for line in lines}  # fmt: skip
    want = refs.resolver.resolve(generate(30, seed=909)).to_dicts()
    for line, w in zip(lines, want, strict=True):
        got = cache.get(line)
        assert all(same(got[c], w[c]) for c in got)
        assert len(cache._cache) <= 2
    assert cache.misses >= min(len(texts), 3)
