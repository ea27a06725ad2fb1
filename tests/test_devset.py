"""The recognition targets of issue 4, checked on the labelled sets in tests/fixtures.

The held-out file was written before the resolver was tuned and is never tuned on; it is checked
against looser floors so that it keeps reporting, not steering.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chipcustoms.assess.pipeline import References
from chipcustoms.errors import InputError
from chipcustoms.recognise.devset import evaluate, read_labelled


def test_development_set_meets_the_targets(refs: References, fixtures: Path) -> None:
    labelled = read_labelled(fixtures / "resolver_devset.csv")
    assert labelled.height >= 400
    e = evaluate(refs.resolver, labelled)
    assert e.precision >= 0.98 and e.recall >= 0.95, e.errors
    assert e.model_accuracy >= 0.95, e.errors
    assert e.calibration["lines"].sum() == e.n


def test_held_out_set_is_a_fifth_and_reports(refs: References, fixtures: Path) -> None:
    dev = read_labelled(fixtures / "resolver_devset.csv")
    held = read_labelled(fixtures / "resolver_holdout.csv")
    assert held.height >= 0.2 * (dev.height + held.height) - 1

    def keys(df: object) -> set[tuple[str, str]]:
        return set(zip(df["description"], df["part_number"].fill_null(""), strict=True))  # type: ignore[index]

    assert not keys(held) & keys(dev)
    e = evaluate(refs.resolver, held)
    assert e.precision >= 0.95 and e.recall >= 0.95  # floors, not targets (see docstring)
    assert "precision" in "\n".join(e.lines())


def test_bad_label_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("description,expected_id,is_accelerator\nH20,nvidia-h20,yes\n")
    with pytest.raises(InputError, match="row 2: is_accelerator"):
        read_labelled(path)


def test_every_figure_comes_with_its_counts(refs: References, tmp_path: Path) -> None:
    """The issue asks for n beside every figure, and for model accuracy on the lines whose source
    names a model: the report prints the counts, and the model-labelled share counts only true
    accelerators with a `model_label`. Lines written for this test."""
    path = tmp_path / "set.csv"
    path.write_text(
        "description,expected_id,is_accelerator,model_label\n"
        "NVIDIA H100 80GB SXM5 GPU,nvidia-h100-sxm,true,H100\n"  # right, labelled
        "NVIDIA A100 40GB PCIe card,nvidia-h100-sxm,true,A100\n"  # wrong id, labelled
        "AI accelerator cards,accelerator-unknown,true,\n"  # right, no model label
        "stainless steel bolts,,false,\n",
        encoding="utf-8",
    )
    e = evaluate(refs.resolver, read_labelled(path))
    assert (e.tp, e.fp, e.positives, e.right_models) == (3, 0, 3, 2)
    assert (e.model_labelled, e.right_labelled) == (2, 1)
    text = "\n".join(e.lines())
    assert "recall 1.000 (3/3)" in text
    assert "model accuracy on true accelerators 0.667 (2/3)" in text
    assert "with a model label 0.500 (1/2)" in text
