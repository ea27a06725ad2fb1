"""What the card really is: parse an inspector's capture and check it against the declared line.

Captures are what `lspci -nn`, `lspci -vmmnn`, `nvidia-smi` (table, `-L`, `-q`, `-q -x`,
`--query-gpu`), `rocm-smi`, `npu-smi info` or a plain list of PCI ids print. They are small and
often trimmed or cut mid-table (see ../shared/data/captures/README.md), so every parser is a
tolerant line scan rather than a strict grammar: a truncated XML log still names its GPU.

Identification trusts the hardware ids first. The PCI device id (or the `GPU Part Number`,
whose prefix *is* the device id) cannot be changed by a relabelled sticker or a renamed board,
whereas the product name can: a "SANDKYAN" card whose PCI id says 10de:2330 is an H100.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from chipcustoms.errors import InputError
from chipcustoms.recognise.resolver import Resolver

ACCEL_VENDORS = ("10de", "1002", "19e5", "1da3", "cabc")
# lspci classes of a compute device: VGA [0300], 3D controller [0302], display [0380],
# processing accelerator [1200]. NVSwitch bridges [0680] are not GPUs.
GPU_CLASSES = ("0300", "0302", "0380", "1200")
_DEVICE_ID = re.compile(r"0x([0-9a-fA-F]{4})([0-9a-fA-F]{4})\b")  # nvidia-smi: device, vendor
_LSPCI_NN = re.compile(r"\[([0-9a-f]{4})\]: .*\[([0-9a-f]{4}):([0-9a-f]{4})\]", re.IGNORECASE)
_PLAIN = re.compile(r"^\s*(?:0x)?([0-9a-f]{4})[:\s-]+(?:0x)?([0-9a-f]{4})\s*$", re.IGNORECASE)
_KV = re.compile(r"^\s*([A-Za-z][A-Za-z .()/-]*?)\s+:\s*(.*?)\s*$")


@dataclass
class Device:
    """One accelerator seen in a capture, with the evidence that identifies it."""

    name: str | None = None
    pci_id: str | None = None  # vendor:device, lower-case hex
    board_part: str | None = None
    gpu_part: str | None = None
    accelerator_id: str | None = None
    identified_by: str | None = None


@dataclass
class Capture:
    format: str
    devices: list[Device]
    attached: int | None = None  # the header's GPU count where the log is trimmed
    notes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return max(self.attached or 0, len(self.devices))


def _smi_device(block: dict[str, str]) -> Device:
    dev = Device(
        name=block.get("product name"),
        board_part=_value(block.get("board part number")),
        gpu_part=_value(block.get("gpu part number")),
    )
    m = _DEVICE_ID.search(block.get("device id", ""))
    if m:
        dev.pci_id = f"{m.group(2)}:{m.group(1)}".lower()
    return dev


def _value(v: str | None) -> str | None:
    return None if v is None or v.strip() in ("", "N/A", "[N/A]") else v.strip()


def _parse_smi_q(text: str) -> Capture:
    """`nvidia-smi -q` (or a grep of it): one block per `GPU <bus id>` line."""
    blocks: list[dict[str, str]] = []
    attached = None
    current: dict[str, str] | None = None
    for line in text.splitlines():
        if re.match(r"^GPU [0-9A-Fa-f]+:[0-9A-Fa-f:.]+\s*$", line):
            current = {}
            blocks.append(current)
            continue
        m = _KV.match(line)
        if not m:
            continue
        key, value = m.group(1).strip().lower(), m.group(2)
        if key == "attached gpus":
            attached = int(value) if value.isdigit() else None
            continue
        if current is None:  # the log header, or a grep without `GPU <bus id>` lines
            if key != "product name":
                continue
            current = {}
            blocks.append(current)
        if key == "product name" and key in current:  # a grep of several GPUs
            current = {}
            blocks.append(current)
        current.setdefault(key, value)
    return Capture("nvidia-smi -q", [_smi_device(b) for b in blocks if b], attached)


def _parse_smi_xml(text: str) -> Capture:
    """`nvidia-smi -q -x`, read by tag so that a log cut off mid-way still yields its GPUs."""
    attached = re.search(r"<attached_gpus>\s*(\d+)", text)
    devices = []
    for chunk in re.split(r"<gpu id=", text)[1:]:

        def tag(name: str, chunk: str = chunk) -> str | None:
            m = re.search(rf"<{name}>\s*([^<]*?)\s*</{name}>", chunk)
            return m.group(1) if m else None

        devices.append(
            _smi_device(
                {
                    k: v
                    for k, v in {
                        "product name": tag("product_name"),
                        "board part number": tag("board_part_number"),
                        "gpu part number": tag("gpu_part_number"),
                        "device id": tag("pci_device_id"),
                    }.items()
                    if v is not None
                }
            )
        )
    notes = [] if "</nvidia_smi_log>" in text else ["XML log is truncated; read up to its end"]
    return Capture("nvidia-smi -q -x", devices, int(attached.group(1)) if attached else None, notes)


def _parse_query_csv(text: str) -> Capture:
    """`nvidia-smi --query-gpu=... --format=csv[,noheader]`."""
    rows = [r for r in csv.reader(io.StringIO(text), skipinitialspace=True) if r]
    header = [h.strip().lower() for h in rows[0]] if rows else []
    has_header = "name" in header
    devices = []
    for row in rows[1:] if has_header else rows:
        if has_header:
            rec = dict(zip(header, row, strict=False))
            dev = Device(name=rec.get("name"))
            m = _DEVICE_ID.search(rec.get("pci.device_id", ""))
        else:
            dev = Device(name=next((c for c in row if re.search(r"[A-Za-z]{3}", c)), None))
            m = next((_DEVICE_ID.search(c) for c in row if _DEVICE_ID.search(c)), None)
        if m:
            dev.pci_id = f"{m.group(2)}:{m.group(1)}".lower()
        devices.append(dev)
    return Capture("nvidia-smi --query-gpu", devices)


def _parse_lspci_vmm(text: str) -> Capture:
    """`lspci -vmmnn`: blank-line separated records of `Key:\\tValue [id]`."""
    devices = []
    for record in re.split(r"\n\s*\n", text):
        fields = dict(
            (k.strip().lower(), v.strip())
            for k, _, v in (line.partition(":") for line in record.splitlines())
            if v
        )
        cls = re.search(r"\[([0-9a-f]{4})\]\s*$", fields.get("class", ""), re.IGNORECASE)
        ven = re.search(r"\[([0-9a-f]{4})\]\s*$", fields.get("vendor", ""), re.IGNORECASE)
        dev = re.search(r"^(.*?)\s*\[([0-9a-f]{4})\]\s*$", fields.get("device", ""), re.IGNORECASE)
        if cls and ven and dev and cls.group(1) in GPU_CLASSES and ven.group(1) in ACCEL_VENDORS:
            name = f"{fields.get('vendor', '')} {dev.group(1)}"
            devices.append(Device(name=name, pci_id=f"{ven.group(1)}:{dev.group(2)}".lower()))
    return Capture("lspci -vmmnn", devices)


def _parse_lines(text: str) -> Capture:
    """Line formats: `lspci -nn`, `nvidia-smi -L`, the nvidia-smi table, rocm-smi, npu-smi,
    and a plain list of PCI ids."""
    devices: list[Device] = []
    kinds: set[str] = set()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if m := _LSPCI_NN.search(line):
            if m.group(1) in GPU_CLASSES and m.group(2).lower() in ACCEL_VENDORS:
                name = re.sub(r"^.*?\]: ", "", line).split(" [")[0]
                bracket = re.search(r"\[([^\]]*[A-Za-z][^\]]*)\] \[[0-9a-f]{4}:", line)
                devices.append(
                    Device(
                        name=f"{name} {bracket.group(1) if bracket else ''}".strip(),
                        pci_id=f"{m.group(2)}:{m.group(3)}".lower(),
                    )
                )
            kinds.add("lspci -nn")
        elif m := re.match(r"^GPU \d+: (.+?) \(UUID", line):
            devices.append(Device(name=m.group(1)))
            kinds.add("nvidia-smi -L / nvlink")
        elif m := re.match(r"^\|\s+(\d+)\s+(NVIDIA .+?|Tesla .+?)\s+(?:On|Off)\s+\|", line):
            devices.append(Device(name=m.group(2).strip()))
            kinds.add("nvidia-smi")
        elif m := re.match(r"^(\d+)\s+\[0x([0-9a-f]{4})\s*:", line):
            label = lines[i + 1].strip() if i + 1 < len(lines) else None
            devices.append(Device(name=label, pci_id=f"1002:{m.group(2)}"))
            kinds.add("rocm-smi")
        elif m := re.match(r"^\|\s*(\d+)\s+((?:Ascend)?\s*9\d\d\w*(?:-\w+)?)\s+\|", line):
            name = m.group(2).replace(" ", "")
            # npu-smi prints the bare family name "Ascend910" on 910C (Atlas A3) boards: it names
            # no generation, so the device is counted but left unidentified.
            family_only = name.removeprefix("Ascend") == "910"
            devices.append(
                Device(name=None if family_only else f"Ascend {name.removeprefix('Ascend')}")
            )
            kinds.add("npu-smi info")
        elif m := _PLAIN.match(line):
            devices.append(Device(pci_id=f"{m.group(1)}:{m.group(2)}".lower()))
            kinds.add("pci ids")
    return Capture(" + ".join(sorted(kinds)) or "unknown", devices)


def parse_capture(text: str) -> Capture:
    """Recognise the format and list the accelerators the capture shows."""
    if "<nvidia_smi_log" in text or "<gpu id=" in text:
        return _parse_smi_xml(text)
    if re.search(r"^\s*(Product Name|Attached GPUs)\s+:", text, re.MULTILINE):
        return _parse_smi_q(text)
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if (
        first.count(",") >= 1
        and not first.startswith(("|", "+"))
        and ("name" in first.lower() or _DEVICE_ID.search(first))
    ):
        return _parse_query_csv(text)
    if re.search(r"^Class:\s", text, re.MULTILINE):
        return _parse_lspci_vmm(text)
    return _parse_lines(text)


def identify(capture: Capture, resolver: Resolver) -> Capture:
    """Fill each device's accelerator_id: PCI id, then GPU part number, board part, name."""
    names = [d.name or "" for d in capture.devices]
    by_name = resolver.resolve(
        pl.DataFrame(
            {"description": names, "hs_code": ["847330"] * len(names)},
            schema={"description": pl.Utf8, "hs_code": pl.Utf8},
        )
    )
    by_board = resolver.resolve(
        pl.DataFrame(
            {
                "description": ["accelerator"] * len(names),
                "hs_code": ["847330"] * len(names),
                "part_number": [d.board_part or "" for d in capture.devices],
            },
        )
    )
    for i, dev in enumerate(capture.devices):
        gpu_pci = f"10de:{dev.gpu_part[:4].lower()}" if dev.gpu_part else None
        board_id = by_board["accelerator_id"][i] if by_board["is_accelerator"][i] else None
        name_id = by_name["accelerator_id"][i] if by_name["is_accelerator"][i] else None
        for how, found in (
            ("pci_id", resolver.pci_to_id.get(dev.pci_id or "")),
            ("gpu_part_number", resolver.pci_to_id.get(gpu_pci or "")),
            ("board_part_number", board_id),
            ("name", name_id),
        ):
            if found:
                dev.accelerator_id, dev.identified_by = found, how
                break
        if name_id and dev.accelerator_id and name_id != dev.accelerator_id:
            capture.notes.append(
                f"device {i}: name {dev.name!r} reads as {name_id}, "
                f"its {dev.identified_by} says {dev.accelerator_id}"
            )
    return capture


def verify(
    capture: Capture, declared_id: str | None, declared_units: float | None
) -> dict[str, Any]:
    """Compare what the capture shows with what was declared (model and number of units)."""
    found = sorted({d.accelerator_id for d in capture.devices if d.accelerator_id})
    unknown = sum(1 for d in capture.devices if not d.accelerator_id)
    model_ok = bool(found) and found == [declared_id]
    count_ok = declared_units is None or float(capture.count) == float(declared_units)
    # Every disagreement is reported (a relabelled card can also be short in number); the
    # status names the first, ``mismatches`` lists them all.
    mismatches = [
        name
        for name, bad in (
            ("model", bool(found) and declared_id is not None and not model_ok),
            ("count", bool(capture.devices) and not count_ok),
        )
        if bad
    ]
    if not capture.devices:
        status = "no_device"
    elif not found:
        status = "unidentified"
    elif declared_id is None and not mismatches:
        status = "identified"  # nothing declared to compare the model with
    elif mismatches:
        status = "_and_".join(mismatches) + "_mismatch"
    else:
        status = "match"
    return {
        "status": status,
        "mismatches": mismatches,
        "declared_accelerator_id": declared_id,
        "declared_units": declared_units,
        "found_accelerator_ids": found,
        "found_units": capture.count,
        "unidentified_devices": unknown,
        "format": capture.format,
        "devices": [asdict(d) for d in capture.devices],
        "notes": capture.notes,
    }


def read_capture(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the capture: {exc}") from exc
