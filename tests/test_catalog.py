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


def test_catalog_breadth_models_systems_vendors() -> None:
    cat = load_catalog()
    assert len(cat.models) >= 120
    assert len(cat.systems) >= 40
    assert len({s.vendor for s in cat.systems if s.vendor}) >= 10
    for s in cat.systems:
        assert s.models or s.accelerator is None, s.id
        assert all(m in cat.by_id for m in s.models), s.id


def test_every_cited_source_key_exists_and_cited_fields_have_values() -> None:
    cat = load_catalog()
    for vf in cat.vendors:
        for m in vf.models:
            keys = [k for ks in m.cite.values() for k in ks] + list(m.specs.spec_sources)
            assert set(keys) <= set(vf.sources), m.id
            for field in m.cite:
                assert m._figure(field) not in (None, [], {}), f"{m.id} cites empty {field}"


def test_ai_class_is_written_on_every_bundled_model() -> None:
    import yaml

    from chipcustoms.recognise.catalog import COUNTING_CLASSES

    cat = load_catalog()
    for path in cat.files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for m in raw["models"]:
            assert "ai_class" in m, f"{path.name} [{m['id']}]"
    by = cat.by_id
    assert by["nvidia-h100-sxm"].is_accelerator and by["nvidia-rtx-4090"].is_accelerator
    assert not by["nvidia-rtx-3060"].is_accelerator
    assert by["nvidia-cmp-170hx"].ai_class == "mining" and "mining" not in COUNTING_CLASSES


def test_missing_figures_need_a_note_and_must_be_absent(tmp_path: Path) -> None:
    body = "  - {id: acme-x1, model: X1, segment: datacenter, ai_class: datacenter, %s}\n"
    path = _write(tmp_path, GOOD_HEAD + body % "missing: [die_area_mm2]")
    with pytest.raises(ReferenceDataError, match="missing_note"):
        load_catalog([path])
    path = _write(
        tmp_path,
        GOOD_HEAD + body % "missing: [die_area_mm2], missing_note: n, specs: {die_area_mm2: 5}",
    )
    with pytest.raises(ReferenceDataError, match="listed as missing"):
        load_catalog([path])


def test_new_models_declare_what_is_missing() -> None:
    from chipcustoms.recognise.catalog_check import check_catalog

    cat = load_catalog()
    undeclared = [f for f in check_catalog(cat) if "undeclared" in f.problem]
    new_ids = {m.id for m in cat.models if "missing_note" in m.model_fields_set or m.cite}
    assert not [f for f in undeclared if f.id in new_ids]


def test_catalog_check_runs() -> None:
    from typer.testing import CliRunner

    from chipcustoms.cli.main import app

    result = CliRunner().invoke(app, ["catalog", "--check"])
    assert result.exit_code == 0, result.output
    assert "models (" in result.output and "systems (" in result.output
