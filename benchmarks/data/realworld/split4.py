"""Split the FOURTH real-world pool ONCE into dev4.csv and heldout4.csv (see README.md).

Run once:  python benchmarks/data/realworld/split4.py POOL4.csv
The fourth collection (rw-319 on) is drawn with split.py's `draw` and its own fixed seed, so the
earlier draws stay exactly as they were. Pinning follows the later draws' rule (`later_pins`): a
description already in tests/, the refdata, dev.csv, dev2.csv, dev3.csv or inside another line of
this pool stays in dev4; a repeat of an earlier dev description is refused. The draw is stratified
on is_accelerator and language, with the languages that have only a few lines in this pool (all but
English, Chinese and Russian: Polish, Japanese, Korean, German, French, Spanish, Ukrainian, ...)
pooled into one "other" stratum, so that they are split half and half too instead of every
one-line language falling to dev. The held-out parts of the earlier draws are not read here; their
distinctness from the new parts is checked by tests/test_realworld_set.py (pass/fail).
To reproduce the draw, concatenate dev4.csv and heldout4.csv, sort by `id`, and run this script on
that pool into an empty folder (--out DIR) from the same commit.
"""

from __future__ import annotations

import argparse
from collections.abc import Hashable
from pathlib import Path

from split import HERE, Row, draw, later_pins, read_pool, refuse_existing, write_parts

SEED = 20261209
HELDOUT_SHARE = 0.5
MAIN_LANGUAGES = ("en", "zh", "ru")


def by_label_and_language(r: Row) -> Hashable:
    language = r["language"] if r["language"] in MAIN_LANGUAGES else "other"
    return (r["is_accelerator"], language)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("pool", type=Path)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    dev_path, held_path = args.out / "dev4.csv", args.out / "heldout4.csv"
    refuse_existing(dev_path, held_path)
    fields, rows = read_pool(args.pool)
    known = later_pins(rows, [HERE / "dev.csv", HERE / "dev2.csv", HERE / "dev3.csv"])
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
    print(f"dev4 {len(dev)} lines ({pinned} pinned), held-out4 {len(held)} (seed {SEED})")


if __name__ == "__main__":
    main()
