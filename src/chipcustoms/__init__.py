"""chipcustoms: customs risk targeting for AI accelerators.

The public surface is small on purpose (see ``__all__``); everything else lives in
modules named after what they own, listed in ``docs/architecture.md``.
"""

from chipcustoms.errors import ChipCustomsError, InputError, ReferenceDataError

__version__ = "0.1.0"

__all__ = ["ChipCustomsError", "InputError", "ReferenceDataError", "__version__"]
