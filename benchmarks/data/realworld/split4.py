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
The command itself is split.py's `split_once` (this script had its own copy until the fifth draw;
the shared one writes byte-identical parts).
"""

from __future__ import annotations

from split import by_label_and_main_language, split_once

SEED = 20261209
HELDOUT_SHARE = 0.5

if __name__ == "__main__":
    split_once(
        doc=__doc__ or "",
        dev_name="dev4.csv",
        held_name="heldout4.csv",
        seed=SEED,
        share=HELDOUT_SHARE,
        stratum=by_label_and_main_language,
        earlier_devs=["dev.csv", "dev2.csv", "dev3.csv"],
    )
