"""Split the twelfth real-world pool (collection 11) ONCE into dev11.csv and heldout11.csv
(see README.md).

Run once:  python benchmarks/data/realworld/split11.py POOL11.csv
Collection 11 (rw-1801 on: listings, product and trade pages, procurement, seizure and court
reports, non-GPU accelerators and look-alikes in 21 languages) is drawn by split.py's
`split_once` with its own fixed seed, half held out, stratified like the fourth to tenth draws
(is_accelerator and language, the languages other than English, Chinese and Russian pooled).
Pinned to dev11: descriptions already in tests/, the refdata, every earlier dev and spent part
or inside another line of this pool, and descriptions in the tests/ or refdata of every checkout
being changed beside this one when it was drawn (OTHER_TREES: /work/main and every /work/wt-*
tree). A repeat of an earlier description is refused. The held-out parts drawn before this one
(heldout10.csv, heldout10b.csv) were checked before the draw, pass/fail only: no line of this
pool equals, contains or is contained in one of their descriptions, nor cites one of their pages.
To reproduce the draw, concatenate dev11.csv and heldout11.csv, sort by `id`, and run this script
on that pool into an empty folder (--out DIR) from the same commit with the same OTHER_TREES
checkouts.
"""

from __future__ import annotations

from pathlib import Path

from split import by_label_and_main_language, split_once

SEED = 20261217
HELDOUT_SHARE = 0.5
OTHER_TREES = [Path("/work/main"), *sorted(Path("/work").glob("wt-*"))]
EARLIER = [f"dev{n}.csv" for n in ("", 2, 3, 4, 5, 6, 7, 8, 9, 10, "10b")]
SPENT = [f"spent{n}.csv" for n in ("", 2, 3, 4, 5, 6, 7, 8, 9)]

if __name__ == "__main__":
    split_once(
        doc=__doc__ or "",
        dev_name="dev11.csv",
        held_name="heldout11.csv",
        seed=SEED,
        share=HELDOUT_SHARE,
        stratum=by_label_and_main_language,
        earlier_devs=[*EARLIER, *SPENT],
        other_trees=[t for t in OTHER_TREES if t.is_dir()],
    )
