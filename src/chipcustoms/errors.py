"""The exception tree, drawn once so callers know what to catch.

    ChipCustomsError            anything chipcustoms raises on purpose (exit code 2 in the CLI)
    ├── ReferenceDataError      reference data is invalid (names the file and the entry)
    ├── InputError              a declarations file cannot be read at all (names the file)
    ├── RuleError               a policy condition is not an allowed SQL expression
    ├── StoreError              the store cannot be opened or is at an unknown schema version
    │   └── StoreBusy           another writer held the store's write lock past the wait limit
    ├── NotFoundError           a named thing (a case, a user) does not exist         (HTTP 404)
    ├── InvalidRequestError     a request names something it may not use (a user)     (HTTP 422)
    └── ConflictError           the request contradicts the stored state (closed case) (HTTP 409)

Each class carries ``status``, the HTTP status the API and the pages answer with (400 otherwise).

Bad *rows* are never exceptions: they go to quarantine with file, row, field and reason.
"""

from __future__ import annotations


class ChipCustomsError(Exception):
    """Base class: the CLI turns these into one clear message and exit code 2."""

    status = 400


class ReferenceDataError(ChipCustomsError):
    """Reference data failed validation; the message names the file and the entry."""


class InputError(ChipCustomsError):
    """An input file as a whole cannot be read (missing, unknown format, no usable columns)."""


class RuleError(ChipCustomsError):
    """A rule condition uses SQL outside the allowed expression subset."""


class StoreError(ChipCustomsError):
    """The store cannot be used (unreachable, or a schema this version does not know)."""


class NotFoundError(ChipCustomsError):
    """A case, user or other named thing does not exist."""

    status = 404


class InvalidRequestError(ChipCustomsError):
    """The request names something it may not use (an assignee who cannot work the office)."""

    status = 422


class ConflictError(ChipCustomsError):
    """The request contradicts the stored state: a second outcome on a closed case."""

    status = 409


class StoreBusy(StoreError):
    """Another process held the store's write lock longer than this one may wait.

    Nothing was written; the same call may be repeated. The server answers 503 with Retry-After.
    """
