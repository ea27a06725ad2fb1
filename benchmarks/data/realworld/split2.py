"""Split the SECOND real-world pool ONCE into dev2.csv and heldout2.csv (see README.md).

Run once:  python benchmarks/data/realworld/split2.py POOL2.csv
The second collection (rw-133 on) is drawn on its own, with its own fixed seed, so that the first
draw (split.py: dev.csv / heldout.csv) stays exactly as it was. The draw is split.py's `draw`,
stratified on is_accelerator, refusing to overwrite existing files, with the later draws' pinning
rule (`later_pins`): every line whose description (case-insensitive, whitespace-normalised)
already occurs in tests/, in src/chipcustoms/refdata/, in dev.csv or inside another line of this
pool stays in dev (the distinctness test looks for a held-out description *inside* every dev
text, so "訓練伺服器" must not be held out while "Atlas 800 訓練伺服器" may land in dev): a
held-out line must be text the project has never contained. A line that repeats a dev.csv
description is refused outright. heldout.csv is not read here: its distinctness from the new
parts is checked by tests/test_realworld_set.py.
To reproduce the draw, concatenate dev2.csv and heldout2.csv, sort by `id`, and run this script on
that pool into an empty folder (--out DIR) from the same commit.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from split import HERE, draw, later_pins, read_pool, refuse_existing, write_parts

SEED = 20261207
HELDOUT_SHARE = 0.46  # about 45 %; 0.45 gave 39 lines once two lines were pinned


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("pool", type=Path)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    dev_path, held_path = args.out / "dev2.csv", args.out / "heldout2.csv"
    refuse_existing(dev_path, held_path)
    fields, rows = read_pool(args.pool)
    known = later_pins(rows, [HERE / "dev.csv"])
    dev, held = draw(rows, seed=SEED, share=HELDOUT_SHARE, pinned=known)
    write_parts(fields, {dev_path: dev, held_path: held})
    pinned = sum(known(r) for r in rows)
    print(f"dev2 {len(dev)} lines ({pinned} pinned), held-out2 {len(held)} (seed {SEED})")


if __name__ == "__main__":
    main()
