"""Split the NINTH real-world pool ONCE into dev9.csv and heldout9.csv (see README.md).

Run once:  python benchmarks/data/realworld/split9.py POOL9.csv
The ninth collection (rw-1001 on: four-digit ids, so that it cannot collide with the eighth
collection drawn beside it) is drawn by split.py's `split_once` with its own fixed seed, half held
out, stratified like the fourth to eighth draws (is_accelerator and language, the languages other
than English, Chinese and Russian pooled into one stratum). Pinned to dev9: descriptions already in
tests/, the refdata, dev.csv to dev7.csv or inside another line of this pool, and descriptions in
the tests/ or refdata of every checkout being changed beside this one when it was drawn
(OTHER_TREES: /work/main and every /work/wt-* tree), whose text the project will hold once they
are merged. A repeat of an earlier dev description is refused. The earlier held-out parts are not
read here; their distinctness from the new parts is checked by tests/test_realworld_set.py
(pass/fail).
To reproduce the draw, concatenate dev9.csv and heldout9.csv, sort by `id`, and run this script on
that pool into an empty folder (--out DIR) from the same commit with the same OTHER_TREES
checkouts (or with none, if the lines they pinned already occur in this tree by then).
"""

from __future__ import annotations

from pathlib import Path

from split import by_label_and_main_language, split_once

SEED = 20261214
HELDOUT_SHARE = 0.5
OTHER_TREES = [Path("/work/main"), *sorted(Path("/work").glob("wt-*"))]

if __name__ == "__main__":
    split_once(
        doc=__doc__ or "",
        dev_name="dev9.csv",
        held_name="heldout9.csv",
        seed=SEED,
        share=HELDOUT_SHARE,
        stratum=by_label_and_main_language,
        earlier_devs=[f"dev{n}.csv" for n in ("", 2, 3, 4, 5, 6, 7)],
        other_trees=[t for t in OTHER_TREES if t.is_dir()],
    )
