"""Vectorised draws the generator's rows are made of: conditional picks, skewed group picks,
log-uniform values, the fraud pattern switches; each works on whole arrays, never per row."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from chipcustoms.synthetic.world import Arr, Cfg, Rng


# ------------------------------------------------------------------ vectorised row helpers
def cond(rng: Rng, cum: Arr, key: Arr) -> Arr:
    """Category per row given its key: one searchsorted over all keys' cumulative weights."""
    flat = (cum + np.arange(cum.shape[0])[:, None]).ravel()
    out: Arr = np.searchsorted(flat, key + rng.random(len(key)), side="right") - key * cum.shape[1]
    return out


def pick(rng: Rng, groups: Arr, idx: Arr | int, n: int, skew: float = 2.0) -> Arr:
    """Index into a vocabulary group, skewed to its front (the clean spellings); -1 if empty."""
    off, cnt = groups[0, idx], groups[1, idx]
    return np.where(cnt > 0, off + (cnt * rng.random(n) ** skew).astype(np.int64), -1)


def loguni(rng: Rng, lo: Arr, hi: Arr) -> Arr:
    return np.exp(np.log(lo) + rng.random(len(lo)) * np.log(hi / lo))


def uni(rng: Rng, bounds: Sequence[float], n: int) -> Arr:
    return rng.uniform(float(bounds[0]), float(bounds[1]), n)


def sig(x: Arr) -> Arr:
    return 1.0 / (1.0 + np.exp(-x))


def take(strings: pl.Series, idx: Arr) -> pl.Series:
    """Gather strings by index (a negative index means null): rows share the vocabulary's text."""
    out = strings.gather(np.maximum(idx, 0))
    neg = np.flatnonzero(idx < 0)
    return out.scatter(neg, None) if len(neg) else out


# ------------------------------------------------------------------ rows (per chunk, vectorised)
def pattern(f: Cfg, name: str, acc: Arr, intent: Arr) -> Arr:
    """P(pattern) by line kind and hidden intent, from the YAML [P | intent, P | no intent]."""
    a, o = (f[k]["patterns"].get(name, [0.0, 0.0]) for k in ("accelerator", "ordinary"))
    out: Arr = np.where(acc, np.where(intent, a[0], a[1]), np.where(intent, o[0], o[1]))
    return out


def sizes(rng: Rng, cfg: Cfg, n: int) -> Arr:
    """Items per declaration, summing exactly to n."""
    ip = cfg["items_per_declaration"]
    if n == 0:
        return np.zeros(0, np.int64)
    k = np.where(rng.random(n) < ip["single"], 1, 1 + rng.geometric(ip["geometric_p"], n))
    cs = np.cumsum(k := k.clip(max=ip["max"]))
    k = k[: int(np.searchsorted(cs, n)) + 1].copy()
    k[-1] -= int(k.sum()) - n
    return k
