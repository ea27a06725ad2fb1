"""Synthetic, seeded customs declarations with hidden ground truth.

Real declarations with inspection outcomes are confidential, yet every part of the pipeline
(ingest, resolution, rules, the learned model, selection) needs volume and labels to be built and
evaluated. This module draws a small *world* once per seed (traders, declarants, a vocabulary of
a few thousand description spellings, the accelerator mix from the catalog) and then draws rows
vectorised in fixed-size chunks, each seeded by ``(seed, chunk index)``: so :func:`generate` and
:func:`generate_batches` yield the same rows whatever the batch size, and millions of rows never
sit in memory at once. All the numbers live in ``refdata/generator.yaml``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from chipcustoms.catalog import Catalog, load_catalog
from chipcustoms.refdata import REFDATA, load_yaml
from chipcustoms.schema import EXTRA, FLOWS, TRANSPORT_MODES, canonical_schema
from chipcustoms.world import World, build_world

__all__ = ["config", "generate", "generate_batches"]

_CHUNK = 1 << 16  # rows per independently seeded chunk; batches are slices of the chunk stream
Arr = npt.NDArray[Any]
Rng = np.random.Generator
