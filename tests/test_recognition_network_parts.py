"""NVIDIA's networking named on a GPU line (lead, session 10): ConnectX / BlueField adapters,
InfiniBand and Mellanox parts were exclusions, so every GPU server or card whose line also
names its network cards ("XE9680 with 8x H100 and ConnectX-7") was read as no accelerator.
They are now parts, as accessories are (refdata/resolver/vocabulary.yaml `strong_apart`): a
server or card *with* them keeps its GPUs, and a line whose goods are the network part stays
out. Texts written for this test; both resolvers answer each (tests/both_resolvers.py).
"""

from __future__ import annotations

from both_resolvers import Probe, probe_failures
from chipcustoms.assess.pipeline import References

SERVERS_WITH_NETWORK_CARDS: list[Probe] = [
    ("8-GPU server with two ConnectX-7 NICs and 8 x H200", "nvidia-h200", True),
    ("HGX B200 server with InfiniBand networking", "nvidia-b200", True),
    ("NVIDIA L40S GPU plus Mellanox ConnectX-6 adapter, bundle", "nvidia-l40s", True),
    ("A100 80GB PCIe and BlueField-2 DPU kit", "nvidia-a100", True),
    # "with" / "and" of other European languages
    ("GPU-Server mit 8 H100 und InfiniBand-Karten", "nvidia-h100-sxm", True),
    ("serveur GPU avec 4 H200 et adaptateurs ConnectX-7", "nvidia-h200", True),
]

NETWORK_PARTS: list[Probe] = [
    ("ConnectX-7 400G adapter card for H100 clusters", None, False),
    ("InfiniBand NDR switch for DGX B200 racks", None, False),
    ("Mellanox HDR InfiniBand cable, 2 m", None, False),
    ("BlueField-3 DPU, 400GbE", None, False),
    ("InfiniBand-Switch für H100-Cluster", None, False),
]


def test_a_server_or_card_with_network_cards_keeps_its_gpus(refs: References) -> None:
    assert probe_failures(refs, SERVERS_WITH_NETWORK_CARDS) == []


def test_the_network_part_itself_stays_out(refs: References) -> None:
    assert probe_failures(refs, NETWORK_PARTS) == []
