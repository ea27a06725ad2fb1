"""Pattern commands: network, report, ledger, mirror, plant (views over many lines)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from chipcustoms.cli.common import Db, app, db_path, err, existing, out
from chipcustoms.errors import ChipCustomsError

if TYPE_CHECKING:  # loaded by the commands that read lines, not by `chipcustoms --help`
    import polars as pl

Input = typer.Option(None, "--input", "-i", help="Declarations file (else the store, --db).")
MappingOpt = typer.Option(None, "--mapping", "-m", help="Mapping of --input (name or YAML).")
Listed = typer.Option(None, "--watchlist", help="CSV of listed entities (name, list_name); "
                      "default: the store's watchlists.")


def _lines(db: str | None, path: str | None, mapping: str | None) -> pl.DataFrame:
    from chipcustoms.assess.pipeline import References
    from chipcustoms.patterns.sources import file_lines, store_lines

    refs = References.load()
    if path:
        return file_lines(existing([path])[0], mapping, refs)
    lines = store_lines(db_path(db), refs)
    if lines.height == 0:
        raise ChipCustomsError("the store holds no lines: screen with --db first, or give -i")
    return lines


def _listed(db: str | None, path: str | None, watchlist: str | None) -> pl.DataFrame | None:
    import polars as pl

    from chipcustoms.patterns.network import listed_keys

    if watchlist:
        return listed_keys(pl.read_csv(existing([watchlist])[0], infer_schema=False))
    if path and db is None:
        return None
    from chipcustoms.store import open_store

    entities = open_store(db_path(db)).watchlist_entities()
    return listed_keys(entities) if entities.height else None


@app.command("network")
def network_cmd(
    party: str = typer.Argument(..., metavar="PARTY", help="Importer id, or part of its name."),
    db: Db = None, input: str | None = Input, mapping: str | None = MappingOpt,
    watchlist: str | None = Listed,
) -> None:
    """The trader network of PARTY: its community, score, members, links and path."""
    import polars as pl

    from chipcustoms.patterns import network

    net = network.build(_lines(db, input, mapping), _listed(db, input, watchlist))
    key = net.find(party)
    if key is None:
        raise ChipCustomsError(f"{party}: no such importer in the lines")
    comm = net.community_of(key)
    if comm is None:
        out.print(f"{key}: linked to no other party (no shared name, address, declarant, "
                  "consignee or exporter below the hub caps)")
        return
    c = net.communities.filter(pl.col("community") == comm).row(0, named=True)
    out.print(f"community {comm}: {c['n_parties']} parties, score {c['score']:.2f}"
              f"{' (flagged)' if c['flagged'] else ''}; listed {c['listed']:.0f}, shares with "
              f"listed {c['shares_with_listed']:.0f}, seized {c['seized']:.1f}, new high-value "
              f"{c['new_high_value']:.0%}")
    path = network.paths(net).filter(pl.col("party") == key)
    if path.height:
        out.print(path["message"][0], highlight=False)
    members = Table("party", "name", "listed on", "seized", "new, high value", "lines")
    for r in network.community_members(net, comm).iter_rows(named=True):
        members.add_row(r["party"], r["party_name"], r["listed_on"] or "", str(r["seized"]),
                        str(r["new_high_value"]), str(r["n_lines"]))
    out.print(members)
    links = Table("kind", "value", "party")
    for r in network.community_links(net, comm).iter_rows(named=True):
        links.add_row(r["kind"], r["shown"], r["party"])
    out.print(links)


@app.command("report")
def report_cmd(
    start: dt.datetime = typer.Option(..., "--from", formats=["%Y-%m-%d"], help="First day."),
    end: dt.datetime = typer.Option(..., "--to", formats=["%Y-%m-%d"], help="Last day."),
    output: Path = typer.Option(..., "--output", "-o", help="The HTML file to write."),
    pdf: bool = typer.Option(False, "--pdf", help="Also print it to PDF (headless Chromium)."),
    partner: str | None = typer.Option(None, "--partner", help="Partner exports (Comtrade bulk)."),
    db: Db = None, input: str | None = Input, mapping: str | None = MappingOpt,
    watchlist: str | None = Listed,
) -> None:
    """One self-contained HTML report for the period (charts inline, nothing fetched)."""
    from chipcustoms.patterns import mirror, report

    part = mirror.read_partner(existing([partner])[0]) if partner else None
    ctx = report.build(_lines(db, input, mapping), start=start.date(), end=end.date(),
                       listed=_listed(db, input, watchlist), partner=part)
    output.write_text(report.render(ctx), encoding="utf-8")
    err.print(f"report: {output}")
    if pdf:
        target = output.with_suffix(".pdf")
        why = report.to_pdf(output, target)
        err.print(why if why else f"pdf: {target}", highlight=False)


@app.command("ledger")
def ledger_cmd(
    output: str = typer.Option("-", "--output", "-o", help="Ledger table (CSV/JSONL/Parquet)."),
    db: Db = None, input: str | None = Input, mapping: str | None = MappingOpt,
) -> None:
    """Units and TPP-weighted compute by model, month, route, destination and status.

    Also the irregular units estimated among the uninspected lines (Wilson interval)."""
    from chipcustoms.lines.tablewrite import write_table
    from chipcustoms.patterns import ledger

    lines = _lines(db, input, mapping)
    write_table(ledger.ledger(lines), output)
    est = ledger.unchecked(lines)
    err.print(f"unchecked: {est['units']:,.0f} irregular units ({est['units_low']:,.0f} to "
              f"{est['units_high']:,.0f}; {est['method']}; rate from {est['basis']})")


@app.command("mirror")
def mirror_cmd(
    partner: str = typer.Argument(..., metavar="FILE", help="Partner exports, Comtrade bulk."),
    layout: str = typer.Option("comtrade-bulk", "--layout", help="Mirror mapping (name/YAML)."),
    output: str | None = typer.Option(None, "--output", "-o", help="Cells (CSV/JSONL/Parquet)."),
    db: Db = None, input: str | None = Input, mapping: str | None = MappingOpt,
) -> None:
    """The mirror gap: partner exports against declared imports, with its interval."""
    from chipcustoms.lines.tablewrite import write_table
    from chipcustoms.patterns import mirror

    m = mirror.load_mapping(layout)
    # The small partner file first: a wrong path is refused before every stored line is read.
    exports = mirror.read_partner(existing([partner])[0], m)
    cells, total = mirror.gap(_lines(db, input, mapping), exports, mapping=m)
    if output:
        write_table(cells, output)
    out.print(json.dumps(total, indent=2))


@app.command("plant")
def plant_cmd(
    rows: int = typer.Option(20_000, "--rows", "-n", help="Generated lines before planting."),
    seed: int = typer.Option(0, "--seed", help="Seed; the same seed plants the same patterns."),
    output: str = typer.Option(..., "--output", "-o", help="Lines with planted patterns."),
    partner: str = typer.Option(..., "--partner", help="Partner exports to write (CSV)."),
    watchlist: str = typer.Option(..., "--watchlist", help="Listed fronts to write (CSV)."),
    truth: str | None = typer.Option(None, "--truth", help="What was planted (JSON)."),
) -> None:
    """Generated lines with planted networks, split lots, a new route and a mirror gap."""
    from chipcustoms.lines.tablewrite import write_table
    from chipcustoms.synthetic.generator import generate
    from chipcustoms.synthetic.plants import plant

    p = plant(generate(rows, seed=seed, truth=True), seed=seed)
    write_table(p.lines.drop("true_accelerator_id", "true_value_usd", "intent", "patterns"),
                output)
    p.comtrade.write_csv(partner)
    p.watchlist.rename({"entity_id": "id"}).write_csv(watchlist)  # `watchlist load -f csv`
    if truth:
        Path(truth).write_text(json.dumps({
            "networks": p.networks.to_dicts(), "campaigns": p.campaigns["campaign"].unique()
            .sort().to_list(), "route": p.route, "mirror_gap_usd": p.mirror_gap_usd,
            "mirror_country": p.mirror_country}, indent=1), encoding="utf-8")
    err.print(f"{p.lines.height:,} lines, {p.networks['network'].n_unique()} networks, "
              f"{p.campaigns['campaign'].n_unique()} campaigns, route {p.route['route']} from "
              f"{p.route['first_day']}, mirror gap {p.mirror_gap_usd:,.0f} USD")
