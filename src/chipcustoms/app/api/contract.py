"""What the OpenAPI document promises besides the 200: the one error envelope as a schema, the
errors each route can really answer, and an example per operation.

A generated client (or schemathesis, tests/test_contract.py) reads these declarations; a route
that can answer a status not declared here breaks the contract, so each route names its own
list from the building blocks below rather than one catch-all.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    """One problem: the field it concerns (dotted path, ``body`` for the whole body)."""

    model_config = ConfigDict(extra="forbid")
    field: str
    problem: str


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: int = Field(ge=400, le=599, description="The HTTP status, repeated.")
    code: str = Field(description="A stable machine-readable code, e.g. invalid_input.")
    message: str = Field(description="For people; never names a server path.")
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorEnvelope(BaseModel):
    """Every error the API answers, whatever its status (app/api/envelope.py)."""

    model_config = ConfigDict(extra="forbid")
    error: ErrorBody


WHY = {
    400: "The body is not valid JSON, or the request contradicts a rule of the domain.",
    401: "No API key, or an unknown or revoked one (`Authorization: Bearer KEY`).",
    403: "The key's role may not do this, or the target belongs to another office.",
    404: "No such thing (for a job of someone else, too: its number tells nothing).",
    409: "The request contradicts the stored state (a closed case, no cut-offs yet).",
    413: "The body is larger than the setting `request_max_bytes` (`upload_max_bytes` for an "
    "upload).",
    422: "The request does not match this document's schema; `details` name the fields.",
    429: "Too many requests with this key (settings `api_rate_per_second`, `api_rate_burst`); "
    "`Retry-After` says when to try again.",
    503: "The store is busy with a batch write (`Retry-After`), or not ready.",
}

# The building blocks: every route behind a key can answer 401 and 403 (role), 429 past the
# key's rate, 503 when a batch write holds the store; a route with a body answers 400, 413 past
# the size limit and 422.
AUTH = (401, 403, 429, 503)
BODY = (400, 413, 422)


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status with the envelope as its schema and an example."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in sorted(set(codes)):
        example = {
            "error": {"status": code, "code": CODES[code], "message": WHY[code], "details": []}
        }
        if code == 422:
            example["error"]["details"] = [
                {"field": "lines.0.declaration_id", "problem": "String should match pattern '\\S'"}
            ]
        out[code] = {
            "model": ErrorEnvelope,
            "description": WHY[code],
            "content": {"application/json": {"example": example}},
        }
    return out


CODES = {
    400: "malformed_json",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    422: "invalid_input",
    503: "store_busy",
}


def ok(example: dict[str, Any], status: int = 200) -> dict[int | str, dict[str, Any]]:
    """The success response's example (the schema itself comes from the route)."""
    return {status: {"content": {"application/json": {"example": example}}}}


def answers(example: dict[str, Any], *codes: int, status: int = 200) -> dict[int | str, Any]:
    """A route's ``responses=``: its success example and the errors it can answer."""
    return {**ok(example, status), **errors(*codes)}
