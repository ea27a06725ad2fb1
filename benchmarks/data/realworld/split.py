"""Split the real-world labelled pool ONCE into dev.csv and heldout.csv (see README.md).

Run once:  python benchmarks/data/realworld/split.py POOL.csv
The split is random but reproducible: a fixed seed, stratified on is_accelerator so that both
parts keep the ~40 % accelerator share. It refuses to overwrite existing dev.csv / heldout.csv:
the held-out part is drawn once and never re-drawn (and never tuned on).
Lines whose description (case-insensitive, whitespace-normalised) already occurs in tests/ or in
src/chipcustoms/refdata/ when the split is drawn are pinned to dev: the held-out part must be text
the project has never seen. The remaining lines are drawn at random.
To reproduce the draw, concatenate dev.csv and heldout.csv, sort by `id`, and run this script on
that pool into an empty folder (--out DIR) from the same commit.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SEED = 20261206
HELDOUT_SHARE = 0.36


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def project_text() -> str:
    """Everything the resolver or its tests could have been tuned on."""
    parts = []
    for folder in (ROOT / "tests", ROOT / "src" / "chipcustoms" / "refdata"):
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                try:
                    parts.append(norm(p.read_text(encoding="utf-8")))
                except UnicodeDecodeError:
                    continue
    return "\n".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pool", type=Path)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = ap.parse_args()
    dev_path, held_path = args.out / "dev.csv", args.out / "heldout.csv"
    if dev_path.exists() or held_path.exists():
        raise SystemExit(f"{dev_path} or {held_path} exists: the split is done once, not redone")
    with args.pool.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = sorted(reader, key=lambda r: r["id"])
    seen = project_text()
    pinned = [r for r in rows if norm(r["description"]) in seen]
    free = [r for r in rows if norm(r["description"]) not in seen]
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
    print(f"dev {len(dev)} lines ({len(pinned)} pinned), held-out {len(held)} lines (seed {SEED})")


if __name__ == "__main__":
    main()
