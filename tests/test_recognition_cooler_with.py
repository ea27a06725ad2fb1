"""A cooling part at the head of a line, sold with its own parts, then what it fits ("cooler
with fan for RTX 4090", "Kühler mit Lüfter für RTX 4090") was read as the card: the accessory
rule's `with_words` ("card with cooler") took the cooler's own "with" (lead, session 11;
refdata/resolver/vocabulary.yaml `accessories.head`). A card sold with its cooler keeps its
reading. Texts written for this test; both resolvers answer each (tests/both_resolvers.py).
"""

from __future__ import annotations

from both_resolvers import Probe, probe_failures
from chipcustoms.assess.pipeline import References

COOLERS_WITH_THEIR_PARTS: list[Probe] = [
    ("cooler with fan for RTX 4090", None, False),
    ("GPU heatsink with two fans for RTX 3090 Ti", None, False),
    ("Kühler mit Lüfter für RTX 4080", None, False),
    ("radiateur avec ventilateur pour RTX 4090", None, False),
    ("disipador con ventilador para RTX 3080", None, False),
    ("кулер с вентилятором для RTX 4090", None, False),
]

CARDS_WITH_THEIR_COOLERS: list[Probe] = [
    ("RTX 4090 graphics card with cooler", "nvidia-rtx-4090", True),
    ("RTX 4090 24GB with fan and backplate", "nvidia-rtx-4090", True),
    ("8-GPU server with fans for H100 SXM", "nvidia-h100-sxm", True),
    ("Grafikkarte RTX 4090 mit Kühler", "nvidia-rtx-4090", True),
]


def test_a_cooler_sold_with_its_fan_is_a_part(refs: References) -> None:
    assert probe_failures(refs, COOLERS_WITH_THEIR_PARTS) == []


def test_a_card_sold_with_its_cooler_is_the_card(refs: References) -> None:
    assert probe_failures(refs, CARDS_WITH_THEIR_COOLERS) == []
