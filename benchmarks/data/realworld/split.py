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

The draw itself (`draw`) and the file handling (`read_pool`, `write_parts`) are shared by every
later draw (split2.py, split3.py): each passes its own seed, share, pinning rule and strata, so a
draw is written once and the earlier draws stay exactly reproducible. The later draws' whole
command (split3.py on: read the pool, pin with `later_pins`, draw stratified on label and
language, write the two parts) is `split_once`, so such a script only names its files, seed,
share, strata and the earlier dev parts.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent

SEED = 20261206
HELDOUT_SHARE = 0.36

Row = dict[str, str]


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def project_text(root: Path = ROOT) -> str:
    """Everything the resolver or its tests could have been tuned on (in the tree at `root`)."""
    parts = []
    for folder in (root / "tests", root / "src" / "chipcustoms" / "refdata"):
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                try:
                    parts.append(norm(p.read_text(encoding="utf-8")))
                except UnicodeDecodeError:
                    continue
    return "\n".join(parts)


def by_label(r: Row) -> Hashable:
    """The first two draws' strata: accelerator or not."""
    return r["is_accelerator"]


def by_label_and_language(r: Row) -> Hashable:
    """The third draw's strata: accelerator or not, and each language on its own."""
    return (r["is_accelerator"], r["language"])


MAIN_LANGUAGES = ("en", "zh", "ru")


def by_label_and_main_language(r: Row) -> Hashable:
    """The fourth draw's strata on: accelerator or not, and English, Chinese, Russian or "other"
    (the languages with a few lines each are pooled, so they are split half and half too
    instead of every one-line language falling to dev)."""
    language = r["language"] if r["language"] in MAIN_LANGUAGES else "other"
    return (r["is_accelerator"], language)


def draw(
    rows: Sequence[Row],
    *,
    seed: int,
    share: float,
    pinned: Callable[[Row], bool],
    stratum: Callable[[Row], Hashable] = by_label,
    order: Sequence[Hashable] = ("true", "false"),
) -> tuple[list[Row], list[Row]]:
    """Draw the held-out part once: (dev, held).

    Lines for which `pinned` holds go to dev (text the project already contains may not be
    held out). The others are grouped by `stratum`, each group shuffled with one generator
    seeded `seed` in `order`, and its first round(len * share) lines held out, so every
    stratum keeps its share in both parts. Draw-specific choices are the arguments; nothing
    here may change, or the earlier draws would no longer reproduce.
    """
    pins = [r for r in rows if pinned(r)]
    free = [r for r in rows if not pinned(r)]
    rng = random.Random(seed)
    held: list[Row] = []
    dev: list[Row] = list(pins)
    for key in order:
        group = [r for r in free if stratum(r) == key]
        rng.shuffle(group)
        k = round(len(group) * share)
        held += group[:k]
        dev += group[k:]
    left = [r for r in free if stratum(r) not in order]
    if left:
        raise SystemExit(f"lines outside every stratum: {[r['id'] for r in left]}")
    return dev, held


def read_pool(path: Path) -> tuple[list[str], list[Row]]:
    """The pool's columns and its rows, sorted by id (the draw's input order)."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = sorted(reader, key=lambda r: r["id"])
    return fields, rows


def refuse_existing(*paths: Path) -> None:
    """A part is drawn once: never overwrite one."""
    for path in paths:
        if path.exists():
            raise SystemExit(f"{path} exists: the split is done once, not redone")


def write_parts(fields: list[str], parts: dict[Path, list[Row]]) -> None:
    for path, part in parts.items():
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            w.writerows(sorted(part, key=lambda r: r["id"]))


def later_pins(
    rows: Sequence[Row], earlier_devs: Sequence[Path], other_trees: Sequence[Path] = ()
) -> Callable[[Row], bool]:
    """The pinning rule of the later draws (split2.py on): a line whose description occurs in
    tests/, the refdata or an earlier dev part, or inside another line of this pool, stays in
    dev (the distinctness test looks for a held-out description *inside* every dev text). A line
    that repeats an earlier dev description is refused outright (the set holds each once).
    `other_trees` are checkouts of branches not yet merged (split6.py on): their tests/ and
    refdata will be this project's after the merge, so a line they contain stays in dev too."""
    old: set[str] = set()
    for path in earlier_devs:
        with path.open(encoding="utf-8", newline="") as f:
            old |= {norm(r["description"]) for r in csv.DictReader(f)}
    repeated = [r["id"] for r in rows if norm(r["description"]) in old]
    if repeated:
        raise SystemExit(f"lines already in an earlier dev part: {repeated}")
    seen = "\n".join([project_text(), *(project_text(t) for t in other_trees), *sorted(old)])

    def known(r: Row) -> bool:
        d = norm(r["description"])
        inside = any(d in norm(o["description"]) for o in rows if o is not r)
        return d in seen or inside

    return known


def split_once(
    *,
    doc: str,
    dev_name: str,
    held_name: str,
    seed: int,
    share: float,
    stratum: Callable[[Row], Hashable],
    earlier_devs: Sequence[str],
    other_trees: Sequence[Path] = (),
    argv: Sequence[str] | None = None,
) -> None:
    """The later draws' command (split3.py on), written once: POOL [--out DIR] into `dev_name`
    and `held_name`, refusing to overwrite either; lines pinned by `later_pins` against the
    `earlier_devs` (file names in this folder) and the `other_trees` (none before split6.py);
    strata are `stratum`'s values in the pool, in str order, so the draw depends only on the
    pool, the seed and the share."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    ap.add_argument("pool", type=Path)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    dev_path, held_path = args.out / dev_name, args.out / held_name
    refuse_existing(dev_path, held_path)
    fields, rows = read_pool(args.pool)
    known = later_pins(rows, [HERE / name for name in earlier_devs], other_trees)
    strata = sorted({stratum(r) for r in rows}, key=str)
    dev, held = draw(rows, seed=seed, share=share, pinned=known, stratum=stratum, order=strata)
    write_parts(fields, {dev_path: dev, held_path: held})
    pinned = sum(known(r) for r in rows)
    print(
        f"{dev_path.stem} {len(dev)} lines ({pinned} pinned), "
        f"{held_path.stem} {len(held)} (seed {seed})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("pool", type=Path)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    dev_path, held_path = args.out / "dev.csv", args.out / "heldout.csv"
    refuse_existing(dev_path, held_path)
    fields, rows = read_pool(args.pool)
    seen = project_text()
    dev, held = draw(
        rows, seed=SEED, share=HELDOUT_SHARE, pinned=lambda r: norm(r["description"]) in seen
    )
    write_parts(fields, {dev_path: dev, held_path: held})
    pinned = sum(norm(r["description"]) in seen for r in rows)
    print(f"dev {len(dev)} lines ({pinned} pinned), held-out {len(held)} lines (seed {SEED})")


if __name__ == "__main__":
    main()
