"""The server's single-line screen (app/online_screen.py): the dicts the answer is built from
are the rows of the frame the writer stores, and the output dtypes are learnt at load."""

from __future__ import annotations

from pathlib import Path

from chipcustoms.app.api.screen_routes import SHOWN
from chipcustoms.app.online_screen import OnlineScreen
from chipcustoms.assess.pipeline import References
from chipcustoms.assess.selection import Budgets
from chipcustoms.lines.ingest import read_and_ingest
from chipcustoms.lines.mapping import load_mapping
from chipcustoms.run.orchestrator import screen_file
from chipcustoms.store import open_store


def test_the_answer_rows_are_the_stored_frame(
    tmp_path: Path, fixtures: Path, refs: References
) -> None:
    db = str(tmp_path / "s.db")
    screen_file(str(fixtures / "lines.csv"), str(tmp_path / "o.csv"), db=db,
                budgets=Budgets(red=0.3, yellow=0.3), refs=refs)
    store = open_store(db)
    found = store.latest_thresholds(refs.rules.profile.id)
    assert found is not None
    screen = OnlineScreen(store, refs)
    screen.assessor(*found)
    assert screen._schema is not None  # learnt from a line of the run, before any request
    lines = read_and_ingest(fixtures / "lines.csv", load_mapping(None)).accepted
    frame, report, rows = screen.assess(lines, *found)
    assert [{c: r[c] for c in SHOWN} for r in rows] == frame.select(SHOWN).to_dicts()
    assert sum(report.counts.values()) == frame.height == lines.height
    assert {r["reasons"][0]["code"] for r in rows if r["reasons"]}  # reasons as dicts


def test_the_office_of_one_stored_key_is_read_as_of_several(
    tmp_path: Path, fixtures: Path, refs: References
) -> None:
    from chipcustoms.store.access import stored_offices

    db = str(tmp_path / "s.db")
    screen_file(str(fixtures / "lines.csv"), str(tmp_path / "o.csv"), db=db, refs=refs)
    store = open_store(db)
    lines = read_and_ingest(fixtures / "lines.csv", load_mapping(None)).accepted
    keys = [(str(d), int(i)) for d, i in lines.select("declaration_id", "item_no").rows()]
    several = stored_offices(store, [*keys, ("NOT-STORED", 1)])
    assert len(several) == len(keys)
    for key in [*keys, ("NOT-STORED", 1)]:
        assert stored_offices(store, [key]) == ({key: several[key]} if key in several else {})
