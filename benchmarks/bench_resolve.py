"""Benchmark: the resolver against rapidfuzz alone, over the same distinct descriptions.

    python benchmarks/bench_resolve.py --distinct 50000

Generates N distinct descriptions in the development set's styles (model names, board-partner
part numbers, Chinese and Russian wording, systems, accessories, look-alikes, unrelated goods),
then measures in one run, on one core (POLARS_MAX_THREADS=1, rapidfuzz workers=1):

- the resolver: ``Resolver.resolve`` on the N lines (every step included: hashing, the regex
  passes, the rare fuzzy step, joins);
- rapidfuzz alone: ``process.cdist(texts, aliases, scorer=fuzz.partial_ratio)`` of the same
  normalised descriptions against the catalog's aliases, i.e. the comparison a fuzzy-only
  resolver would need. On a sample when N is large (cdist is linear in rows), scaled to N.

Target (issue 4): >= 20,000 distinct descriptions per second on one core.
"""

from __future__ import annotations

import argparse
import os
import random
import time

os.environ["POLARS_MAX_THREADS"] = "1"

import polars as pl  # after POLARS_MAX_THREADS: the thread count is read at import
from rapidfuzz import fuzz, process

from chipcustoms.recognise.catalog import load_catalog
from chipcustoms.recognise.resolver import Resolver
from chipcustoms.recognise.textnorm import normalise_model_text

TEMPLATES = [
    "{vendor} {alias} {mem} {form}",
    "{alias} {mem} graphics card",
    "显卡 {alias} {mem} 涡轮版 批次{n}",
    "Видеокарта {vendor} {alias} {mem}",
    "GPU server {k}x {alias} lot {n}",
    "water block for {alias} rev {n}",
    "{other} {mem} graphics card",
    "{unrelated} batch {n}",
    "{vendor} {partno} item {n}",
    "Graphics Processing Module {n}",
]
OTHER = ["GeForce RTX 3060", "RTX 4070 Ti", "Radeon RX 7900 XT", "Tesla V100", "NVIDIA A40"]
UNRELATED = ["cotton t-shirts", "frozen shrimp", "steel bolts M8", "LED bulbs", "office chairs"]
PARTS = ["GV-N4090GAMING OC-24GD", "TUF-RTX4090-O24G-GAMING", "900-21010-0000-000", "2330-885-A1"]


def descriptions(n: int, aliases: list[str], seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        out.add(
            rng.choice(TEMPLATES).format(
                vendor=rng.choice(["NVIDIA", "AMD", "Huawei", "英伟达", ""]),
                alias=rng.choice(aliases),
                mem=rng.choice(["24GB", "48G", "80GB", "96GB", "141GB", ""]),
                form=rng.choice(["PCIe", "SXM5", "OAM", "passive", ""]),
                k=rng.choice([4, 8]),
                other=rng.choice(OTHER),
                unrelated=rng.choice(UNRELATED),
                partno=rng.choice(PARTS),
                n=rng.randrange(10**7),
            )
        )
    return sorted(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--distinct", type=int, default=50_000)
    ap.add_argument("--fuzz-sample", type=int, default=2_000)
    args = ap.parse_args()
    catalog = load_catalog()
    resolver = Resolver(catalog)
    names = sorted({a for m in catalog.models for a in [m.model, *m.aliases]})
    texts = descriptions(args.distinct, names)
    lines = pl.DataFrame({"description": texts, "hs_code": ["847330"] * len(texts)})
    resolver.resolve(lines.head(100))  # warm-up: regex compilation is per process, not per line

    start = time.perf_counter()
    out = resolver.resolve(lines)
    t_resolver = time.perf_counter() - start

    aliases = list(resolver.alias_to_id)
    sample = [normalise_model_text(t) for t in texts[: args.fuzz_sample]]
    start = time.perf_counter()
    process.cdist(sample, aliases, scorer=fuzz.partial_ratio, workers=1)
    t_fuzz = (time.perf_counter() - start) * len(texts) / len(sample)

    rate = len(texts) / t_resolver
    print(f"distinct descriptions      {len(texts):>10,}")
    print(f"catalog aliases            {len(aliases):>10,}")
    print(f"accelerators found         {int(out['is_accelerator'].sum()):>10,}")
    print(f"resolver                   {t_resolver:>10.2f} s  {rate:>10,.0f} /s (one core)")
    print(
        f"rapidfuzz cdist alone      {t_fuzz:>10.2f} s  {len(texts) / t_fuzz:>10,.0f} /s "
        f"(partial_ratio, {len(sample):,} sampled, scaled)"
    )
    print(f"resolver / rapidfuzz time  {t_resolver / t_fuzz:>10.3f}  (target: >= 20,000 /s)")


if __name__ == "__main__":
    main()
