"""Split the TENTH real-world pool ONCE into dev10.csv and heldout10.csv (see README.md).

Run once:  python benchmarks/data/realworld/split10.py POOL10.csv
The tenth collection (rulings and procurement, rw-1201 on) is drawn by split.py's `split_once` with
its own fixed seed, half held out, stratified like the fourth to ninth draws (is_accelerator and
language, the languages other than English, Chinese and Russian pooled into one stratum). The nine
earlier held-out parts are spent (spent*.csv) and are dev data now, so every dev*.csv and
spent*.csv is an earlier dev part here: a repeat of one is refused, a line inside one is pinned to
dev10. Pinned to dev10 too: descriptions in tests/ or the refdata of this tree and of every checkout
being changed beside it (OTHER_TREES: /work/main and every /work/wt-* tree).
To reproduce the draw, concatenate dev10.csv and heldout10.csv, sort by `id`, and run this script
on that pool into an empty folder (--out DIR) from the same commit with the same OTHER_TREES
checkouts (or with none, if the lines they pinned already occur in this tree by then).
"""

from __future__ import annotations

from pathlib import Path

from split import by_label_and_main_language, split_once

SEED = 20261215
HELDOUT_SHARE = 0.5
OTHER_TREES = [Path("/work/main"), *sorted(Path("/work").glob("wt-*"))]
EARLIER = [f"{part}{n}.csv" for part in ("dev", "spent") for n in ("", 2, 3, 4, 5, 6, 7, 8, 9)]

if __name__ == "__main__":
    split_once(
        doc=__doc__ or "",
        dev_name="dev10.csv",
        held_name="heldout10.csv",
        seed=SEED,
        share=HELDOUT_SHARE,
        stratum=by_label_and_main_language,
        earlier_devs=EARLIER,
        other_trees=[t for t in OTHER_TREES if t.is_dir()],
    )
