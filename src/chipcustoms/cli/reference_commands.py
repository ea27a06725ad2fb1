"""Commands that show reference data in force: catalog, policies, profiles, reasons, settings,
mappings."""

from __future__ import annotations

import json
import sys

import typer
from rich.measure import Measurement
from rich.table import Table

from chipcustoms.cli.common import (
    PipeConsole,
    app,
    out,
)


@app.command()
def catalog(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    sources: bool = typer.Option(False, "--sources", help="Also list every cited source."),
    check: bool = typer.Option(
        False, "--check", help="List incomplete models and systems, and why, with counts."
    ),
) -> None:
    """List the accelerator catalog with derived TPP, performance density and ECCN."""
    from chipcustoms.recognise.catalog import load_catalog

    cat = load_catalog()
    if check:
        from chipcustoms.recognise.catalog_check import check_catalog, format_findings

        out.print(format_findings(cat, check_catalog(cat)), highlight=False, markup=False)
        return
    frame = cat.frame()
    if as_json:
        out.print_json(frame.drop("hs_headings").write_json())
        return
    out.print(f"catalog {cat.version} ({len(cat.models)} models)")
    for vf, path in zip(cat.vendors, cat.files, strict=True):
        out.print(
            f"  {vf.vendor_name} {vf.version} ({path.name}): {len(vf.models)} models, "
            f"sources {', '.join(vf.sources)}",
            highlight=False,
        )
        if sources:
            for key, src in vf.sources.items():
                out.print(
                    f"    {key}: {src.title}" + (f" [{src.ref}]" if src.ref else ""),
                    highlight=False,
                )
    table = Table("model", "segment", "TPP", "PD", "ECCN", "price USD")
    # The model id, the figures and the ECCN are never cut ("undete…" was); in a terminal too
    # narrow for the table the segment and price wrap.
    for col in table.columns:
        col.no_wrap = col.header in ("model", "TPP", "PD", "ECCN")
        col.overflow = "fold"
    for m in cat.models:
        c = m.classification
        price = f"{m.price_usd.low:,.0f}-{m.price_usd.high:,.0f}" if m.price_usd else "n/f"
        table.add_row(
            m.id,
            m.segment,
            f"{c.tpp:,.0f}" if c.tpp else "-",
            f"{c.pd:.2f}" if c.pd else "-",
            c.eccn,
            price,
        )
    # A pipe or a file gets the table at its full width, one line per model (for grep), not
    # the 80 columns rich assumes when there is no terminal.
    if out.is_terminal:
        out.print(table)
        return
    natural = Measurement.get(out, out.options.update_width(1_000), table).maximum
    PipeConsole(width=max(natural, out.width)).print(table)


@app.command()
def policies(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the bundled policy packs and their rules, with versions and sources."""
    from chipcustoms.policy.packs import load_packs

    packs = load_packs()
    if as_json:
        out.print_json(json.dumps([lp.pack.model_dump(mode="json") for lp in packs]))
        return
    for lp in packs:
        p = lp.pack
        out.print(
            f"[bold]{p.id}[/] {p.version} ({p.effective_from} .. "
            f"{p.effective_to or 'open'}) #{lp.digest}: {p.title}"
        )
        out.print(f"  source: {p.source}", highlight=False)
        if p.jurisdiction is not None:
            j = p.jurisdiction
            out.print(
                f"  law: {j.law} ({j.authority}); governs: {j.governs}; items: {j.items}",
                highlight=False,
            )
        for r in p.rules:
            floor = f", floor {r.floor}" if r.floor else ""
            out.print(
                f"  - {r.id}@{r.version} [bold]{r.code}[/] ({r.category}, weight "
                f"{r.weight:.2f}{floor}): {r.title}",
                highlight=False,
            )
            out.print(f"      source: {r.source}", highlight=False, style="dim")
        out.print()


@app.command()
def profiles(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the jurisdiction profiles (`screen --profile`).

    Who screens, which packs apply to which flows, and where each pack's law governs."""
    from chipcustoms.policy.packs import load_packs
    from chipcustoms.policy.profiles import default_name, load_profiles

    packs = load_packs()
    found = load_profiles()
    if as_json:
        out.print_json(json.dumps([p.model_dump(mode="json") for p in found]))
        return
    default = default_name()
    for p in found:
        mark = " (default)" if p.id == default else ""
        out.print(f"[bold]{p.id}[/]{mark}: {p.title}", highlight=False)
        out.print(f"  screened by: {p.screener}; jurisdiction: {p.jurisdiction}", highlight=False)
        for lp in packs:
            if not p.applies(lp.pack):
                continue
            use = p.use_of(lp.pack.id)
            flows = ", ".join(use.flows) if use and use.flows else "wherever its law governs"
            out.print(
                f"  - {lp.pack.id} ({flows}) where {p.condition(lp.pack)}",
                highlight=False,
            )
        out.print()


@app.command()
def reasons(
    as_markdown: bool = typer.Option(False, "--markdown", help="Print the Markdown reference."),
) -> None:
    """List every reason code an assessment can carry, with its source and meaning."""
    from chipcustoms.assess.pipeline import References
    from chipcustoms.assess.reasons import markdown, registry

    refs = References.load()
    if as_markdown:
        sys.stdout.write(markdown(refs))
        return
    for r in registry(refs):
        out.print(f"[bold]{r.code}[/] ({r.source}, {r.category}): {r.meaning}", highlight=False)


@app.command("settings")
def settings_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every setting read from the environment: variable, type, default, value in force, help."""
    from chipcustoms import settings

    rows = settings.rows()
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    def shown(v: object) -> str:
        return "-" if v is None else str(v)

    # Columns as wide as their longest entry, so a long name never shifts the table.
    header = {"name": "name", "env": "variable", "type": "type", "default": "default"}
    table = [header] + [{k: shown(r[k]) for k in header} for r in rows]
    width = {k: max(len(t[k]) for t in table) for k in header}
    for t, r in zip(table, [None, *rows], strict=True):
        cells = "  ".join(f"{t[k]:<{width[k]}}" for k in header)
        value = "value in force" if r is None else f"{shown(r['value'])} ({r['source']})"
        typer.echo(f"{cells}  {value}")
        if r is not None:
            typer.echo(f"{'':<{width['name']}}  {r['help']}")


@app.command()
def mappings() -> None:
    """List the bundled column mappings (use with --mapping NAME)."""
    from chipcustoms.lines.mapping import bundled_mappings, load_mapping

    for name in bundled_mappings():
        m = load_mapping(name)
        out.print(f"[bold]{name}[/]: {m.description} ({m.source})", highlight=False)
