"""Split the FIFTH real-world pool ONCE into dev5.csv and heldout5.csv (see README.md).

Run once:  python benchmarks/data/realworld/split5.py POOL5.csv
The fifth collection (rw-417 on) is drawn by split.py's `split_once` with its own fixed seed,
half held out, stratified like the fourth draw (is_accelerator and language, the languages other
than English, Chinese and Russian pooled into one stratum). Pinned to dev5: descriptions already
in tests/, the refdata, dev.csv to dev4.csv or inside another line of this pool; a repeat of an
earlier dev description is refused. The earlier held-out parts are not read here; their
distinctness from the new parts is checked by tests/test_realworld_set.py (pass/fail).
To reproduce the draw, concatenate dev5.csv and heldout5.csv, sort by `id`, and run this script on
that pool into an empty folder (--out DIR) from the same commit.
"""

from __future__ import annotations

from split import by_label_and_main_language, split_once

SEED = 20261210
HELDOUT_SHARE = 0.5

if __name__ == "__main__":
    split_once(
        doc=__doc__ or "",
        dev_name="dev5.csv",
        held_name="heldout5.csv",
        seed=SEED,
        share=HELDOUT_SHARE,
        stratum=by_label_and_main_language,
        earlier_devs=["dev.csv", "dev2.csv", "dev3.csv", "dev4.csv"],
    )
