"""Charts as server-side SVG, drawn from the store's aggregates: nothing to download, nothing
to run in the browser. Each chart is an ``<svg role="img">`` with a title, and the page shows
the same numbers in a table beside it (screen readers, copy and paste).

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
CHANNEL_COLOURS = {"red": "#C0392B", "yellow": "#B7950B", "blue": "#2471A3", "green": "#1E8449"}
W, H, LEFT, BOTTOM, TOP = 720, 260, 70, 40, 20


def short(x: float) -> str:
    """1234567 -> 1.2M: axis labels that fit."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.1f}{suffix}"
    return f"{x:.0f}" if x == int(x) else f"{x:.2f}"


def _frame(title: str, body: list[str], legend: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<rect x="{LEFT + i * 150}" y="{H - 14}" width="10" height="10" fill="{c}"/>'
        f'<text x="{LEFT + i * 150 + 14}" y="{H - 5}" class="lg">{escape(n[:20])}</text>'
        for i, (n, c) in enumerate(legend)
    )
    return (
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {W} {H}" class="chart" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(body)
        + items
        + "</svg>"
    )


def _axis(top: float) -> list[str]:
    out = []
    plot_h = H - BOTTOM - TOP
    for i in range(5):
        v = top * i / 4
        y = H - BOTTOM - plot_h * i / 4
        out.append(f'<line x1="{LEFT}" x2="{W - 10}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="ax" text-anchor="end">{short(v)}</text>'
        )
    return out


def grouped_bars(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]
) -> str:
    """One group of bars per label (e.g. month), one bar per series (e.g. declared, flagged)."""
    top = max([v for _, vals in series for v in vals] + [1e-9])
    plot_w, plot_h = W - LEFT - 10, H - BOTTOM - TOP
    group = plot_w / max(len(labels), 1)
    bar = group * 0.8 / max(len(series), 1)
    body = _axis(top)
    for i, label in enumerate(labels):
        x0 = LEFT + i * group + group * 0.1
        for j, (name, vals) in enumerate(series):
            h = plot_h * vals[i] / top
            body.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{H - BOTTOM - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}">'
                f"<title>{escape(label)} {escape(name)}: {short(vals[i])}</title></rect>"
            )
        fits = max(int(group / 6.5), 3)  # characters of 11 px text under one group
        shown = label if len(label) <= fits else label[: fits - 1] + "…"
        body.append(
            f'<text x="{x0 + group * 0.4:.1f}" y="{H - BOTTOM + 14}" class="ax" '
            f'text-anchor="middle">{escape(shown)}</text>'
        )
    return _frame(title, body, [(n, PALETTE[j]) for j, (n, _) in enumerate(series)])


def stacked_shares(
    title: str, rows: Sequence[tuple[str, dict[str, float]]], order: Sequence[str]
) -> str:
    """One horizontal bar per row (e.g. office), split into shares (e.g. channels)."""
    n = max(len(rows), 1)
    height = TOP + n * 26 + BOTTOM
    body = []
    for i, (label, parts) in enumerate(rows):
        total = sum(parts.values()) or 1
        x = float(LEFT)
        y = TOP + i * 26
        body.append(
            f'<text x="{LEFT - 6}" y="{y + 15}" class="ax" text-anchor="end">{escape(label)}</text>'
        )
        for key in order:
            share = parts.get(key, 0) / total
            w = (W - LEFT - 10) * share
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="20" '
                f'fill="{CHANNEL_COLOURS.get(key, "#777")}"><title>{escape(label)} {key}: '
                f"{share:.1%}</title></rect>"
            )
            x += w
    legend = [(k, CHANNEL_COLOURS.get(k, "#777")) for k in order]
    svg = _frame(title, body, legend)
    return (
        svg.replace(f'viewBox="0 0 {W} {H}"', f'viewBox="0 0 {W} {height}"')
        .replace(f'y="{H - 14}"', f'y="{height - 14}"')
        .replace(f'y="{H - 5}"', f'y="{height - 5}"')
    )


def lines(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> str:
    """One line per series over the labels (e.g. hit rate per month); gaps where None."""
    top = max([v for _, vals in series for v in vals if v is not None] + [1e-9])
    plot_w, plot_h = W - LEFT - 10, H - BOTTOM - TOP
    step = plot_w / max(len(labels) - 1, 1)
    body = _axis(top)
    for i, label in enumerate(labels):
        shown = label[2:] if len(labels) > 8 else label  # 2025-11 -> 25-11 when crowded
        body.append(
            f'<text x="{LEFT + i * step:.1f}" y="{H - BOTTOM + 14}" class="ax" '
            f'text-anchor="middle">{escape(shown)}</text>'
        )
    for j, (name, vals) in enumerate(series[: len(PALETTE)]):
        colour = PALETTE[j]
        pts = [
            (LEFT + i * step, H - BOTTOM - plot_h * v / top, v)
            for i, v in enumerate(vals)
            if v is not None
        ]
        if len(pts) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in pts)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        body += [
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
            f"<title>{escape(name)}: {short(v)}</title></circle>"
            for x, y, v in pts
        ]
    return _frame(title, body, [(n, PALETTE[j]) for j, (n, _) in enumerate(series[:8])])
