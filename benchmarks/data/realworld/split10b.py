"""Split the ELEVENTH real-world pool (collection 10b) ONCE into dev10b.csv and heldout10b.csv
(see README.md).

Run once:  python benchmarks/data/realworld/split10b.py POOL10B.csv
Collection 10b (rw-1401 on: enforcement and trade records, listings) is drawn by split.py's
`split_once` with its own fixed seed, half held out, stratified like the fourth to ninth draws
(is_accelerator and language, the languages other than English, Chinese and Russian pooled).
Pinned to dev10b: descriptions already in tests/, the refdata, every earlier dev and spent part
or inside another line of this pool, and descriptions in the tests/ or refdata of every checkout
being changed beside this one when it was drawn (OTHER_TREES: /work/main and every /work/wt-*
tree). A repeat of an earlier description is refused. Collection 10 (drawn beside this one on
another branch) was checked before the draw: no line of this pool equals, contains or is
contained in one of its descriptions. To reproduce the draw, concatenate dev10b.csv and
heldout10b.csv, sort by `id`, and run this script on that pool into an empty folder (--out DIR)
from the same commit with the same OTHER_TREES checkouts.
"""

from __future__ import annotations

from pathlib import Path

from split import by_label_and_main_language, split_once

SEED = 20261216
HELDOUT_SHARE = 0.5
OTHER_TREES = [Path("/work/main"), *sorted(Path("/work").glob("wt-*"))]
EARLIER = [f"dev{n}.csv" for n in ("", 2, 3, 4, 5, 6, 7, 8, 9)]
SPENT = [f"spent{n}.csv" for n in ("", 2, 3, 4, 5, 6, 7, 8, 9)]

if __name__ == "__main__":
    split_once(
        doc=__doc__ or "",
        dev_name="dev10b.csv",
        held_name="heldout10b.csv",
        seed=SEED,
        share=HELDOUT_SHARE,
        stratum=by_label_and_main_language,
        earlier_devs=[*EARLIER, *SPENT],
        other_trees=[t for t in OTHER_TREES if t.is_dir()],
    )
