"""Screen a declaration file's party names against a list of realistic size (issue 16).

    PYTHONPATH=src python benchmarks/gen_watchlist.py --entities 100000 --rows 1000000
    PYTHONPATH=src /usr/bin/time -v python benchmarks/bench_list.py --dir bench-out/list

Reads the list as `chipcustoms watchlist load --format targets-csv` does (watchlists.read_list),
builds the index, and matches every distinct declared name once (as the pipeline's Scorer does:
per distinct name, joined back to the rows). Prints time per step, hits, peak RSS and the load.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import polars as pl

from chipcustoms.parties.matcher import Matcher, Query
from chipcustoms.parties.watchlists import read_list


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="bench-out/list")
    args = ap.parse_args()
    d = Path(args.dir)
    t0 = time.perf_counter()
    entities = read_list(d / "targets.csv", "targets-csv").with_columns(
        pl.lit("generated").alias("list_name"), pl.lit(1).alias("list_version")
    )
    t1 = time.perf_counter()
    matcher = Matcher(entities)
    t2 = time.perf_counter()
    rows = pl.read_parquet(d / "declared.parquet")
    distinct = rows["name"].unique(maintain_order=True).to_list()
    hits = matcher.match([Query(n) for n in distinct])
    t3 = time.perf_counter()
    per_row = rows.join(hits.rename({"query": "name"}), on="name", how="inner")
    t4 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"list {entities.height:,} entities ({matcher.names.height:,} names): "
        f"read {t1 - t0:.1f} s, "
        f"index {t2 - t1:.1f} s; {rows.height:,} declared names, {len(distinct):,} distinct: "
        f"match {t3 - t2:.1f} s, {hits.height:,} hits on {hits['query'].n_unique():,} names, "
        f"{per_row.height:,} hit rows; join {t4 - t3:.1f} s; total {t4 - t0:.1f} s; "
        f"peak RSS {rss:,.0f} MiB; load average {load} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
