"""One error envelope for every error the API returns.

``{"error": {"status": 422, "code": "invalid_input", "message": "...", "details": [...]}}``;
each detail names the field (``loc``) and the problem. Domain errors carry their status.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from chipcustoms.app.security_headers import HEADERS
from chipcustoms.errors import ChipCustomsError, StoreBusy

# Seconds a client is asked to wait when the store's write lock is held by a batch write.
RETRY_AFTER = 5

LOG = logging.getLogger("chipcustoms.api")


class APIError(Exception):
    def __init__(
        self, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []


def envelope(
    status: int,
    code: str,
    message: str,
    details: list[Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {"status": status, "code": code, "message": message, "details": details or []}
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status >= 500:  # answered outside the middleware stack (app/security_headers.py)
        headers.update(HEADERS)
    return JSONResponse({"error": body}, status_code=status, headers=headers or None)


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "[key]")) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(APIError)
    async def api_error(_: Request, exc: APIError) -> JSONResponse:
        return envelope(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(StoreBusy)
    async def busy(_: Request, exc: StoreBusy) -> JSONResponse:
        # A batch job or a concurrent screen holds the write lock: try again, nothing was written.
        response = envelope(503, "store_busy", "the store is busy with a batch write; retry")
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response

    @app.exception_handler(ChipCustomsError)
    async def domain_error(_: Request, exc: ChipCustomsError) -> JSONResponse:
        code = {404: "not_found", 409: "conflict", 422: "invalid_input"}.get(exc.status)
        return envelope(exc.status, code or "bad_request", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return envelope(400, "malformed_json", "the request body is not valid JSON")
        details = [{"field": _loc(e["loc"]), "problem": e["msg"]} for e in errors]
        fields = ", ".join(d["field"] for d in details[:5])
        return envelope(422, "invalid_input", f"invalid input: {fields}", details)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        # A 405 keeps Starlette's ``Allow`` header (RFC 9110): the methods the path does have.
        return envelope(exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        # The client learns only the class; the server's log keeps the whole traceback.
        LOG.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return envelope(500, "internal_error", f"internal error ({type(exc).__name__})")
