"""Inspection captures: every format parses, the hardware id beats the printed name, and the
result is compared with the declared model and count (and recorded on the case)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipcustoms.assess.pipeline import References
from chipcustoms.cli.main import app
from chipcustoms.recognise.captures import identify, parse_capture
from chipcustoms.recognise.workflows import verify_and_record, verify_text

OWN = [  # file, format, accelerator ids, count
    ("lspci-vmmnn_H100x2.txt", "lspci -vmmnn", ["nvidia-h100-sxm"], 2),
    ("lspci-nn_relabelled.txt", "lspci -nn", ["nvidia-h100-sxm"], 1),
    ("nvidia-smi-q_relabelled.txt", "nvidia-smi -q", ["nvidia-h100-sxm"], 1),
    ("nvidia-smi-q-x_H20.xml", "nvidia-smi -q -x", ["nvidia-h20"], 2),
    ("nvidia-smi-query-gpu_L20.csv", "nvidia-smi --query-gpu", ["nvidia-l20"], 4),
    ("nvidia-smi-L_RTX4090D.txt", "nvidia-smi -L / nvlink", ["nvidia-rtx-4090d"], 1),
    ("pci-ids_MI308X.txt", "pci ids", ["amd-mi308x"], 4),
]
REAL = [  # ../shared/data/captures: file, accelerator ids, count
    ("lspci-nn_A100-SXM4.txt", ["nvidia-a100"], 8),  # the 6 NVSwitch bridges are not GPUs
    ("lspci-nn_H200-SXM.txt", ["nvidia-h200"], 8),
    ("nvidia-smi-q_H100-SXM.txt", ["nvidia-h100-sxm"], 8),  # trimmed: "Attached GPUs : 8"
    ("nvidia-smi-q_H200-SXM.txt", ["nvidia-h200"], 1),
    ("nvidia-smi-q_H800-SXM.txt", ["nvidia-h800-sxm"], 8),
    ("nvidia-smi-q_L40S.txt", ["nvidia-l40s"], 1),
    ("nvidia-smi-q_RTX4090.txt", ["nvidia-rtx-4090"], 8),
    ("nvidia-smi-q-grep_H200.txt", ["nvidia-h200"], 1),
    ("nvidia-smi-q-x_RTX4090.xml", ["nvidia-rtx-4090"], 1),  # XML cut off mid-way
    ("nvidia-smi-query-gpu_H100-NVL.csv", ["nvidia-h100-nvl"], 1),
    ("nvidia-smi-query-gpu_H200.csv", ["nvidia-h200"], 1),
    ("nvidia-smi-L_H100-SXM-MIG.txt", ["nvidia-h100-sxm"], 2),  # MIG slices are not GPUs
    ("nvidia-smi_H100-SXM.txt", ["nvidia-h100-sxm"], 8),
    ("nvidia-smi_H20.txt", ["nvidia-h20"], 2),
    ("nvidia-smi_A800-PCIe.txt", ["nvidia-a800"], 2),
    ("nvidia-smi_L40S.txt", ["nvidia-l40s"], 1),
    ("rocm-smi_MI300X.txt", ["amd-mi300x"], 1),
    ("npu-smi-info_Ascend910B4.txt", ["huawei-ascend-910b"], 2),
    ("npu-smi-info_Ascend910-A3.txt", [], 2),  # "Ascend910": the 910C reading is inference
]


def _ids(text: str, refs: References) -> tuple[str, list[str], int]:
    cap = identify(parse_capture(text), refs.resolver)
    return (
        cap.format,
        sorted({d.accelerator_id for d in cap.devices if d.accelerator_id}),
        cap.count,
    )


@pytest.mark.parametrize(("name", "fmt", "ids", "count"), OWN, ids=[c[0] for c in OWN])
def test_own_fixtures(
    refs: References, fixtures: Path, name: str, fmt: str, ids: list[str], count: int
) -> None:
    text = (fixtures / "captures" / name).read_text(encoding="utf-8")
    assert _ids(text, refs) == (fmt, ids, count)


@pytest.mark.parametrize(("name", "ids", "count"), REAL, ids=[c[0] for c in REAL])
def test_real_captures(
    refs: References, shared_data: Path, name: str, ids: list[str], count: int
) -> None:
    text = (shared_data / "captures" / name).read_text(encoding="utf-8", errors="replace")
    _, found, n = _ids(text, refs)
    assert (found, n) == (ids, count)


def test_relabelled_card_is_a_model_mismatch(refs: References, fixtures: Path) -> None:
    text = (fixtures / "captures" / "nvidia-smi-q_relabelled.txt").read_text(encoding="utf-8")
    result = verify_text(text, declared="NVIDIA L20 48GB", units=1, resolver=refs.resolver)
    assert result["status"] == "model_mismatch"
    assert result["found_accelerator_ids"] == ["nvidia-h100-sxm"]
    assert result["devices"][0]["identified_by"] == "pci_id"
    ok = verify_text(text, declared="NVIDIA H100 SXM5", units=1, resolver=refs.resolver)
    assert ok["status"] == "match"
    count = verify_text(text, declared="HGX H100 8-GPU", units=1, resolver=refs.resolver)
    assert count["status"] == "count_mismatch" and count["declared_units"] == 8


def test_verify_names_every_mismatch_and_nothing_declared(refs: References, fixtures: Path) -> None:
    """Without --declared there is nothing to compare; a relabelled card short in number is
    both a model and a count mismatch."""
    text = (fixtures / "captures" / "nvidia-smi-q_relabelled.txt").read_text(encoding="utf-8")
    alone = verify_text(text, resolver=refs.resolver)
    assert alone["status"] == "identified" and alone["mismatches"] == []
    assert alone["found_accelerator_ids"] == ["nvidia-h100-sxm"]
    both = verify_text(text, declared="NVIDIA L20 48GB", units=4, resolver=refs.resolver)
    assert both["status"] == "model_and_count_mismatch"
    assert both["mismatches"] == ["model", "count"] and both["found_units"] == 1
    model = verify_text(text, declared="NVIDIA L20 48GB", units=1, resolver=refs.resolver)
    assert model["mismatches"] == ["model"]


def test_verify_records_the_outcome_on_the_case(tmp_path: Path, fixtures: Path) -> None:
    from chipcustoms.run.orchestrator import screen_file
    from chipcustoms.store import open_store

    db = str(tmp_path / "s.db")
    screen_file(str(fixtures / "lines.csv"), str(tmp_path / "o.csv"), db=db)
    store = open_store(db)
    with store.engine.connect() as conn:
        import sqlalchemy as sa

        from chipcustoms.store import tables as t

        case = conn.execute(sa.select(t.cases.c.declaration_id, t.cases.c.item_no)).first()
    assert case is not None
    capture = fixtures / "captures" / "lspci-nn_relabelled.txt"
    result = CliRunner().invoke(
        app,
        ["verify", str(capture), "--declaration", case[0], "--item", str(case[1]), "--db", db],
    )
    assert result.exit_code == 0, result.output
    record = store.line(case[0], int(case[1]))
    assert record is not None and record["case"]["status"] == "closed"
    outcome = record["outcomes"][0]
    assert outcome["capture"].startswith("3b:00.0") and outcome["recorded_by"]
    assert json.loads(outcome["verification"])["found_accelerator_ids"] == ["nvidia-h100-sxm"]
    # The summary line writes counts as an officer does ("declared 8 x", not "8.0 x").
    summary = result.output.strip().splitlines()[-1]
    assert " x " in summary and ".0 x" not in summary, summary
    with pytest.raises(Exception, match="not in"):
        verify_and_record("1002:74a2", db, "NOPE", 1)
