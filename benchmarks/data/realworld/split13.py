"""Split the fourteenth real-world pool (collection 13) ONCE into dev13.csv and heldout13.csv
(see README.md).

Run once:  python benchmarks/data/realworld/split13.py POOL13.csv
Collection 13 (rw-3001 on: collector A, English, Chinese, Japanese, Korean and Russian;
rw-3501 on: collector B, every other language) is the first collection drawn after heldout12
was spent (renamed spent12.csv), so its held-out part is this round's only held-out measure.
It is drawn by split.py's `split_once` with its own fixed seed, half held out, stratified like
the fourth to thirteenth draws (is_accelerator and language, the languages other than English,
Chinese and Russian pooled). Every dev and spent part (dev12 and spent12 included) is an earlier
dev part: a repeat of one of their descriptions is refused, and a line inside one of them is
pinned to dev13, like descriptions already in tests/, the refdata, or inside another line of this
pool, and descriptions in the tests/ or refdata of every checkout being changed beside this one
when it was drawn (OTHER_TREES: /work/main and every /work/wt-* tree). Before the draw the pool
was checked against every dev and spent part (all readable): no line equals, contains or is
contained in one of their descriptions, nor cites one of their pages.
To reproduce the draw, concatenate dev13.csv and heldout13.csv, sort by `id`, and run this script
on that pool into an empty folder (--out DIR) from the same commit with the same OTHER_TREES
checkouts.
"""

from __future__ import annotations

from pathlib import Path

from split import by_label_and_main_language, split_once

SEED = 20261219
HELDOUT_SHARE = 0.5
OTHER_TREES = [Path("/work/main"), *sorted(Path("/work").glob("wt-*"))]
EARLIER = [f"dev{n}.csv" for n in ("", 2, 3, 4, 5, 6, 7, 8, 9, 10, "10b", 11, 12)]
SPENT = [f"spent{n}.csv" for n in ("", 2, 3, 4, 5, 6, 7, 8, 9, 10, "10b", 11, 12)]

if __name__ == "__main__":
    split_once(
        doc=__doc__ or "",
        dev_name="dev13.csv",
        held_name="heldout13.csv",
        seed=SEED,
        share=HELDOUT_SHARE,
        stratum=by_label_and_main_language,
        earlier_devs=[*EARLIER, *SPENT],
        other_trees=[t for t in OTHER_TREES if t.is_dir()],
    )
