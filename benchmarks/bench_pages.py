"""Page load times of the web front over a store of N assessed lines (a benchmark, not a test).

Builds the store once (``chipcustoms generate`` + ``chipcustoms screen --db``, budgets 3 % red,
5 % yellow, 2 % blue), upgrades it, adds a user with a password, records a few inspection
outcomes, then serves it with ``chipcustoms serve`` (uvicorn, one worker) in its own process
and loads each page over HTTP with a logged-in session: p50 / p95 / max over ``--loads`` loads
after two warm-up loads. Also timed: the overview's first refresh after the full run, and its
incremental refresh after one line screened through the API.

    python benchmarks/bench_pages.py --rows 1000000 --loads 20
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from chipcustoms.store import casework, open_store, views
from chipcustoms.store import tables as t
from chipcustoms.store.access import add_user, set_password
from chipcustoms.store.audit import acting_as

OUT = Path(__file__).resolve().parents[1] / "bench-out"
BIN = Path(sys.executable).parent
PASSWORD = "bench-password-1"


def build(rows: int, db: Path) -> None:
    lines = OUT / f"web-lines-{rows}.parquet"
    if not lines.exists():
        subprocess.run(
            [BIN / "chipcustoms", "generate", "--rows", str(rows), "--seed", "1", "-o", str(lines)],
            check=True,
        )
    start = time.perf_counter()
    subprocess.run(
        [
            BIN / "chipcustoms",
            "screen",
            str(lines),
            "-o",
            str(OUT / "web-out.parquet"),
            "--db",
            str(db),
            "--red",
            "0.03",
            "--yellow",
            "0.05",
            "--blue",
            "0.02",
            "-q",
        ],
        check=True,
    )
    print(f"screened {rows:,} lines into {db} in {time.perf_counter() - start:.1f} s")


def prepare(db: Path, rebuild: bool) -> tuple[str, dict[str, str]]:
    """Users, a few outcomes, the overview refreshed; returns an API key and sample values."""
    start = time.perf_counter()
    store = open_store(str(db))  # applies 0005 (indexes, overview tables) to an older store
    print(f"schema upgrade: {time.perf_counter() - start:.1f} s")
    with store.engine.connect() as conn:
        have = conn.execute(sa.select(t.users.c.name).where(t.users.c.name == "bench")).first()
    key = ""
    if have is None:
        key = add_user(store, "bench", "admin")
        set_password(store, "bench", PASSWORD)
        with acting_as("bench"):
            _, cases = casework.list_cases(store, channel="red", limit=20)
            for i, c in enumerate(cases):
                casework.record_outcome(
                    store,
                    c["case_id"],
                    found=i % 3 == 0,
                    real_accelerator_id=None,
                    real_units=None,
                    real_value_usd=None,
                    capture=None,
                    verification=None,
                    notes="bench",
                )
        (OUT / "web-bench.key").write_text(key)
    key = key or (OUT / "web-bench.key").read_text()
    if rebuild:  # forget the watermark: the next refresh recomputes every day
        with store.engine.begin() as conn:
            conn.execute(t.overview_state.delete())
    start = time.perf_counter()
    changed = views.refresh(store)
    print(
        f"overview refresh (full, after the run): {time.perf_counter() - start:.1f} s"
        f"{'' if changed else ' (already fresh)'}"
    )
    _, cases = casework.list_cases(store, channel="red", limit=1)
    with store.engine.connect() as conn:
        d = t.declarations.c
        sample = conn.execute(
            sa.select(d.importer_name, d.declaration_id, d.office, d.date).limit(1)
        ).one()
    return key, {
        "case": f"/line/{cases[0]['declaration_id']}/{cases[0]['item_no']}",
        "importer": str(sample.importer_name).split()[0],
        "decl": str(sample.declaration_id)[:6],
        "office": str(sample.office),
        "month": str(sample.date)[:7],
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_times(db: Path, pages: list[str], loads: int) -> None:
    """Each page served in this process (the app over a test client): CPU milliseconds of the
    whole process per load, p50 / p95. CPU time barely moves with the machine's load, where
    wall time on a shared machine is mostly waiting for a core."""
    from fastapi.testclient import TestClient

    from chipcustoms.app.server import create_app

    with TestClient(create_app(str(db))) as c:
        form = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
        assert form, "no CSRF token in the login form"
        c.post("/login", data={"name": "bench", "password": PASSWORD, "csrf": form.group(1)})
        print(f"\n{'page (in process)':<72} {'CPU p50':>7} {'CPU p95':>7}")
        for page in pages:
            cpu = []
            for i in range(loads + 2):
                start = time.process_time()
                r = c.get(page)
                assert r.status_code == 200, (page, r.status_code)
                if i >= 2:
                    cpu.append((time.process_time() - start) * 1000)
            print(f"{page:<72} {statistics.median(cpu):7.1f} {_p95(cpu):7.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--loads", type=int, default=20)
    ap.add_argument("--db", default=None, help="an existing store (default bench-out/web-N.db)")
    ap.add_argument("--rebuild", action="store_true", help="time a full overview refresh")
    ap.add_argument("--cpu", action="store_true",
                    help="also each page's CPU time, served in this process")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    db = Path(args.db or OUT / f"web-{args.rows}.db")
    if not db.exists():
        build(args.rows, db)
    key, s = prepare(db, args.rebuild)
    port = free_port()
    env = {**os.environ, "CHIPCUSTOMS_SECRET": "bench"}
    server = subprocess.Popen(
        [BIN / "chipcustoms", "serve", "--db", str(db), "--port", str(port)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as c:
            for _ in range(300):
                try:
                    if c.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            form = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
            assert form, "no CSRF token in the login form"
            r = c.post("/login", data={"name": "bench", "password": PASSWORD,
                                       "csrf": form.group(1)})
            assert r.status_code == 303 and "chipcustoms_session" in c.cookies, r.status_code
            pages = [
                "/queue",
                "/queue?channel=red",
                "/queue?accelerator=nvidia-h20&sort=age",
                s["case"],
                "/overview",
                "/overview?measure=units",
                f"/overview?date_from={s['month']}-01&date_to={s['month']}-28&office={s['office']}",
                f"/search?q={s['decl']}",
                f"/search?q={s['importer'].lower()}",
                "/search?q=H20",
                "/reference",
            ]
            # Beside the client's time, the server's own (its Server-Timing header): on a
            # shared machine the two differ by how long the processes waited for a core.
            print(f"\n{'page':<72} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
                  f"{'app p50':>7} {'app p95':>7}")
            for page in pages:
                times, app = [], []
                for i in range(args.loads + 2):
                    start = time.perf_counter()
                    r = c.get(page)
                    elapsed = (time.perf_counter() - start) * 1000
                    assert r.status_code == 200, (page, r.status_code, r.text[:300])
                    timing = re.search(r"app;dur=([0-9.]+)", r.headers.get("server-timing", ""))
                    assert timing, (page, "no Server-Timing header")
                    if i >= 2:
                        times.append(elapsed)
                        app.append(float(timing.group(1)))
                print(f"{page:<72} {statistics.median(times):7.1f} {_p95(times):7.1f} "
                      f"{max(times):7.1f} {statistics.median(app):7.1f} {_p95(app):7.1f}")
            line = {
                "declaration_id": "BENCH-API-1",
                "date": f"{s['month']}-15",
                "flow": "import",
                "office": s["office"],
                "description": "NVIDIA H20 96GB",
                "quantity": 2,
                "value": 5000,
                "currency": "USD",
            }
            r = c.post(
                "/v1/screen", json={"lines": [line]}, headers={"Authorization": f"Bearer {key}"}
            )
            assert r.status_code == 200, r.text
            start = time.perf_counter()
            r = c.get("/overview")
            page_ms = (time.perf_counter() - start) * 1000
            auth = {"Authorization": f"Bearer {key}"}
            while c.get("/v1/overview", headers=auth).json()["updating"]:
                time.sleep(0.05)
            print(
                f"\nafter one line screened through the API: /overview answered in "
                f"{page_ms:.0f} ms (from the cells, refresh started); cells current after "
                f"{time.perf_counter() - start:.2f} s (one day, and its month of routes)"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.cpu:
        cpu_times(db, pages, args.loads)
    print(f"load average (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
