"""Opening the input: the plan, and a read that starts before the heavy imports.

``run/opening.py`` plans the partitions and starts reading a one-partition input; the CLI calls
it before it imports the orchestrator, so those imports run beside the read. These tests pin
what is read ahead and what is not, that the read really starts first, and that a start-up
error after the read started is reported as before, with no reading thread left behind.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chipcustoms.cli.screen_commands import ScreenRequest, run_screen
from chipcustoms.errors import ChipCustomsError
from chipcustoms.lines.partitions import plan
from chipcustoms.run.opening import open_input


def test_a_one_partition_file_is_read_ahead(fixtures: Path, tmp_path: Path) -> None:
    src = fixtures / "lines.csv"
    opened = open_input(str(src), str(tmp_path / "o.csv"), in_process=True)
    assert not opened.spill and not opened.to_folder and opened.ahead is not None
    frame, lossy = opened.ahead.take()
    assert frame.height == sum(1 for _ in src.open(encoding="utf-8")) - 1
    assert not lossy
    with pytest.raises(RuntimeError, match="already taken"):
        opened.ahead.take()


@pytest.mark.parametrize(
    ("source", "output", "in_process", "batch_rows"),
    [
        ("-", "o.csv", True, None),  # stdin: a pipe may never end
        ("lines.csv", "o.csv", False, None),  # another process's engine reads its own parts
        ("lines.csv", "folder", True, None),  # one Parquet part per batch
        ("lines.csv", "o.csv", True, 2),  # batches of two lines stream
    ],
)
def test_nothing_is_read_ahead_where_the_run_reads_later(
    fixtures: Path,
    tmp_path: Path,
    source: str,
    output: str,
    in_process: bool,
    batch_rows: int | None,
) -> None:
    path = source if source == "-" else str(fixtures / source)
    opened = open_input(path, str(tmp_path / output), in_process=in_process, batch_rows=batch_rows)
    assert opened.ahead is None
    assert opened.spill == (source != "-")


def test_the_plan_is_the_partitions_of_the_input(fixtures: Path, tmp_path: Path) -> None:
    src = str(fixtures / "lines.csv")
    opened = open_input(src, str(tmp_path / "o.csv"), in_process=True, batch_rows=2)
    assert opened.parts == plan(src, 2)
    opened.abandon()  # nothing under way: a no-op


def test_the_cli_starts_the_read_before_importing_the_orchestrator(
    fixtures: Path, tmp_path: Path
) -> None:
    probe = (
        "import sys\n"
        "import chipcustoms.run.opening as o\n"
        "start = o.ReadAhead.__init__\n"
        "def spy(self, *a):\n"
        "    print('orchestrator imported at the read:', 'chipcustoms.run.orchestrator' in "
        "sys.modules)\n"
        "    start(self, *a)\n"
        "o.ReadAhead.__init__ = spy\n"
        "from chipcustoms.cli.main import app\n"
        f"app(['screen', {str(fixtures / 'lines.csv')!r}, '-o', {str(tmp_path / 'o.csv')!r}, "
        "'-q'], standalone_mode=False)\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert res.returncode == 0, res.stderr
    assert "orchestrator imported at the read: False" in res.stdout
    assert (tmp_path / "o.csv").stat().st_size > 0


def test_a_startup_error_after_the_read_started_leaves_no_reader(
    fixtures: Path, tmp_path: Path
) -> None:
    request = ScreenRequest(
        str(fixtures / "lines.csv"), output=str(tmp_path / "o.csv"), profile="nope", quiet=True
    )
    with pytest.raises(ChipCustomsError, match="nope"):
        run_screen(request)
    # The read was waited for: its thread has only its exit left (no file still being read).
    for reader in [t for t in threading.enumerate() if t.name.startswith("read-ahead")]:
        reader.join(timeout=5)
        assert not reader.is_alive()
    assert not (tmp_path / "o.csv").exists()
