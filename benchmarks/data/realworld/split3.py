"""Split the THIRD real-world pool ONCE into dev3.csv and heldout3.csv (see README.md).

Run once:  python benchmarks/data/realworld/split3.py POOL3.csv
The third collection (rw-222 on) is drawn with split.py's `draw` and its own fixed seed, so the
first two draws stay exactly as they were. Pinning follows the later draws' rule (`later_pins`):
a description already in tests/, the refdata, dev.csv, dev2.csv or inside another line of this
pool stays in dev3; a repeat of an earlier dev description is refused. This draw is stratified
on is_accelerator *and* language, so both parts keep the pool's mix of English, Chinese, Russian
(and the odd other) lines. The held-out parts of the earlier draws are not read here; their
distinctness from the new parts is checked by tests/test_realworld_set.py (pass/fail).
To reproduce the draw, concatenate dev3.csv and heldout3.csv, sort by `id`, and run this script on
that pool into an empty folder (--out DIR) from the same commit.
The command itself is split.py's `split_once` (this script had its own copy until the fifth draw;
the shared one writes byte-identical parts).
"""

from __future__ import annotations

from split import by_label_and_language, split_once

SEED = 20261208
HELDOUT_SHARE = 0.5

if __name__ == "__main__":
    split_once(
        doc=__doc__ or "",
        dev_name="dev3.csv",
        held_name="heldout3.csv",
        seed=SEED,
        share=HELDOUT_SHARE,
        stratum=by_label_and_language,
        earlier_devs=["dev.csv", "dev2.csv"],
    )
