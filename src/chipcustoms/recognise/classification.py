"""US EAR 3A090 classification derived from catalog specs, never typed in by hand.

Implements the decision sketch of the October 2023 rule (88 FR 73458) as compiled in
shared/reference/accelerators.md §1.3: TPP is the maximum over precisions of dense TOPS times
bit length; PD is TPP over the applicable logic-die area. The thresholds are the rule's own
numbers and live here, next to the one function that uses them, with the citation.
"""

from __future__ import annotations

from dataclasses import dataclass

BITS: dict[str, int] = {
    "fp64": 64,
    "fp32": 32,
    "tf32": 32,
    "bf16": 16,
    "fp16": 16,
    "fp8": 8,
    "int8": 8,
    "fp4": 4,
    "int4": 4,
}

# 88 FR 73458 (FR 2023-23055), 15 CFR 774 Supp. 1, ECCN 3A090.a / .b
TPP_A = 4800.0
TPP_A_PD = 1600.0
PD_A = 5.92
TPP_B_LOW = 2400.0
PD_B_LOW = 1.6
PD_B_ALT = 3.2


@dataclass(frozen=True)
class Classification:
    """The derived control status of one accelerator model."""

    tpp: float | None
    pd: float | None
    eccn: str  # "3A090.a" | "3A090.b" | "not-3A090" | "undetermined"
    basis: str  # the sentence an export-compliance officer reads
    nac_aca_eligible: bool


def total_processing_performance(dense_tops: dict[str, float]) -> float | None:
    """TPP = max(dense TOPS × bit length); None when no dense figure is published."""
    values = [tops * BITS[p] for p, tops in dense_tops.items() if tops is not None]
    return max(values) if values else None


def classify(
    dense_tops: dict[str, float], die_area_mm2: float | None, *, datacenter: bool
) -> Classification:
    """Apply the Oct-2023 3A090 test to one model's specs."""
    tpp = total_processing_performance(dense_tops)
    if tpp is None:
        return Classification(
            None,
            None,
            "undetermined",
            "dense TOPS not published: classify from the datasheet",
            False,
        )
    pd = tpp / die_area_mm2 if die_area_mm2 else None
    if not datacenter:
        if tpp >= TPP_A:
            return Classification(
                tpp, pd, "3A090.a", f"consumer part with TPP {tpp:,.0f} >= {TPP_A:,.0f}", True
            )
        return Classification(
            tpp, pd, "not-3A090", f"consumer part with TPP {tpp:,.0f} < {TPP_A:,.0f}", False
        )
    if tpp >= TPP_A:
        return Classification(tpp, pd, "3A090.a", f"TPP {tpp:,.0f} >= {TPP_A:,.0f}", False)
    if pd is None:
        if tpp >= TPP_A_PD:
            return Classification(
                tpp,
                None,
                "undetermined",
                f"TPP {tpp:,.0f} needs a die area to test performance density",
                False,
            )
        return Classification(tpp, None, "not-3A090", f"TPP {tpp:,.0f} < {TPP_A_PD:,.0f}", False)
    if tpp >= TPP_A_PD and pd >= PD_A:
        return Classification(
            tpp,
            pd,
            "3A090.a",
            f"TPP {tpp:,.0f} >= {TPP_A_PD:,.0f} and PD {pd:.2f} >= {PD_A}",
            False,
        )
    if (TPP_B_LOW <= tpp < TPP_A and PD_B_LOW <= pd < PD_A) or (
        tpp >= TPP_A_PD and PD_B_ALT <= pd < PD_A
    ):
        return Classification(
            tpp, pd, "3A090.b", f"TPP {tpp:,.0f} and PD {pd:.2f} fall in the 3A090.b bands", True
        )
    return Classification(
        tpp,
        pd,
        "not-3A090",
        f"TPP {tpp:,.0f} and PD {pd:.2f} are below every 3A090 threshold",
        False,
    )
