"""The party page: an importer's trader network drawn as server-side SVG (no script), its
community's score and facts, the path to the nearest listed or seized member, and its lines.

The network is built over the store's lines (:mod:`chipcustoms.patterns`) and kept on the app
until the store's newest run changes; a user scoped to an office sees the network of that
office's lines only.
"""

from __future__ import annotations

import threading
from html import escape
from typing import Any

import polars as pl
import rustworkx as rx
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from chipcustoms.app.state import state
from chipcustoms.app.web.charts import PALETTE
from chipcustoms.app.web.render import page
from chipcustoms.app.web.session import PageError, Session, page_session
from chipcustoms.patterns import network
from chipcustoms.patterns.network import PARTY, Network
from chipcustoms.store import tables as t

router = APIRouter(include_in_schema=False)
_LOCK = threading.Lock()
W, H = 720, 460
KIND_COLOURS = {
    "name": PALETTE[3],
    "address": PALETTE[1],
    "declarant": PALETTE[4],
    "consignee": PALETTE[5],
    "exporter": PALETTE[2],
}


def _network(request: Request, office: str | None) -> Network:
    st = state(request)
    runs = st.store.runs()
    key = (runs[-1]["run_id"] if runs else None, office)
    cache: dict[Any, Network] = getattr(request.app.state, "party_networks", {})
    with _LOCK:
        if key not in cache:
            from chipcustoms.patterns.sources import store_lines

            lines = store_lines(st.store, st.refs)
            if office is not None and lines.height:
                lines = lines.filter(pl.col("office") == office)
            entities = st.store.watchlist_entities()
            listed = network.listed_keys(entities) if entities.height else None
            cache = {key: network.build(lines, listed)}  # one network kept: the newest
            request.app.state.party_networks = cache
    return cache[key]


def draw(net: Network, community: int, focus: str) -> str:
    """The community as an SVG: parties as circles (red: listed, orange: seized, blue: other;
    the page's party ringed), shared attributes as small squares coloured by kind."""
    members = network.community_members(net, community)
    links = network.community_links(net, community)
    nodes = members[PARTY].to_list() + sorted(
        {f"{k}\x1f{v}" for k, v in links.select("kind", "value").iter_rows()}
    )
    g = rx.PyGraph()
    idx = {n: g.add_node(n) for n in nodes}
    g.add_edges_from_no_data(
        [
            (idx[p], idx[f"{k}\x1f{v}"])
            for p, k, v in links.select(PARTY, "kind", "value").iter_rows()
        ]
    )
    pos = rx.spring_layout(g, seed=1, num_iter=200)
    xs = [pos[i][0] for i in range(len(nodes))]
    ys = [pos[i][1] for i in range(len(nodes))]

    def at(i: int) -> tuple[float, float]:
        sx = (xs[i] - min(xs)) / ((max(xs) - min(xs)) or 1)
        sy = (ys[i] - min(ys)) / ((max(ys) - min(ys)) or 1)
        return 40 + sx * (W - 300), 30 + sy * (H - 80)  # room for labels on the right

    info = {r[PARTY]: r for r in members.iter_rows(named=True)}
    shown = dict(
        zip(
            [f"{k}\x1f{v}" for k, v in links.select("kind", "value").iter_rows()],
            links["shown"].to_list(),
            strict=True,
        )
    )
    body = []
    for a, b in g.edge_list():
        (x1, y1), (x2, y2) = at(a), at(b)
        body.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            'stroke="#999" stroke-width="1.5"/>'
        )
    for n, i in idx.items():
        x, y = at(i)
        if n in info:
            r = info[n]
            fill = "#C0392B" if r["listed"] else "#E69F00" if r["seized"] else "#0072B2"
            ring = ' stroke="#000" stroke-width="3"' if n == focus else ""
            body.append(
                f'<circle class="party" cx="{x:.1f}" cy="{y:.1f}" r="11" '
                f'fill="{fill}"{ring}><title>{escape(n)}</title></circle>'
                f'<text x="{x + 14:.1f}" y="{y + 4:.1f}">'
                f"{escape(str(r['party_name'])[:28])}</text>"
            )
        else:
            kind, value = n.split("\x1f", 1)
            text = escape(str(shown.get(n, value))[:30])
            body.append(
                f'<rect class="link" x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" '
                f'height="12" fill="{KIND_COLOURS.get(kind, "#777")}"><title>{kind}: '
                f'{text}</title></rect><text x="{x + 9:.1f}" y="{y + 16:.1f}" '
                f'class="lg">{kind}: {text}</text>'
            )
    legend = "".join(
        f'<rect x="{20 + i * 86}" y="{H - 16}" width="10" height="10" fill="{c}"/>'
        f'<text x="{34 + i * 86}" y="{H - 7}" class="lg">{k}</text>'
        for i, (k, c) in enumerate(
            [
                ("listed", "#C0392B"),
                ("seized", "#E69F00"),
                ("importer", "#0072B2"),
                *KIND_COLOURS.items(),
            ]
        )
    )
    return (
        f'<svg role="img" aria-label="Trader network" viewBox="0 0 {W} {H}" class="chart" '
        f'id="party-network" xmlns="http://www.w3.org/2000/svg"><title>Trader network of '
        f"{escape(focus)}</title>{''.join(body)}{legend}</svg>"
    )


def _elsewhere(request: Request, party_id: str, office: str) -> bool:
    """Whether the importer has stored lines in an office other than ``office`` (one indexed
    lookup on the declarations' importer id)."""
    d = t.declarations.c
    q = sa.select(d.office).where(d.importer_id == party_id, d.office != office).limit(1)
    with state(request).store.engine.connect() as conn:
        return conn.execute(q).first() is not None


@router.get("/party/{party_id}", response_class=HTMLResponse)
def party(
    request: Request, party_id: str, session: Session = Depends(page_session)
) -> HTMLResponse:
    net = _network(request, session.user.office)
    key = party_id if net.parties.filter(pl.col(PARTY) == party_id).height else None
    if key is None:
        office = session.user.office
        if office is not None and _elsewhere(request, party_id, office):
            # As for a line of another office: the caller is told it is not theirs to see.
            raise PageError(403, f"Importer {party_id} trades outside office {office}.")
        raise PageError(404, f"No importer {party_id} in the stored lines.")
    row = net.parties.filter(pl.col(PARTY) == key).row(0, named=True)
    comm = row["community"]
    ctx: dict[str, Any] = {
        "p": row,
        "community": None,
        "drawing": None,
        "path": None,
        "members": [],
        "links": [],
    }
    if comm is not None:
        ctx["community"] = net.communities.filter(pl.col("community") == comm).row(0, named=True)
        ctx["drawing"] = draw(net, comm, key)
        paths = network.paths(net).filter(pl.col(PARTY) == key)
        ctx["path"] = paths["message"][0] if paths.height else None
        ctx["members"] = network.community_members(net, comm).to_dicts()
        ctx["links"] = network.community_links(net, comm).to_dicts()
    return page(request, "party.html", session, **ctx)
