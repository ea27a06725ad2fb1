"""Checking an inspector's lspci / nvidia-smi capture against the catalog.

The parser belongs to the recognition work (``chipcustoms.verify``); until it is present the
capture is stored verbatim and its verification says so, rather than guessing.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from chipcustoms.pipeline import References


def verify_capture(capture: str | None, claimed: str | None, refs: References) -> str | None:
    """JSON text of the verification result, or None without a capture."""
    if not capture:
        return None
    try:
        verify: Any = importlib.import_module("chipcustoms.verify")
    except ModuleNotFoundError:
        verify = None
    if not hasattr(verify, "verify_capture"):
        return json.dumps({"status": "not_verified", "why": "no capture parser installed"})
    result = verify.verify_capture(capture, refs.catalog, claimed=claimed)
    return json.dumps(result, default=str)
