"""Generate a watchlist of realistic size and a declared-party file to screen against it.

    PYTHONPATH=src python benchmarks/gen_watchlist.py --entities 100000 --rows 1000000 \
        --out bench-out/list

Writes ``targets.csv`` in OpenSanctions' targets.simple.csv layout (id, schema, name, aliases,
countries, addresses, identifiers, ...; multi-values joined by ';') and ``declared.parquet``
(one ``name`` column, ``rows`` party names as a declaration file carries them: a few thousand
traders repeated, one in fifty a variant of a listed party). No list can be downloaded here,
so the names are synthetic (parties/synth_names.py): Chinese firms with their Chinese names as
aliases, Western firms, persons, Russian persons with their Cyrillic names.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

import polars as pl

from chipcustoms.parties.synth_names import VARIANTS, entity, variant

COUNTRY = {
    "chinese": ["CN", "HK"],
    "western": ["AE", "SG", "DE", "TR"],
    "person": ["RU", "IR", "SY"],
}
COLUMNS = ["id", "schema", "name", "aliases", "birth_date", "countries", "addresses",
           "identifiers", "sanctions", "phones", "emails", "dataset", "first_seen", "last_seen",
           "last_change"]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--traders", type=int, default=200_000, help="distinct declared names")
    ap.add_argument("--out", default="bench-out/list")
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    listed = []
    seen: set[str] = set()
    with (out / "targets.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        while len(listed) < args.entities:
            e = entity(rng)
            if e.name in seen:
                continue
            seen.add(e.name)
            listed.append(e)
            i = len(listed)
            country = rng.choice(COUNTRY.get(e.kind, ["RU"]))
            ident = f"{country}{rng.randrange(10**9):09d}" if rng.random() < 0.4 else ""
            alias = e.original if e.original and rng.random() < 0.7 else ""
            dates = ["2026-01-01", "2026-12-01", "2026-12-01"]
            w.writerow(
                [
                    f"gen-{i}",
                    e.schema,
                    e.name,
                    alias,
                    "",
                    country,
                    "",
                    ident,
                    "",
                    "",
                    "",
                    "generated",
                    *dates,
                ]
            )
    traders = []
    for _ in range(args.traders):
        if rng.random() < 0.02:
            traders.append(variant(rng, rng.choice(listed), rng.choice(VARIANTS)))
        else:
            traders.append(entity(rng).name)
    # trade data repeats its parties: a skewed draw of the traders
    weights = [1.0 / (k + 10) for k in range(len(traders))]
    names = rng.choices(traders, weights=weights, k=args.rows)
    pl.DataFrame({"name": names}).write_parquet(out / "declared.parquet")
    print(
        f"{len(listed):,} entities -> {out / 'targets.csv'}, {args.rows:,} declared names "
        f"({len(set(names)):,} distinct) -> {out / 'declared.parquet'} in "
        f"{time.perf_counter() - start:.1f} s"
    )


if __name__ == "__main__":
    main()
