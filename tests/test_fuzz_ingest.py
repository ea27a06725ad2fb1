"""The ingest fuzzer, fast subset: generated CSV / JSONL / Parquet files through the table
reader and ``ingest``. Every input is either screened, with ``read = accepted + quarantined``
and no row lost, or (only where that is a right answer) refused with a message naming the
file; never a traceback. ``benchmarks/fuzz_ingest.py`` runs the long campaign."""

from __future__ import annotations

import random
from pathlib import Path

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
