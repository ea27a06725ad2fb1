"""The catalog-wide recognition sweep's pass rate (tests/test_recognition_sweep.py), positives
and look-alikes apart, by family of shape: the test says pass or fail, this says how many.

    PYTHONPATH=src python benchmarks/sweep_rate.py [--show N]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from both_resolvers import resolve_both
from chipcustoms.assess.pipeline import References
from sweep_probes import lookalike_probes, model_probes, system_probes
from test_recognition_sweep import _passes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", type=int, default=0, help="failed probes to print per family")
    args = ap.parse_args()
    refs = References.load()
    r = refs.resolver
    fam = r._tables.families
    probes = model_probes(r.catalog, fam, frozenset(r._bare)) + system_probes(r.catalog, fam)
    probes += lookalike_probes(r.catalog)
    rows = resolve_both(refs, [p.text for p in probes])
    systems = {s.id for s in r.catalog.systems}
    counts: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])
    failed: dict[tuple[str, ...], list[tuple[object, ...]]] = defaultdict(list)
    for p, row in zip(probes, rows, strict=True):
        ok = _passes(p, row, fam, systems)
        kind = "positive" if p.want_accelerator else "look-alike"
        for key in [(kind,), (kind, p.family)]:
            counts[key][0] += ok
            counts[key][1] += 1
        if not ok:
            got = (row["accelerator_id"], row["is_accelerator"], row["system_id"])
            failed[(kind, p.family, p.lang)].append((p.text, p.want_id, *got))
    for key, (a, n) in sorted(counts.items()):
        print(" / ".join(key), f"{a}/{n} = {a / n:.3f}")
    for key, lines in failed.items():
        if args.show:
            print("==", key, len(lines))
            for line in lines[: args.show]:
                print("   ", line)


if __name__ == "__main__":
    main()
