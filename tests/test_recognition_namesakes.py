"""NVIDIA names its platforms after scientists (Grace Hopper, Vera Rubin, Ada Lovelace, Turing,
Volta, Pascal...), and so do observatories, awards, books and ships. The person, or the thing
named after them written beside a word of that kind, is not a chip: "Vera Rubin Observatory
camera parts" was read as the Rubin GPU and "Admiral Grace Hopper biography" as AI wording
(lead, session 11; refdata/resolver/vocabulary.yaml `exclusions_apart`, the namesakes entry).
The platforms themselves keep their reading. Texts written for this test; both resolvers
answer each (tests/both_resolvers.py).
"""

from __future__ import annotations

from both_resolvers import Probe, probe_failures
from chipcustoms.assess.pipeline import References

NAMESAKES: list[Probe] = [
    ("Vera Rubin Observatory telescope mirror segment", None, False),
    ("spare parts for the Vera C. Rubin Observatory camera", None, False),
    ("Rear Admiral Grace Hopper biography, hardcover", None, False),
    ("a book about Grace Hopper, paperback", None, False),
    ("Grace Hopper Celebration conference badge lanyards", None, False),
    ("documentary on Alan Turing, DVD", None, False),
    ("Ada Lovelace portrait print, framed", None, False),
    ("Enrico Fermi medal replica", None, False),
]

PLATFORMS: list[Probe] = [
    ("NVIDIA Grace Hopper Superchip GH200 module", "nvidia-gh200", True),
    ("NVIDIA Vera Rubin NVL144 rack", "nvidia-rubin", True),
    ("NVIDIA RTX 6000 Ada Generation 48GB graphics card", "nvidia-rtx-6000-ada", True),
    ("Tesla V100 Volta 32GB SXM2 GPU", "nvidia-v100-sxm2", True),
]


def test_scientists_and_things_named_after_them_are_not_chips(refs: References) -> None:
    assert probe_failures(refs, NAMESAKES) == []


def test_the_platforms_named_after_them_keep_their_reading(refs: References) -> None:
    assert probe_failures(refs, PLATFORMS) == []
