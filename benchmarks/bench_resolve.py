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

Target (issues 4 and 14): >= 20,000 distinct descriptions per second on one core. The resolver
is timed ``--repeat`` times (best and median). ``--baseline SRC`` first times the resolver of
another source tree (e.g. the previous commit, ``git archive HEAD~1 src | tar -x -C /tmp/old``)
on the same descriptions in a child process, so both figures come from one run and one load:

    POLARS_MAX_THREADS=1 taskset -c 0 python benchmarks/bench_resolve.py --distinct 50000 \
        --baseline /tmp/old/src
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time

os.environ["POLARS_MAX_THREADS"] = "1"

import polars as pl  # after POLARS_MAX_THREADS: the thread count is read at import
from rapidfuzz import fuzz, process

if "--src" in sys.argv:  # time another tree's resolver: its package must be imported first
    sys.path.insert(0, sys.argv[sys.argv.index("--src") + 1])

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
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--src", help="import chipcustoms from this source tree")
    ap.add_argument("--baseline", help="also time the resolver of this source tree")
    ap.add_argument("--resolver-only", action="store_true", help="skip rapidfuzz")
    args = ap.parse_args()
    if args.baseline:
        cmd = [sys.executable, __file__, "--src", args.baseline, "--resolver-only"]
        cmd += ["--distinct", str(args.distinct), "--repeat", str(args.repeat)]
        print(f"baseline ({args.baseline}):")
        subprocess.run(cmd, check=True)
        print("this tree:")
    catalog = load_catalog()
    resolver = Resolver(catalog)
    names = sorted({a for m in catalog.models for a in [m.model, *m.aliases]})
    texts = descriptions(args.distinct, names)
    lines = pl.DataFrame({"description": texts, "hs_code": ["847330"] * len(texts)})
    resolver.resolve(lines.head(100))  # warm-up: regex compilation is per process, not per line

    # Wall time, and the process's CPU time: on a shared machine the wall clock also counts the
    # time other processes held the core; CPU time is the work of one core alone.
    times, cpu = [], []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = resolver.resolve(lines)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    t_resolver, t_median = min(times), statistics.median(times)
    rate = len(texts) / t_resolver
    print(f"distinct descriptions      {len(texts):>10,}")
    print(f"accelerators found         {int(out['is_accelerator'].sum()):>10,}")
    print(
        f"resolver                   {t_resolver:>10.2f} s  {rate:>10,.0f} /s best of "
        f"{args.repeat}, {len(texts) / t_median:,.0f} /s median (one core, load "
        f"{os.getloadavg()[0]:.1f})"
    )
    print(
        f"resolver CPU time          {min(cpu):>10.2f} s  {len(texts) / min(cpu):>10,.0f} /s "
        f"best of {args.repeat}, {len(texts) / statistics.median(cpu):,.0f} /s median"
    )
    if args.resolver_only:
        return

    aliases = list(resolver.alias_to_id)
    sample = [normalise_model_text(t) for t in texts[: args.fuzz_sample]]
    start = time.perf_counter()
    process.cdist(sample, aliases, scorer=fuzz.partial_ratio, workers=1)
    t_fuzz = (time.perf_counter() - start) * len(texts) / len(sample)
    print(f"catalog aliases            {len(aliases):>10,}")
    print(
        f"rapidfuzz cdist alone      {t_fuzz:>10.2f} s  {len(texts) / t_fuzz:>10,.0f} /s "
        f"(partial_ratio, {len(sample):,} sampled, scaled)"
    )
    print(f"resolver / rapidfuzz time  {t_resolver / t_fuzz:>10.3f}  (target: >= 20,000 /s)")


if __name__ == "__main__":
    main()
