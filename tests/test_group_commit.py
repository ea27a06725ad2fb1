"""Single-line screens committed together (store/group_commit.py): requests that arrive while
the writer is busy share one transaction, every answered line is stored with its assessment,
case and audit entry, the chain stays one chain, and an answer survives kill -9."""

from __future__ import annotations

import itertools
import json
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from chipcustoms.assess.pipeline import References
from chipcustoms.store import Store, open_store
from chipcustoms.store.chain_check import check as verify_chain
from server_fixtures import Served, served
from storecheck import check, cli, env
from test_server import LINE

if TYPE_CHECKING:  # imported for types only: app.state is imported through app.api
    from chipcustoms.app.state import AppState

POSTS = 8


def _line(i: int) -> dict[str, Any]:
    # Alternate a controlled H20 (selected: a case opens) and a plain one.
    return {**LINE, "declaration_id": f"GC{i:03d}", "value": 24000 if i % 2 else 90000}


def _stored_with_everything(store: Store, key: str, run_id: int, channel: str) -> None:
    found = store.line(key)
    assert found is not None, key
    (a,) = [a for a in found["assessments"] if a["run_id"] == run_id]
    assert a["channel"] == channel
    if channel != "green":
        assert found["case"] is not None and found["case"]["run_id"] == run_id, key
    run = next(r for r in store.runs() if r["run_id"] == run_id)
    assert run["status"] == "done" and run["command"].startswith("api screen")


def _counted(st: AppState, monkeypatch: pytest.MonkeyPatch) -> threading.Semaphore:
    """Released once per request handed to the group writer (``commit`` entered)."""
    handed = threading.Semaphore(0)
    commit = st.writer.commit

    def counted(item: Any) -> int:
        handed.release()
        return commit(item)

    monkeypatch.setattr(st.writer, "commit", counted)
    return handed



def _audit_verify_passes(db: str) -> None:
    """The operator's own check, as a separate process: ``audit verify`` exits 0 on the file."""
    verified = subprocess.run(cli("audit", "verify", "--db", db), env=env(),
                              capture_output=True, text=True, timeout=300)
    assert verified.returncode == 0, verified.stderr

def test_concurrent_screens_share_transactions_and_one_chain(
    api: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    st: AppState = api.client.app.state.chipcustoms  # type: ignore[attr-defined]
    answers: dict[int, Any] = {}
    handed = _counted(st, monkeypatch)

    def post(i: int) -> None:
        answers[i] = api.client.post(
            "/v1/screen", json={"lines": [_line(i)]}, headers=api.auth("ana")
        )

    # Hold the writer at its first transaction (one request, taken before the others are sent)
    # while the others queue behind it: which requests arrive together is then not left to
    # timing (all of them at once would make one group).
    with st.writing:
        threads = [threading.Thread(target=post, args=(i,)) for i in range(POSTS)]
        threads[0].start()
        assert handed.acquire(timeout=900)
        deadline = time.monotonic() + 900
        while st.writer.queue.qsize() > 0 and time.monotonic() < deadline:
            time.sleep(0.05)  # the writer took it and waits for the lock
        time.sleep(0.2)
        for th in threads[1:]:
            th.start()
        for _ in threads[1:]:
            assert handed.acquire(timeout=900)
        time.sleep(0.2)  # from commit() into the queue
        assert st.writer.queue.qsize() >= 1
        assert not any(answers.values())  # nothing answered before it is committed
    for th in threads:
        th.join(timeout=600)
    assert sorted(answers) == list(range(POSTS))
    assert {r.status_code for r in answers.values()} == {200}, [r.text for r in answers.values()]
    groups = st.writer.groups
    assert 2 <= groups < POSTS  # the first group, then the others that waited, together
    runs = {r.json()["run_id"] for r in answers.values()}
    assert len(runs) == groups
    store = open_store(api.db)
    for i, r in answers.items():
        (a,) = r.json()["assessments"]
        _stored_with_everything(store, f"GC{i:03d}", r.json()["run_id"], a["channel"])
    by_run = {r["run_id"]: r for r in store.runs() if r["run_id"] in runs}
    counts = [json.loads(r["counts"]) for r in by_run.values()]
    assert sum(c["accepted"] for c in counts) == POSTS
    assert sum(c["requests"] for c in counts) == POSTS
    assert max(c["requests"] for c in counts) > 1  # requests did share a transaction
    actions = [e["action"] for e in store.audit_entries() if e["entity_id"] in map(str, runs)]
    assert actions == ["run.api_screen"] * groups  # one entry (and checkpoint) per group's run
    verdict = verify_chain(store)
    assert verdict.intact, verdict.problem


def test_one_key_twice_at_once_is_stored_once_with_both_assessments(
    api: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    st: AppState = api.client.app.state.chipcustoms  # type: ignore[attr-defined]
    answers: list[Any] = []
    line = _line(1)
    # The three requests are handed to the writer while it waits for the lock. How many stay in
    # its queue depends on timing (the writer may hold the second, a repeat of the first's key,
    # for its next group), so the test counts requests handed over, not the queue's length.
    handed = _counted(st, monkeypatch)

    def post() -> None:
        answers.append(
            api.client.post("/v1/screen", json={"lines": [line]}, headers=api.auth("ana"))
        )

    with st.writing:
        threads = [threading.Thread(target=post) for _ in range(3)]
        for th in threads:
            th.start()
        for _ in threads:
            assert handed.acquire(timeout=900)
        time.sleep(0.2)  # from commit() into the queue
    for th in threads:
        th.join(timeout=600)
    assert [r.status_code for r in answers] == [200] * 3, [r.text for r in answers]
    assert st.writer.groups == 3  # a group never holds one key twice
    found = open_store(api.db).line("GC001")
    assert found is not None and len(found["assessments"]) == 3
    assert verify_chain(open_store(api.db)).intact


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[str], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("the server did not become ready")


def test_every_answered_screen_survives_kill_9(
    tmp_path: Path, fixtures: Path, refs: References
) -> None:
    db = str(tmp_path / "s.db")
    api = served(db, tmp_path, fixtures, refs)  # the cut-offs and the users; not served here
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        cli("serve", "--db", db, "--port", str(port), "--log-level", "warning"),
        env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
    )
    answered: dict[str, tuple[int, str]] = {}
    stop = threading.Event()
    try:
        _wait_ready(url, server)

        def post(worker: int) -> None:
            n = 0
            with httpx.Client(base_url=url, headers=api.auth("ana"), timeout=30) as client:
                while not stop.is_set():
                    key = f"K{worker}-{n}"
                    n += 1
                    try:
                        r = client.post("/v1/screen", json={"lines": [{**_line(n),
                                                                        "declaration_id": key}]})
                    except httpx.HTTPError:
                        return  # the server died under this request: no answer, no promise
                    if r.status_code == 200:
                        answered[key] = (r.json()["run_id"],
                                         r.json()["assessments"][0]["channel"])

        threads = [threading.Thread(target=post, args=(w,)) for w in range(6)]
        for th in threads:
            th.start()
        deadline = time.monotonic() + 120
        while len(answered) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)  # while requests are in flight
        server.wait(timeout=30)
        stop.set()
        for th in threads:
            th.join(timeout=60)
    finally:
        stop.set()
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
    assert len(answered) >= 30
    store = open_store(db)
    for key, (run_id, channel) in answered.items():
        _stored_with_everything(store, key, run_id, channel)
    audited = {e["entity_id"] for e in store.audit_entries() if e["action"] == "run.api_screen"}
    assert {str(run_id) for run_id, _ in answered.values()} <= audited
    state = check(db)
    assert state["integrity"] == "ok" and state["runs_running"] == 0
    _audit_verify_passes(db)


def test_two_server_processes_writing_at_once_leave_one_chain(
    tmp_path: Path, fixtures: Path, refs: References
) -> None:
    """Two ``serve`` processes on one SQLite file (what ``--workers 2`` runs), each with its own
    group writer, posted to at the same time: every answered line is stored with its
    assessment, case and audit entry, the two processes' groups interleave in one chain, and
    the chain and its checkpoints verify (``audit verify``)."""
    db = str(tmp_path / "s.db")
    api = served(db, tmp_path, fixtures, refs)  # the cut-offs and the users; not served here
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            cli("serve", "--db", db, "--port", str(port), "--log-level", "warning"),
            env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
        )
        for port in ports
    ]
    answered: dict[str, tuple[int, int, str]] = {}  # key: (process, run id, channel)
    failures: list[str] = []
    try:
        for port, server in zip(ports, servers, strict=True):
            _wait_ready(f"http://127.0.0.1:{port}", server)

        # Rounds: every poster waits for the others before each post, so both processes hold
        # requests of every round at once, whatever the scheduler does with one of them.
        rounds = threading.Barrier(8)

        def post(worker: int) -> None:
            process = worker % 2
            url = f"http://127.0.0.1:{ports[process]}"
            with httpx.Client(base_url=url, headers=api.auth("ana"), timeout=60) as client:
                for n in range(12):
                    rounds.wait(timeout=300)
                    key = f"P{worker}-{n}"
                    line = {**_line(n), "declaration_id": key}
                    r = client.post("/v1/screen", json={"lines": [line]})
                    if r.status_code != 200:
                        failures.append(r.text)
                        continue
                    answered[key] = (process, r.json()["run_id"],
                                     r.json()["assessments"][0]["channel"])

        threads = [threading.Thread(target=post, args=(w,)) for w in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=600)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=60)
    assert failures == []
    assert len(answered) == 8 * 12
    store = open_store(db)
    for key, (_, run_id, channel) in answered.items():
        _stored_with_everything(store, key, run_id, channel)
    # Each process's runs, in chain order: both wrote, and their groups took turns.
    by_run = {run_id: process for process, run_id, _ in answered.values()}
    order = [by_run[int(e["entity_id"])] for e in store.audit_entries()
             if e["action"] == "run.api_screen"]
    assert sorted(set(order)) == [0, 1]
    assert sum(a != b for a, b in itertools.pairwise(order)) >= 2, order
    entries = list(store.audit_entries())
    assert [e["audit_id"] for e in entries] == list(range(1, len(entries) + 1))
    assert all(e["prev_hash"] == p["hash"] for p, e in itertools.pairwise(entries))
    assert check(db)["integrity"] == "ok"
    verdict = verify_chain(store)
    assert verdict.intact, verdict.problem
    _audit_verify_passes(db)


def test_a_process_that_builds_the_app_and_exits_at_once_exits_cleanly(
    tmp_path: Path, fixtures: Path, refs: References
) -> None:
    """The app loads its online assessor on a thread at start. A process that ends while that
    load is still in Polars or DuckDB must exit 0: a daemon thread cut off there by the
    interpreter's finalisation aborted the process (exit 134) after a clean run."""
    import sys

    db = str(tmp_path / "s.db")
    served(db, tmp_path, fixtures, refs)  # a store with a budget run: there is a load to do
    code = "import sys; from chipcustoms.app.server import create_app; create_app(sys.argv[1])"
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", code, db], env=env(), capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
