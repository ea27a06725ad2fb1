"""The rows digest of the audit checkpoints, updated by the server's groups of screens with the
cases they touch alone (store/checkpoints.py, store/group_commit.py): it always equals the
digest summed over every row, and it never hides an edit made beside it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from chipcustoms.app.online_screen import OnlineScreen
from chipcustoms.assess.pipeline import References
from chipcustoms.assess.selection import Budgets
from chipcustoms.lines.ingest import read_and_ingest
from chipcustoms.lines.mapping import load_mapping
from chipcustoms.parties.party_scorer import hits_from_reasons
from chipcustoms.run.orchestrator import screen_file
from chipcustoms.store import Store, checkpoints, open_store
from chipcustoms.store.chain_check import check
from chipcustoms.store.group_commit import Screened, write_group
from stores import BACKENDS, target


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path, fixtures: Path, refs: References) -> str:
    """A store with the fixture lines screened in budget mode (half of them cases)."""
    url = target(request.param, tmp_path)
    screen_file(str(fixtures / "lines.csv"), str(tmp_path / "o.csv"), db=url,
                budgets=Budgets(red=0.3, yellow=0.3), refs=refs)
    return url


def _screened(store: Store, refs: References, lines: pl.DataFrame) -> Screened:
    """``lines`` assessed as the server does, ready for the writer."""
    found = store.latest_thresholds(refs.rules.profile.id)
    assert found is not None
    run_id, thresholds = found
    assessments, _, _ = OnlineScreen(store, refs).assess(lines, run_id, thresholds)
    return Screened(actor="ana", source_run=run_id, thresholds=thresholds,
                    versions=refs.versions(), lines=lines, assessments=assessments,
                    hits=hits_from_reasons(assessments))


def _write(store: Store, items: list[Screened]) -> None:
    with store.engine.connect() as conn:
        write_group(store, conn, items)


def _signed(store: Store) -> str:
    with store.engine.connect() as conn:
        cp = checkpoints.latest(checkpoints.SaDb(conn))
        assert cp is not None
        return str(cp["rows_digest"])


def _full(store: Store) -> str:
    with store.engine.connect() as conn:
        return checkpoints.rows_digest(checkpoints.SaDb(conn), store.audit_key)


def _lines(fixtures: Path, prefix: str | None) -> pl.DataFrame:
    """The fixture lines, under new declaration ids (``prefix``) or their own (stored ones,
    whose open cases a screen moves)."""
    lines = read_and_ingest(fixtures / "lines.csv", load_mapping(None)).accepted
    if prefix is None:
        return lines
    return lines.with_columns(pl.concat_str(pl.lit(prefix), "declaration_id")
                              .alias("declaration_id"))


def test_groups_update_the_digest_to_what_a_full_sum_gives(
    db: str, fixtures: Path, refs: References
) -> None:
    store = open_store(db)
    # New lines (cases opened), then stored lines again (open cases moved to the new run),
    # two requests of two users in one group (two runs, two checkpoints, one transaction).
    new, again = _lines(fixtures, "N-"), _lines(fixtures, None)
    _write(store, [_screened(store, refs, new.head(4))])
    other = _screened(store, refs, new.slice(4))
    other.actor = "ines"
    _write(store, [_screened(store, refs, again), other])
    signed = _signed(store)
    assert signed.startswith(checkpoints.SUM)
    assert signed == _full(store)
    verdict = check(store)
    assert verdict.intact, verdict.problem


def test_an_edit_beside_a_group_is_still_found(db: str, fixtures: Path, refs: References) -> None:
    store = open_store(db)
    _write(store, [_screened(store, refs, _lines(fixtures, "A-").head(5))])
    # Someone with write access edits a case the next group does not touch ...
    edit = "UPDATE cases SET channel = 'green' WHERE declaration_id NOT LIKE 'B-%'"
    if "://" not in db:
        con = sqlite3.connect(db)
        con.execute(edit)
        con.commit()
        con.close()
    else:
        with store.engine.begin() as conn:
            conn.execute(sa.text(edit))
    # ... and the group's checkpoint, updated with its own cases only, does not absorb it.
    _write(store, [_screened(store, refs, _lines(fixtures, "B-").head(5))])
    verdict = check(store)
    assert not verdict.intact
    assert "users differ" in str(verdict.problem)
