"""Split the SECOND real-world pool ONCE into dev2.csv and heldout2.csv (see README.md).

Run once:  python benchmarks/data/realworld/split2.py POOL2.csv
The second collection (rw-133 on) is drawn on its own, with its own fixed seed, so that the first
draw (split.py: dev.csv / heldout.csv) stays exactly as it was. As in split.py the draw is
stratified on is_accelerator, refuses to overwrite existing files, and pins to dev every line whose
description (case-insensitive, whitespace-normalised) already occurs in tests/, in
src/chipcustoms/refdata/, in dev.csv or inside another line of this pool when the draw is made (the
distinctness test looks for a held-out description *inside* every dev text, so "訓練伺服器" must
not be held out while "Atlas 800 訓練伺服器" may land in dev): a held-out line must be text the
project has never contained. A line that repeats a dev.csv description is refused outright (the
set holds each description once). heldout.csv is not read here: its distinctness from the new
parts is checked by tests/test_realworld_set.py.
To reproduce the draw, concatenate dev2.csv and heldout2.csv, sort by `id`, and run this script on
that pool into an empty folder (--out DIR) from the same commit.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from split import norm, project_text

SEED = 20261207
HELDOUT_SHARE = 0.46  # about 45 %; 0.45 gave 39 lines once two lines were pinned


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("pool", type=Path)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = ap.parse_args()
    dev_path, held_path = args.out / "dev2.csv", args.out / "heldout2.csv"
    if dev_path.exists() or held_path.exists():
        raise SystemExit(f"{dev_path} or {held_path} exists: the split is done once, not redone")
    with args.pool.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = sorted(reader, key=lambda r: r["id"])
    first_dev = Path(__file__).resolve().parent / "dev.csv"
    with first_dev.open(encoding="utf-8", newline="") as f:
        old = {norm(r["description"]) for r in csv.DictReader(f)}
    repeated = [r["id"] for r in rows if norm(r["description"]) in old]
    if repeated:
        raise SystemExit(f"lines already in dev.csv: {repeated}")
    seen = project_text() + "\n" + "\n".join(old)

    def known(r: dict[str, str]) -> bool:
        d = norm(r["description"])
        inside = any(d in norm(o["description"]) for o in rows if o is not r)
        return d in seen or inside

    pinned = [r for r in rows if known(r)]
    free = [r for r in rows if not known(r)]
    rng = random.Random(SEED)
    held: list[dict[str, str]] = []
    dev: list[dict[str, str]] = list(pinned)
    for flag in ("true", "false"):
        group = [r for r in free if r["is_accelerator"] == flag]
        rng.shuffle(group)
        k = round(len(group) * HELDOUT_SHARE)
        held += group[:k]
        dev += group[k:]
    for path, part in ((dev_path, dev), (held_path, held)):
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            w.writerows(sorted(part, key=lambda r: r["id"]))
    print(f"dev2 {len(dev)} lines ({len(pinned)} pinned), held-out2 {len(held)} (seed {SEED})")


if __name__ == "__main__":
    main()
