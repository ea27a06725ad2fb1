"""Split the SEVENTH real-world pool ONCE into dev7.csv and heldout7.csv (see README.md).

Run once:  python benchmarks/data/realworld/split7.py POOL7.csv
The seventh collection (rw-677 on) is drawn by split.py's `split_once` with its own fixed seed, half
held out, stratified like the fourth to sixth draws (is_accelerator and language, the languages
other than English, Chinese and Russian pooled into one stratum). Pinned to dev7: descriptions
already in tests/, the refdata, dev.csv to dev6.csv or inside another line of this pool, and
descriptions in the tests/ or refdata of the checkouts being changed beside this one when it was
drawn (OTHER_TREES: the recognition and units branches, and main), whose text the project will
hold once they are merged. A repeat of an earlier dev description is refused. The earlier held-out
parts are not read here; their distinctness from the new parts is checked by
tests/test_realworld_set.py (pass/fail).
To reproduce the draw, concatenate dev7.csv and heldout7.csv, sort by `id`, and run this script on
that pool into an empty folder (--out DIR) from the same commit with the same OTHER_TREES
checkouts (or with none, if the lines they pinned already occur in this tree by then).
"""

from __future__ import annotations

from pathlib import Path

from split import by_label_and_main_language, split_once

SEED = 20261212
HELDOUT_SHARE = 0.5
OTHER_TREES = [Path("/work/wt-recog7"), Path("/work/wt-units6"), Path("/work/main")]

if __name__ == "__main__":
    split_once(
        doc=__doc__ or "",
        dev_name="dev7.csv",
        held_name="heldout7.csv",
        seed=SEED,
        share=HELDOUT_SHARE,
        stratum=by_label_and_main_language,
        earlier_devs=["dev.csv", "dev2.csv", "dev3.csv", "dev4.csv", "dev5.csv", "dev6.csv"],
        other_trees=[t for t in OTHER_TREES if t.is_dir()],
    )
