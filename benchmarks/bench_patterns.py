"""Benchmark: the pattern analyses at national scale.

    python benchmarks/bench_patterns.py --rows 1000000

1. Generates ``--rows`` seeded lines over a year with the planted patterns, enriches them as a
   screening run does (catalog, USD, controls) and writes them to bench-out/ (not timed).
2. In a child process: reads them, builds the trader network, scores its communities, finds
   the paths, the split-lot campaigns and the route flags, and scores every line through the
   PatternScorer (the pipeline's seam): seconds and peak RSS of that process (VmHWM).
3. In a child process: the report for the year (HTML, with the mirror gap): seconds, peak RSS.

Also prints what was recovered (network recall / precision, campaigns, route month, mirror
gap), so the figures are checked at the size they were timed. docs/benchmarks.md, "Patterns
(issue 18)", records them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "bench-out" / "patterns"


def prepare(rows: int, seed: int) -> Path:
    import polars as pl

    from chipcustoms.assess.pipeline import References, enrich
    from chipcustoms.synthetic.generator import generate
    from chipcustoms.synthetic.plants import plant

    folder = OUT / f"{rows}-{seed}"
    if (folder / "truth.json").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    p = plant(generate(rows, seed=seed, truth=True), seed=seed)
    lines = enrich(p.lines.drop("true_accelerator_id", "true_value_usd", "intent", "patterns",
                                "planted"), References.load(), anomalies=False)
    lines.write_parquet(folder / "lines.parquet")
    p.comtrade.write_csv(folder / "partner.csv")
    p.watchlist.write_csv(folder / "fronts.csv")
    p.networks.write_csv(folder / "networks.csv")
    p.campaigns.write_csv(folder / "campaigns.csv")
    (folder / "truth.json").write_text(json.dumps(
        {"route": p.route, "mirror_gap_usd": p.mirror_gap_usd, "lines": lines.height}))
    print(f"prepared {lines.height:,} lines in {time.perf_counter() - t:.0f} s "
          f"({pl.read_parquet(folder / 'lines.parquet').estimated_size() / 2**20:.0f} MiB)")
    return folder


def analysis_columns(folder: Path) -> list[str]:
    """The columns the analyses read (sources.COLUMNS) that the prepared file has."""
    import polars as pl

    from chipcustoms.patterns.sources import COLUMNS

    have = pl.read_parquet_schema(folder / "lines.parquet")
    return [c for c in COLUMNS if c in have]


def stage_network(folder: Path) -> dict[str, object]:
    import polars as pl

    from chipcustoms.patterns import network
    from chipcustoms.patterns.pattern_scorer import PatternContext, PatternScorer
    from chipcustoms.policy.rules import IDX

    lines = pl.read_parquet(folder / "lines.parquet", columns=analysis_columns(folder))
    t0 = time.perf_counter()
    listed = network.listed_keys(pl.read_csv(folder / "fronts.csv"))
    net = network.build(lines, listed)
    t1 = time.perf_counter()
    ctx = PatternContext.from_network(lines, net)  # paths, campaigns, routes
    df, _, reasons = PatternScorer(ctx).score(lines.with_row_index(IDX) if IDX not in
                                              lines.columns else lines)
    t2 = time.perf_counter()
    truth = pl.read_csv(folder / "networks.csv")
    parties = net.parties.join(truth, on="party", how="left")
    flagged = net.flagged().select("community")
    hits = 0
    for _, g in parties.filter(pl.col("network").is_not_null()).group_by("network"):
        c = g.join(flagged, on="community")["community"].value_counts()
        hits += int(c.height > 0 and c["count"].max() >= 0.8 * g.height)
    prec = parties.join(flagged, on="community").group_by("community").agg(
        (pl.col("network").is_not_null().mean() > 0.5).alias("p"))["p"].mean()
    planted = pl.read_csv(folder / "campaigns.csv").join(
        ctx.members.rename({"campaign": "found"}), on=["declaration_id", "item_no"], how="left"
    ).group_by("campaign").agg(
        (pl.col("found") == pl.col("found").drop_nulls().mode().first()).fill_null(False)
        .mean().alias("share"))
    return {"split_lot_recall": (planted["share"] >= 0.8).mean(),
            "network_build_s": round(t1 - t0, 1), "paths_lots_routes_scoring_s":
            round(t2 - t1, 1),
            "total_s": round(t2 - t0, 1), "parties": net.parties.height,
            "communities": net.communities.height, "flagged": net.flagged().height,
            "recall": hits / truth["network"].n_unique(), "precision": prec,
            "reasons": reasons.height, "lines_with_pattern": int((df["pattern_score"] > 0).sum())}


def stage_report(folder: Path) -> dict[str, object]:
    import polars as pl

    from chipcustoms.patterns import mirror, network, report, routes

    lines = pl.read_parquet(folder / "lines.parquet", columns=analysis_columns(folder))
    t0 = time.perf_counter()
    ctx = report.build(lines, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31),
                       listed=network.listed_keys(pl.read_csv(folder / "fronts.csv")),
                       partner=mirror.read_partner(folder / "partner.csv"))
    html = report.render(ctx)
    (folder / "report.html").write_text(html, encoding="utf-8")
    t1 = time.perf_counter()
    gap = ctx["gap"]["total"]
    truth = json.loads((folder / "truth.json").read_text())
    return {"report_s": round(t1 - t0, 1), "html_kib": len(html) // 1024,
            "gap_usd": round(gap["gap_usd"]), "gap_low": round(gap["gap_low"]),
            "gap_high": round(gap["gap_high"]), "planted_gap_usd": truth["mirror_gap_usd"],
            "route_months": sorted({m.strftime("%Y-%m") for m in routes.flags(lines)
                                    .filter(pl.col("route") == truth["route"]["route"])["month"]
                                    .to_list()}),
            "first_full_month": truth["route"]["first_full_month"]}


def peak_rss_mib() -> int:
    """This process's own peak RSS (VmHWM). Not wait4's ru_maxrss: Linux carries the parent's
    peak across fork and exec into it, and the parent holds the generated lines."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return -1


def child(stage: str, folder: Path) -> None:
    """Run one stage in a fresh process; print its result and its own peak RSS."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, __file__, "--stage", stage, str(folder)],
                            stdout=subprocess.PIPE, text=True, env=env)
    out, _ = proc.communicate()
    result = json.loads(out.strip().splitlines()[-1])
    print(f"{stage}: {json.dumps(result)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--stage", choices=["network", "report"])
    ap.add_argument("folder", nargs="?")
    a = ap.parse_args()
    if a.stage:
        fn = stage_network if a.stage == "network" else stage_report
        print(json.dumps(fn(Path(a.folder)) | {"peak_rss_mib": peak_rss_mib()}, default=str))
        return
    folder = prepare(a.rows, a.seed)
    print(f"load average before: {os.getloadavg()}")
    child("network", folder)
    child("report", folder)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
