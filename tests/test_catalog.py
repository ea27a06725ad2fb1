from pathlib import Path

import pytest

from chipcustoms.errors import ReferenceDataError
from chipcustoms.recognise.catalog import load_catalog

REQUIRED = [
    "nvidia-a100",
    "nvidia-a800",
    "nvidia-h100-sxm",
    "nvidia-h100-pcie",
    "nvidia-h100-nvl",
    "nvidia-h800-sxm",
    "nvidia-h800-pcie",
    "nvidia-h200",
    "nvidia-h200-nvl",
    "nvidia-h20",
    "nvidia-l40",
    "nvidia-l40s",
    "nvidia-l20",
    "nvidia-l2",
    "nvidia-b100",
    "nvidia-b200",
    "nvidia-gb200",
    "nvidia-b300",
    "nvidia-b30a",
    "nvidia-rtx-4090",
    "nvidia-rtx-4090d",
    "nvidia-rtx-5090",
    "nvidia-rtx-5090d",
    "nvidia-rtx-5090d-v2",
    "nvidia-rtx-6000-ada",
    "nvidia-rtx-pro-6000",
    "nvidia-rtx-pro-6000d",
    "amd-mi250",
    "amd-mi250x",
    "amd-mi300x",
    "amd-mi325x",
    "amd-mi308x",
    "huawei-ascend-910b",
    "huawei-ascend-910c",
    "cambricon-mlu370-x8",
    "cambricon-mlu590",
    "intel-gaudi2",
    "intel-gaudi3",
]


def test_bundled_catalog_has_every_required_model() -> None:
    cat = load_catalog()
    missing = sorted(set(REQUIRED) - set(cat.by_id))
    assert not missing


def test_classification_is_derived_from_specs() -> None:
    cat = load_catalog()
    assert cat.by_id["nvidia-h100-sxm"].classification.tpp == pytest.approx(15832)
    assert cat.by_id["nvidia-h20"].classification.eccn == "not-3A090"
    assert cat.by_id["nvidia-h20"].end_use_controls, "H20 carries the April 2025 letter"
    assert cat.by_id["nvidia-l40"].classification.eccn == "3A090.b"


def test_every_price_and_weight_is_sourced_or_explained() -> None:
    for m in load_catalog().models:
        if m.price_usd:
            assert m.price_usd.source and (not m.price_usd.estimate or m.price_usd.how), m.id
        if m.weight_kg:
            assert m.weight_kg.source or m.weight_kg.how, m.id


def test_pci_ids_and_aliases_do_not_collide() -> None:
    seen: dict[str, str] = {}
    for m in load_catalog().models:
        for pci in m.pci_ids:
            assert pci not in seen, f"{pci} on {m.id} and {seen.get(pci)}"
            seen[pci] = m.id


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "acme.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_HEAD = """vendor: acme
vendor_name: Acme
version: "1"
sources: {S: {title: a datasheet}}
models:
"""


def test_invalid_entry_names_file_entry_and_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        GOOD_HEAD
        + """  - id: acme-x1
    model: X1
    segment: datacenter
    specs: {dense_tops: {int7: 5}}
""",
    )
    with pytest.raises(ReferenceDataError) as exc:
        load_catalog([path])
    msg = str(exc.value)
    assert "acme.yaml" in msg and "[acme-x1]" in msg and "dense_tops" in msg and "int7" in msg


def test_unknown_source_key_is_an_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        GOOD_HEAD
        + """  - id: acme-x1
    model: X1
    segment: consumer
    price_usd: {low: 1, high: 2, kind: MSRP, source: NOPE}
""",
    )
    with pytest.raises(ReferenceDataError, match="NOPE"):
        load_catalog([path])


def test_vendor_must_match_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_HEAD.replace("vendor: acme", "vendor: other") + "  []\n")
    with pytest.raises(ReferenceDataError, match="file name"):
        load_catalog([path])


def test_systems_name_catalog_models_with_a_count() -> None:
    cat = load_catalog()
    assert len(cat.systems) >= 20
    for s in cat.systems:
        assert s.units > 0 and (s.accelerator is None or s.accelerator in cat.by_id)
    assert any(s.accelerator is None for s in cat.systems)  # e.g. XE9680: the buyer chooses


def test_systems_file_errors_name_file_and_entry(tmp_path: Path) -> None:
    bad = tmp_path / "systems.yaml"
    bad.write_text(
        "version: '1'\nsources: {S: {title: t}}\n"
        "systems:\n  - {id: box, name: Box, aliases: [Box], units: 0, source: S}\n",
        encoding="utf-8",
    )
    vendor = sorted((Path(load_catalog().files[0])).parent.glob("nvidia.yaml"))
    with pytest.raises(ReferenceDataError, match=r"systems.yaml \[box\]: systems.0.units"):
        load_catalog([*vendor, bad])


def test_partner_part_numbers_keep_d_variants_apart() -> None:
    import re

    cat = load_catalog()
    owners = {
        pn: m.id
        for m in cat.models
        for pn in ("GV-N409DAORUSM-24GD", "GV-N4090AORUSM-24GD", "TUF-RTX5090D-32G-GAMING")
        for p in m.part_numbers
        if re.fullmatch(p, pn, re.IGNORECASE)
    }
    assert owners == {
        "GV-N409DAORUSM-24GD": "nvidia-rtx-4090d",
        "GV-N4090AORUSM-24GD": "nvidia-rtx-4090",
        "TUF-RTX5090D-32G-GAMING": "nvidia-rtx-5090d",
    }
