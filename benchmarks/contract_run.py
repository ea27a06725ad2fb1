"""The issue's contract run, unbounded: ``schemathesis run URL/openapi.json -H "Authorization:
Bearer KEY"`` with its default checks and phases (stateful included), as an integrator runs it,
against ``chipcustoms serve`` over a prepared store (SQLite by default, or ``--db URL``).

The store is the server benchmark's (5,000 generated lines screened in budget mode, so the
cut-offs exist) plus an admin key, so that every operation is reachable; the server's rate
limit is off (the fuzzer sends faster than a client may). Whatever follows ``--`` goes to
schemathesis unchanged (e.g. ``-- --seed 19``). The whole report is kept in ``--out``; the
last lines (failures, counts) are printed.

    PYTHONPATH=src python benchmarks/contract_run.py [--db postgresql://...] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", help="PostgreSQL URL (an empty database); default a new SQLite file")
    ap.add_argument("--port", type=int, default=8799)
    ap.add_argument("--out", help="folder for the store, logs and report (default: temporary)")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds for schemathesis")
    ap.add_argument("extra", nargs="*", help="after --: more schemathesis arguments")
    args = ap.parse_args()

    import httpx

    from bench_server import _prepare
    from chipcustoms.store import open_store
    from chipcustoms.store.access import add_user

    folder = Path(args.out or tempfile.mkdtemp(prefix="contract-run-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = args.db or str(folder / "contract.db")
    _prepare(folder, db)
    key = add_user(open_store(db), "contract-admin", "admin")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "CHIPCUSTOMS_API_RATE_PER_SECOND": "0", "NO_COLOR": "1"}
    with (folder / "serve.log").open("w") as log:
        server = subprocess.Popen(
            [str(bin_dir / "chipcustoms"), "serve", "--db", db, "--port", str(args.port),
             "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        url = f"http://127.0.0.1:{args.port}"
        try:
            for _ in range(240):
                try:
                    if httpx.get(f"{url}/readyz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            st = shutil.which("schemathesis") or str(bin_dir / "schemathesis")
            command = [st, "run", f"{url}/openapi.json", "-H", f"Authorization: Bearer {key}",
                       *args.extra]
            started = time.monotonic()
            load = os.getloadavg()
            run = subprocess.run(command, capture_output=True, text=True, cwd=folder, env=env,
                                 timeout=args.timeout)
            report = run.stdout + run.stderr
            (folder / "schemathesis.txt").write_text(report)
            print("\n".join(report.splitlines()[-40:]))
            print(f"exit {run.returncode}, {time.monotonic() - started:.0f} s, load at start "
                  f"{load[0]:.2f}, report {folder / 'schemathesis.txt'}")
        finally:
            # A stopping server finishes its queued jobs first (every upload the fuzzer got
            # accepted); they are of no interest here: past 30 s, the server and its worker go.
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


if __name__ == "__main__":
    main()
