"""Standing recall check: candidate matcher vs brute force (issue 16).

    PYTHONPATH=src python benchmarks/bench_recall.py [--n 5000] [--seed 16]

``n`` listed synthetic entities, ``n`` queries (typo, reordered, initialled, transliterated
from Chinese / Cyrillic, abbreviated legal form, and one in ten listed nowhere). Brute force
compares every pair the proven bound does not rule out (parties/recall.py).
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from chipcustoms.parties.compare import DEFAULT_THRESHOLD
from chipcustoms.parties.recall import check


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args()
    start = time.perf_counter()
    r = check(args.n, args.seed)
    took = time.perf_counter() - start
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.n:,} x {args.n:,} at {DEFAULT_THRESHOLD}: brute-force hits {r.brute:,} "
        f"(pairs compared in full {r.pairs:,}), matcher found {r.found:,}: "
        f"recall {r.recall:.4f}; {took:.1f} s, peak RSS {rss:,.0f} MiB, load {load}"
    )
    for how, (found, brute) in r.by_variant.items():
        print(f"  {how:<15} {found:>6,} / {brute:<6,} {found / max(brute, 1):.4f}")
    print("missed (first 20):")
    for q, listed, score in r.missed:
        print(f"  {q!r} -> {listed!r} ({score})")


if __name__ == "__main__":
    main()
