"""Split the THIRD real-world pool ONCE into dev3.csv and heldout3.csv (see README.md).

Run once:  python benchmarks/data/realworld/split3.py POOL3.csv
The third collection (rw-222 on) is drawn with split.py's `draw` and its own fixed seed, so the
first two draws stay exactly as they were. Pinning follows the later draws' rule (`later_pins`):
a description already in tests/, the refdata, dev.csv, dev2.csv or inside another line of this
pool stays in dev3; a repeat of an earlier dev description is refused. This draw is stratified
on is_accelerator *and* language, so both parts keep the pool's mix of English, Chinese, Russian
(and the odd other) lines. The held-out parts of the earlier draws are not read here; their
distinctness from the new parts is checked by tests/test_realworld_set.py (pass/fail).
To reproduce the draw, concatenate dev3.csv and heldout3.csv, sort by `id`, and run this script on
that pool into an empty folder (--out DIR) from the same commit.
"""

from __future__ import annotations

import argparse
from collections.abc import Hashable
from pathlib import Path

from split import HERE, Row, draw, later_pins, read_pool, refuse_existing, write_parts

SEED = 20261208
HELDOUT_SHARE = 0.5


def by_label_and_language(r: Row) -> Hashable:
    return (r["is_accelerator"], r["language"])


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("pool", type=Path)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    dev_path, held_path = args.out / "dev3.csv", args.out / "heldout3.csv"
    refuse_existing(dev_path, held_path)
    fields, rows = read_pool(args.pool)
    known = later_pins(rows, [HERE / "dev.csv", HERE / "dev2.csv"])
    strata = sorted({by_label_and_language(r) for r in rows}, key=str)
    dev, held = draw(
        rows,
        seed=SEED,
        share=HELDOUT_SHARE,
        pinned=known,
        stratum=by_label_and_language,
        order=strata,
    )
    write_parts(fields, {dev_path: dev, held_path: held})
    pinned = sum(known(r) for r in rows)
    print(f"dev3 {len(dev)} lines ({pinned} pinned), held-out3 {len(held)} (seed {SEED})")


if __name__ == "__main__":
    main()
