"""The goods of generated lines: what each line really is (model, quantity, value, mass), how
its description words it (and how a fraudulent line lies), and the hidden labels of outcome."""

from __future__ import annotations

import numpy as np

from chipcustoms.synthetic.sampling import cond, loguni, pattern, pick, sig, uni
from chipcustoms.synthetic.world import Arr, Rng, World


def line_goods(w: World, rng: Rng, x: dict[str, Arr], item_no: Arr) -> dict[str, Arr]:
    """What each line really is (item or model, quantity, true value, mass) and how it lies."""
    cfg, a, f, ac = w.cfg, w.a, w.cfg["fraud"], w.cfg["accelerators"]
    n, m, iv = len(item_no), x["model"], x["intent"]
    acc = x["acc"] & ((rng.random(n) < ac["item_share"]) | (item_no == 1))
    it = np.where(
        rng.random(n) < cfg["in_sector_share"],
        cond(rng, a["i_cum"], x["sector"]),
        rng.choice(len(a["i_p"]), n, p=a["i_p"]),
    )
    vague = acc & (rng.random(n) < pattern(f, "vague", acc, iv))
    fake = acc & ~vague & (rng.random(n) < pattern(f, "fake_brand", acc, iv))
    under = rng.random(n) < pattern(f, "undervalued", acc, iv)
    disc = acc & ~under & (rng.random(n) < pattern(f, "discounted", acc, iv))
    q_lo, q_hi = ac["quantity"]  # accelerator lots skew small; split lots carry 1-2 units
    q_acc = np.floor(np.exp(rng.random(n) ** 2 * np.log(q_hi + 1))).clip(q_lo, q_hi)
    q_ord = loguni(rng, *a["i_qty"][:, it])
    q = np.where(
        acc,
        np.where(x["camp"], rng.integers(1, 3, n), q_acc),
        np.where(a["i_kg"][it], np.round(q_ord, 1), np.ceil(q_ord)),
    )
    lo, hi = a["m_price"][:, m]  # true unit value in USD: a price inside the range, with spread
    uv = np.where(
        acc,
        (lo + rng.random(n) * (hi - lo)) * rng.uniform(0.92, 1.12, n),
        loguni(rng, *a["i_value"][:, it]),
    )
    rt = f["ratios"]  # declared / true value
    ratio = np.where(disc, uni(rng, rt["discounted"], n), 1.0)
    low_acc = lo * uni(rng, rt["accelerator_undervalued"], n) / uv
    ratio = np.where(under, np.where(acc, low_acc, uni(rng, rt["ordinary_undervalued"], n)), ratio)
    unit_kg = np.where(  # packed cards weigh a little more than the bare card
        acc, a["m_w"][m] * rng.uniform(0.95, 1.15, n), loguni(rng, *a["i_weight"][:, it])
    )
    net = q * unit_kg
    gross = net * np.where(acc, rng.uniform(1.2, 1.6, n), rng.uniform(1.03, 1.25, n))
    return {
        "acc": acc,
        "it": it,
        "vague": vague,
        "fake": fake,
        "under": under,
        "disc": disc,
        "q": q,
        "ratio": ratio,
        "declared": q * uv * ratio,
        "true": q * uv * np.where(disc, ratio, 1.0),
        "net": net,
        "gross": gross,
    }


def wording(
    w: World, rng: Rng, x: dict[str, Arr], ln: dict[str, Arr]
) -> dict[str, tuple[str, Arr]]:
    """(vocabulary, index) of description, HS code, brand, model and part number per line."""
    a, fl = w.a, w.cfg["fill"]
    acc, it, m, vague, fake = ln["acc"], ln["it"], x["model"], ln["vague"], ln["fake"]
    n = len(acc)
    fb = rng.integers(0, a["f_brand"].shape[1], n)  # one fake brand per line, in text and column
    desc = np.where(
        acc,
        np.where(
            vague,
            pick(rng, a["vague"], 0, n, 1.5),
            np.where(fake, pick(rng, a["f_desc"], fb, n), pick(rng, a["m_desc"], m, n)),
        ),
        pick(rng, a["i_desc"], it, n),
    )
    hs_v, hs_h = a["hs_vague"][:, 0], a["hs_honest"][:, 0]
    hs_acc = np.where(
        vague | fake,
        hs_v[0] + rng.choice(hs_v[1], n, p=a["hs_vague_p"]),
        hs_h[0] + rng.choice(hs_h[1], n, p=a["hs_honest_p"]),
    )
    u = rng.random((4, n))
    nob = np.where(u[3] < fl["no_brand"], pick(rng, a["nobrand"], 0, n, 1.0), -1)
    brand = np.where(
        u[0] < np.where(acc, fl["brand_accelerator"], fl["brand_ordinary"]),
        np.where(acc, pick(rng, a["m_brand"], m, n, 1.5), pick(rng, a["i_brand"], it, n, 1.0)),
        -1,
    )
    brand = np.where((brand < 0) & ~acc, nob, brand)
    relabel = fake & (u[0] < fl["fake_brand_column"])
    plain = acc & ~vague & ~fake
    model = np.where(
        plain & (u[1] < fl["model"]),
        a["m_model"][0, m],
        np.where(fake & (u[1] < fl["model"]), pick(rng, a["f_model"], 0, n, 1.0), -1),
    )
    part = np.where(plain & (u[2] < fl["part_number"]), pick(rng, a["m_part"], m, n, 1.0), -1)
    return {
        "description": ("desc", desc),
        "hs_code": ("hs", np.where(acc, hs_acc, pick(rng, a["i_hs"], it, n, 1.0))),
        "brand": ("tags", np.where(vague, nob, np.where(relabel, a["f_brand"][0, fb], brand))),
        "model": ("tags", model),
        "part_number": ("tags", part),
    }


def labels(w: World, rng: Rng, x: dict[str, Arr], ln: dict[str, Arr]) -> dict[str, Arr]:
    """The hidden fraud draw, a logit over latent and visible factors, and what it recovers."""
    cfg, a, f = w.cfg, w.a, w.cfg["fraud"]
    acc, n = ln["acc"], len(ln["acc"])
    c = {
        k: np.where(acc, v, f["ordinary"]["logit"][k]) for k, v in f["accelerator"]["logit"].items()
    }
    factors = {
        "intent": x["intent"],
        "trader": a["risk"][x["party"]],
        "declarant": a["decl_risk"][x["decl"]],
        "undervaluation": np.where(ln["disc"], 0.0, np.clip(1.0 - ln["ratio"], 0.0, 1.0)),
        "vague": ln["vague"],
        "hub": x["hub"],
        "new_trader": x["new"],
        "weekend": x["weekend"],
        "fake_brand": ln["fake"],
        "item_risk": a["i_risk"][ln["it"]],
    }
    fraud = rng.random(n) < sig(c["intercept"] + sum(c[k] * v for k, v in factors.items()))
    declared = ln["declared"]
    gap = ln["true"] - declared  # what an inspection recovers; hidden where none was declared
    gap = np.where(gap < 0.1 * declared, declared * rng.uniform(0.2, 1.0, n), gap)
    rate = np.where(acc, cfg["accelerators"]["duty"], a["i_duty"][ln["it"]]) + cfg["vat"]
    revenue = np.where(fraud, np.round(gap * rate, 2), 0.0)
    return {
        "inspected": acc | (rng.random(n) < cfg["inspected_share_ordinary"]),
        "fraud": fraud,
        "critical": (fraud & (acc | (revenue >= cfg["critical_revenue_usd"]))).astype(np.int64),
        "revenue": revenue,
    }
