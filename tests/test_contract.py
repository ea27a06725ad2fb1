"""The OpenAPI document says what the server does: schemathesis (its CLI, as an integrator runs
it) over every operation with all its default checks and phases, stateful included, against a
real server on loopback over a seeded store, on SQLite and on PostgreSQL. Any finding fails.

The seed and the number of examples are fixed so that a run is repeatable and bounded (about a
minute per store); ``.schemathesis/`` goes to the test's temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from chipcustoms.assess.pipeline import References
from server_fixtures import served
from stores import BACKENDS, target

SEED = 19
EXAMPLES = 10  # per operation and phase


@pytest.fixture(params=BACKENDS)
def live(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fixtures: Path,
    refs: References,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[str, str]]:
    """A uvicorn server on a free loopback port; (base URL, an admin's key). The key is not
    rate-limited: the fuzzer sends faster than the default rate, and 429 has its own test
    (tests/test_server_runtime.py)."""
    monkeypatch.setenv("CHIPCUSTOMS_API_RATE_PER_SECOND", "0")
    s = served(target(request.param, tmp_path), tmp_path, fixtures, refs)
    server = uvicorn.Server(uvicorn.Config(s.client.app, host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", s.keys["adam"]
    finally:
        server.should_exit = True
        thread.join(timeout=60)


# The two operations whose accepted requests do real work (an assessment stored; a job screened
# in the worker process) keep every phase and check, with their positive cases bounded: the
# coverage phase sends them only its negative cases (it would otherwise send one accepted
# request per value of each enum: ~250 countries x 3 fields and ~180 currencies, ~1,000
# assessments), and fuzzing sends a few job uploads. Examples, fuzzing and the stateful phase
# still send them schema-valid requests. The unbounded run (the command) is a manual
# one: see docs/benchmarks.md, issue 19.
CONFIG = """
[[operations]]
include-path = "/v1/screen"
include-method = "POST"
phases.coverage.generation.mode = "negative"

[[operations]]
include-path = "/v1/jobs"
include-method = "POST"
phases.coverage.generation.mode = "negative"
generation.max-examples = 3
"""


def test_schemathesis_finds_nothing(live: tuple[str, str], tmp_path: Path) -> None:
    url, key = live
    exe = Path(sys.executable).parent / "schemathesis"
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    run = subprocess.run(
        [str(exe), "--config-file", str(config), "run", f"{url}/openapi.json",
         "-H", f"Authorization: Bearer {key}",
         "--seed", str(SEED), "--max-examples", str(EXAMPLES), "--generation-deterministic",
         "--workers", "1"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
        env={**os.environ, "NO_COLOR": "1"},
    )
    out = run.stdout + run.stderr
    (tmp_path / "schemathesis.out").write_text(out)  # the whole report, kept with the test's files
    assert run.returncode == 0, out[-8000:]
    assert "Stateful" in out and "Coverage" in out and "Fuzzing" in out, out[-3000:]
