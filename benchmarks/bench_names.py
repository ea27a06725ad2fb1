"""Party screening benchmark: bench F1 vs nomenklatura logic_v2, pairs/s, 100k x 100k screening.

    python benchmarks/bench_names.py [--cases ../shared/data/name-bench/cases.csv] [--big 100000]

nomenklatura is optional (extra `bench`); without it the F1 comparison uses logicv2-frozen.csv and
the speed ratio is skipped. Threshold: parameters and the default threshold were chosen on the
`synth_*` case groups; every other group is held out (reported separately).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import time
from collections import Counter, defaultdict
from pathlib import Path

import polars as pl

from chipcustoms.parties import learned
from chipcustoms.parties.compare import DEFAULT_THRESHOLD, compare
from chipcustoms.parties.matcher import Matcher, Query
from chipcustoms.parties.names import normalize

TUNE = {"synth_people", "synth_companies"}


def prf(rows: list[tuple[bool, float]], th: float) -> tuple[float, float, float]:
    tp = sum(1 for y, s in rows if s >= th and y)
    fp = sum(1 for y, s in rows if s >= th and not y)
    fn = sum(1 for y, s in rows if s < th and y)
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return p, r, 2 * p * r / max(p + r, 1e-9)


def nomenklatura_scores(cases: list[dict[str, str]]) -> tuple[list[float], float] | None:
    try:
        from followthemoney import model
        from nomenklatura.matching import LogicV2
    except ImportError:
        return None
    algo = LogicV2()
    config = algo.default_config() if hasattr(algo, "default_config") else None
    ents = []
    for i, c in enumerate(cases):
        schema = model.get(c["schema"]) or model.get("LegalEntity")
        a = model.make_entity(schema)
        a.id, b = f"a{i}", model.make_entity(schema)
        b.id = f"b{i}"
        a.add("name", c["name1"])
        b.add("name", c["name2"])
        ents.append((a, b))
    start = time.perf_counter()
    scores = [
        LogicV2.compare(a, b, config).score if config is not None else LogicV2.compare(a, b).score
        for a, b in ents
    ]
    return scores, time.perf_counter() - start


def _bucket(features: dict[str, object], score: float) -> str:
    """Which of the scorer's outcomes decided a pair: nothing paired, a conflict, extra words
    only, or the paired words alone."""
    if score == 0.0:
        return "nothing paired"
    if "conflict" in features:
        return "conflict"
    return "extra words" if "extra" in features else "paired words only"


def held_out_errors(held: list[dict[str, str]]) -> None:
    """Where the held-out groups' errors lie, as counts only (per schema with n, and per
    deciding feature): the held-out pairs are never printed, so nothing is tuned on them."""
    by_schema: dict[str, Counter[str]] = defaultdict(Counter)
    by_bucket: dict[str, Counter[str]] = defaultdict(Counter)
    for c in held:
        cmp = compare(normalize(c["name1"]), normalize(c["name2"]), c["schema"])
        y, hit = c["is_match"] == "true", cmp.score >= DEFAULT_THRESHOLD
        out = "TP" if y and hit else "FP" if hit else "FN" if y else "TN"
        by_schema[c["schema"]][out] += 1
        by_bucket[_bucket(cmp.features, cmp.score)][out] += 1
    for title, table in (("schema", by_schema), ("decided by", by_bucket)):
        for key, n in sorted(table.items()):
            *_, f = prf([(o in ("TP", "FN"), o in ("TP", "FP")) for o in n.elements()], 0.5)
            counts = " ".join(f"{o} {n[o]}" for o in ("TP", "FP", "FN", "TN"))
            print(f"  held-out {title}={key:<18} n={sum(n.values()):<4} {counts}  F1 {f:.3f}")


def bench_pairs(path: Path, synth_errors: bool = False) -> None:
    cases = list(csv.DictReader(path.open(encoding="utf-8")))
    normalize.cache_clear()
    start = time.perf_counter()
    ours = [compare(normalize(c["name1"]), normalize(c["name2"]), c["schema"]).score for c in cases]
    t_ours = time.perf_counter() - start
    truth = [c["is_match"] == "true" for c in cases]
    print(f"cases: {len(cases)}  default threshold {DEFAULT_THRESHOLD} (chosen on {sorted(TUNE)})")
    state = "on" if learned.model().enabled else "off (the hand scorer decides)"
    print(f"learned decision (refdata/names/learned.yaml): {state}")
    p, r, f = prf(list(zip(truth, ours, strict=True)), DEFAULT_THRESHOLD)
    print(f"chipcustoms  all: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    frozen = path.with_name("logicv2-frozen.csv")
    if frozen.exists():
        fz = list(csv.DictReader(frozen.open(encoding="utf-8")))
        p, r, f = prf([(x["is_match"] == "true", float(x["score"])) for x in fz], 0.70)
        print(f"logic_v2 frozen all @0.70: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    for key in ("case_group", "schema"):
        groups: dict[str, list[tuple[bool, float]]] = defaultdict(list)
        for c, y, s in zip(cases, truth, ours, strict=True):
            groups[c[key]].append((y, s))
        for g, rows in sorted(groups.items()):
            p, r, f = prf(rows, DEFAULT_THRESHOLD)
            print(f"  {key}={g:<16} n={len(rows):<4} P {p:.3f} R {r:.3f} F1 {f:.3f}")
    held = [
        (y, s) for c, y, s in zip(cases, truth, ours, strict=True) if c["case_group"] not in TUNE
    ]
    p, r, f = prf(held, DEFAULT_THRESHOLD)
    print(f"held-out groups: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    rows3 = zip(cases, truth, ours, strict=True)
    tune = [(c, y, s) for c, y, s in rows3 if c["case_group"] in TUNE]
    p, r, f = prf([(y, s) for _, y, s in tune], DEFAULT_THRESHOLD)
    print(f"tuning groups (synth_*): P {p:.3f} R {r:.3f} F1 {f:.3f}")
    if synth_errors:  # per pair, and only for the groups the constants were chosen on
        for c, y, s in tune:
            if (s >= DEFAULT_THRESHOLD) != y:
                print(f"  synth {'FN' if y else 'FP'} {s:.3f} {c['name1']!r} / {c['name2']!r}")
    held_out_errors([c for c in cases if c["case_group"] not in TUNE])
    print("PR curve (threshold P R F1):")
    for th in [x / 20 for x in range(8, 20)]:
        p, r, f = prf(list(zip(truth, ours, strict=True)), th)
        print(f"  {th:.2f} {p:.3f} {r:.3f} {f:.3f}")
    nk = nomenklatura_scores(cases)
    rate = len(cases) / t_ours
    if nk is None:
        print(f"speed: chipcustoms {rate:,.0f} pairs/s (nomenklatura not installed)")
        return
    scores, t_nk = nk
    p, r, f = prf(list(zip(truth, scores, strict=True)), 0.70)
    print(f"nomenklatura logic_v2 (this run) @0.70: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    print(
        f"speed: chipcustoms {rate:,.0f} pairs/s, nomenklatura {len(cases) / t_nk:,.0f} pairs/s, "
        f"ratio {t_nk / t_ours:.1f}x (cold caches, same pairs)"
    )


def bench_big(n: int) -> None:
    rng = random.Random(5)
    syll = [
        "xin",
        "yuan",
        "tian",
        "long",
        "hua",
        "jia",
        "rui",
        "feng",
        "wan",
        "tong",
        "hao",
        "yun",
        "zhi",
        "ling",
        "shi",
        "dai",
        "jin",
        "hui",
        "heng",
        "ming",
        "sheng",
        "kang",
    ]
    words = [
        "Technology",
        "Trading",
        "Electronics",
        "Logistics",
        "Industrial",
        "Computing",
        "Semiconductor",
        "Supply Chain",
        "Data",
        "Information",
        "Systems",
        "Holdings",
    ]
    cities = ["Shenzhen", "Hong Kong", "Shanghai", "Beijing", "Dubai", "Singapore", "Almaty"]
    forms = ["Co., Ltd.", "Limited", "LLC", "Pte. Ltd.", "FZE", "GmbH", "JSC"]

    def name() -> str:
        core = "".join(rng.choice(syll) for _ in range(2)).title()
        extra = "".join(rng.choice(syll) for _ in range(2)).title()
        return f"{rng.choice(cities)} {core} {extra} {rng.choice(words)} {rng.choice(forms)}"

    ents = pl.DataFrame(
        {
            "list_name": "big",
            "list_version": 1,
            "entity_id": [f"e{i}" for i in range(n)],
            "schema": "Company",
            "name": [name() for _ in range(n)],
            "aliases": [[] for _ in range(n)],
            "countries": [[] for _ in range(n)],
            "addresses": [[] for _ in range(n)],
            "identifiers": [[] for _ in range(n)],
        },
        schema_overrides={
            c: pl.List(pl.Utf8) for c in ("aliases", "countries", "addresses", "identifiers")
        },
    )
    distinct: set[str] = set()
    while len(distinct) < n:
        distinct.add(name())
    queries = sorted(distinct)
    normalize.cache_clear()
    start = time.perf_counter()
    m = Matcher(ents)
    t_index = time.perf_counter() - start
    hits = m.match([Query(q) for q in queries])
    total = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{len(queries):,} distinct names x {n:,} entities: index {t_index:.1f} s, total "
        f"{total:.1f} s, {hits.height:,} hits, peak RSS {rss:,.0f} MiB, "
        f"load average {load} on {os.cpu_count()} cores"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--cases",
        default=str(Path(__file__).resolve().parents[2] / "shared/data/name-bench/cases.csv"),
    )
    ap.add_argument("--big", type=int, default=100_000)
    ap.add_argument("--synth-errors", action="store_true", help="print the synth_* groups' errors")
    args = ap.parse_args()
    bench_pairs(Path(args.cases), args.synth_errors)
    if args.big:
        bench_big(args.big)


if __name__ == "__main__":
    main()
