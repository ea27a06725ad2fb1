"""Issue 14, precision round (branch precision9): look-alikes that share a model number with a
catalogued accelerator.

A bare model number ("P800", "L600", "R200") is read as a chip when a GPU word, a brand word, a
server word or a computer HS code stands beside it. The OEM brands (Dell, Lenovo, HPE,
Supermicro, Inspur...) are brand words because they sell accelerators with their servers, but
they also sell workstations, laptops, monitors and printers numbered the same way: "Lenovo P800
monitor" had read as the Kunlunxin P800, "Dell L600 printer" as the Enflame L600. Every real
collection brings such lines (server, workstation, monitor, printer, controller, car-part and
appliance model numbers that equal a chip's number).

The probes are generated from the catalog, so a model catalogued later is probed too: every
bare number of one or two letters and three or four digits, or digits only (the short, generic
numbers other products also carry), put into look-alike templates (an OEM or appliance brand's
product line or a product noun of another kind around the number) that must not read as the
chip, and into positive templates (the chip's own maker's name, a GPU or accelerator word, a
datacenter memory size, a server line that names the GPU) that must keep reading as it. Every
text is written for this test; each is checked on the batch resolver and on the one-text
resolver (recognise/row_resolver.py), which must agree field by field.
"""

from __future__ import annotations

import re

import pytest

from both_resolvers import resolve_both
from chipcustoms.assess.pipeline import References

# Short or generic: one or two letters and three or four digits ("p800", "h100", "bw1000" is
# two letters and four digits), or digits only ("4090").
SHORT = re.compile(r"[a-z]{1,2}\d{3,4}|\d{3,4}")

# A product of another kind around the number: the line names that product, not the chip.
LOOKALIKES = [
    "Lenovo ThinkStation {N} workstation",
    "ThinkPad {N} laptop Lenovo",
    "Lenovo ThinkCentre {N} desktop",
    "Lenovo {N} monitor 27 inch",
    "Dell {N} monitor",
    "HP {N} LCD monitor",
    "Dell PowerEdge {N} server",
    "Dell PowerEdge {N} rack server 2U",
    "HPE ProLiant {N} server",
    "HP LaserJet {N} printer",
    "Dell {N} laser printer",
    "HP Smart Array {N} RAID controller",
    "Supermicro {N} storage controller",
    "Samsung {N} refrigerator",
    "Lenovo {N} washing machine",
    "Mercedes-Benz {N} sedan",
    "Canon {N} copier",
]

# The chip itself: its own maker's name, a GPU or accelerator word, a datacenter memory size,
# a GPU server line that names it.
POSITIVES = [
    "{maker} {N}",
    "{N} GPU accelerator card",
    "{N} 96GB",
    "Dell PowerEdge XE9680 server with 8x {N}",
    "Lenovo ThinkSystem server with {N} GPUs",
]


def _short_numbers(refs: References) -> list[tuple[str, str, str]]:
    """(bare number, model id, maker's name) of every catalogued short or generic number, as
    the resolver reads it bare (its spaced and misread spellings are left to their own tests)."""
    r = refs.resolver
    makers = {m.id: m.vendor for m in r.catalog.models}
    spaced_or_misread = set(r._digits) - {a for a in r._bare if a.isdigit()}
    found = [
        (a, r.alias_to_id[a], makers[r.alias_to_id[a]])
        for a in sorted(r._bare)
        if SHORT.fullmatch(a) and a not in spaced_or_misread and r.alias_to_id[a] in makers
    ]
    return found


def test_the_short_numbers_are_listed_from_the_catalog(refs: References) -> None:
    numbers = {n for n, _, _ in _short_numbers(refs)}
    # The round-10 numbers that other products carry, and the NVIDIA numbers beside them.
    assert {"p800", "l600", "r200", "bw1000", "c500", "h100", "a100", "4090"} <= numbers


def test_look_alikes_sharing_a_chip_number_are_not_the_chip(refs: References) -> None:
    numbers = _short_numbers(refs)
    probes = [(t.format(N=n.upper()), model) for n, model, _ in numbers for t in LOOKALIKES]
    rows = resolve_both(refs, [t for t, _ in probes])
    wrong = [
        (text, row["accelerator_id"], row["is_accelerator"])
        for (text, model), row in zip(probes, rows, strict=True)
        if row["accelerator_id"] == model or row["is_accelerator"]
    ]
    assert not wrong, f"{len(wrong)} of {len(probes)} look-alikes read as the chip: {wrong[:20]}"


def test_the_chip_with_its_own_words_is_still_read(refs: References) -> None:
    numbers = _short_numbers(refs)
    probes = []
    for n, model, maker in numbers:
        for t in POSITIVES:
            # An all-digit GeForce number needs a GPU word: a memory size alone is not one
            # (docs/recognition.md, rule 1).
            if n.isdigit() and t == "{N} 96GB":
                continue
            probes.append((t.format(N=n.upper(), maker=maker), model))
    rows = resolve_both(refs, [t for t, _ in probes])
    family = refs.resolver._tables.families
    wrong = [
        (text, row["accelerator_id"])
        for (text, model), row in zip(probes, rows, strict=True)
        if family.get(str(row["accelerator_id"]), row["accelerator_id"]) != family.get(model, model)
    ]
    assert not wrong, f"{len(wrong)} of {len(probes)} positives lost: {wrong[:20]}"


def test_a_server_maker_before_a_chip_it_does_not_sell_names_its_own_product(
    refs: References,
) -> None:
    """ "Dell R200 server" is Dell's PowerEdge R200, "Lenovo P800" Lenovo's: the makers whose
    name is a brand word sell NVIDIA, AMD and Intel accelerators (vocabulary.yaml
    ``lookalike_makers``), so before another vendor's number their name is their own product's;
    before a number they sell ("Dell H100 server") it is the chip, as before."""
    vendor = {m.id: vf.vendor for vf in refs.resolver.catalog.vendors for m in vf.models}
    sells = set(refs.resolver.vocabulary.lookalike_sells)
    numbers = [(n, model) for n, model, _ in _short_numbers(refs) if not n.isdigit()]
    templates = ["Dell {N} server", "Lenovo {N}", "HPE {N} server 2U", "Supermicro {N} server"]
    probes = [(t.format(N=n.upper()), model) for n, model in numbers for t in templates]
    rows = resolve_both(refs, [t for t, _ in probes])
    wrong = [
        (text, row["accelerator_id"])
        for (text, model), row in zip(probes, rows, strict=True)
        if (row["accelerator_id"] == model) != (vendor[model] in sells)
    ]
    assert not wrong, f"{len(wrong)} of {len(probes)}: {wrong[:20]}"


@pytest.mark.parametrize(
    ("text", "want", "accelerator"),
    [
        # The product line's number is the product's; a chip written beside it is still read.
        ("Lenovo ThinkStation P800 with NVIDIA RTX A6000", "nvidia-rtx-a6000", True),
        ("Dell PowerEdge R760xa with 2x A100 80GB", "nvidia-a100", True),
        ("HPE ProLiant DL380 Gen11 with 2x L40S", "nvidia-l40s", True),
        ("ThinkSystem NVIDIA H100 80GB PCIe Gen5 Passive GPU", "nvidia-h100-pcie", True),
        ("Dell PowerEdge XE9680 server", "accelerator-unknown", True),
        ("Kunlunxin P800 AI accelerator card 96GB", "kunlunxin-p800", True),
        # "monitoring" is not a monitor, a display card is a graphics card.
        ("H100 GPU with power monitoring", "nvidia-h100-sxm", True),
        # Look-alikes written without a product line: the noun decides.
        ("Lenovo P800 monitor", None, False),
        ("Dell L600 printer toner", None, False),
        ("HP Smart Array P800 controller", None, False),
        ("Mercedes C500 coupe", None, False),
        # A server maker's own numbers; a Chinese server maker's line and a chip word keep it.
        ("Dell R200 server", None, False),
        ("Lenovo P800", None, False),
        ("Inspur P800 server", "kunlunxin-p800", True),
        ("Dell server with P800 GPUs", "kunlunxin-p800", True),
        ("Dell H100 server", "nvidia-h100-sxm", True),
    ],
)
def test_examples(refs: References, text: str, want: str | None, accelerator: bool) -> None:
    (row,) = resolve_both(refs, [text])
    assert (row["accelerator_id"], bool(row["is_accelerator"])) == (want, accelerator)
