"""The ingest fuzzer, fast subset: generated CSV / JSONL / Parquet files through the table
reader and ``ingest``. Every input is either screened, with ``read = accepted + quarantined``
and no row lost, or (only where that is a right answer) refused with a message naming the
file; never a traceback. ``benchmarks/fuzz_ingest.py`` runs the long campaign."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_inputs import check_in_process, make_input


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rng=st.randoms(use_true_random=False))
def test_every_generated_input_is_screened_or_refused(rng: random.Random, tmp_path: Path) -> None:
    inp = make_input(rng)
    path = tmp_path / f"input{inp.suffix}"
    path.write_bytes(inp.data)
    assert check_in_process(inp, str(path)) is None


# Seeds of inputs that once killed the process from native code (the campaign's log names them).
# 2018485: a damaged size statistic in a Parquet footer made pyarrow's column-chunk accessor
# throw a C++ exception that aborted the interpreter.
ABORTED_ONCE = [2018485]
# Invalid UTF-8 in a Parquet text column: pyarrow does not check it, polars panicked reading it.
PANICKED_ONCE = [2021229, 2028669, 2038929]


def test_inputs_that_once_aborted_the_process_are_screened_or_refused(tmp_path: Path) -> None:
    """Run in a child interpreter: a regression would abort it, not the test session."""
    code = (
        "import random, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from fuzz_inputs import check_in_process, make_input\n"
        f"for seed in {ABORTED_ONCE!r}:\n"
        "    inp = make_input(random.Random(seed))\n"
        f"    path = {str(tmp_path)!r} + f'/input{{seed}}{{inp.suffix}}'\n"
        "    open(path, 'wb').write(inp.data)\n"
        "    why = check_in_process(inp, path)\n"
        "    assert why is None, (seed, why)\n"
        "print('survived')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "survived" in proc.stdout


@pytest.mark.parametrize("seed", PANICKED_ONCE)
def test_inputs_that_once_panicked_are_screened_or_refused(seed: int, tmp_path: Path) -> None:
    inp = make_input(random.Random(seed))
    path = tmp_path / f"input{inp.suffix}"
    path.write_bytes(inp.data)
    assert check_in_process(inp, str(path)) is None


def test_a_refused_file_exits_2_every_time(tmp_path: Path) -> None:
    """Fuzz seed 3000890 (a CSV with a duplicate column name) once exited 134 after its right
    message, in one run of three: the interpreter's teardown under a native thread pool."""
    inp = make_input(random.Random(3000890))
    path = tmp_path / f"input{inp.suffix}"
    path.write_bytes(inp.data)
    exe = Path(sys.executable).parent / "chipcustoms"
    for _ in range(5):
        proc = subprocess.run(
            [str(exe), "screen", str(path), "-o", str(tmp_path / "o.csv"), "-q"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 2, proc.stderr[-500:]
        assert "duplicate column name" in proc.stderr
