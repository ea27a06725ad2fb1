"""A bound on request bodies: 413 before a large body is read, not after it fills memory.

JSON bodies (a screen of at most 1,000 lines, case work) are bounded by ``request_max_bytes``.
File uploads (``multipart/form-data``: batch jobs, inspection captures) by ``upload_max_bytes``
instead, which ``app/api/uploads.py`` also enforces chunk by chunk as it writes them to disk.
A body that states its length is refused on the header alone; a chunked body without one is
read up to the bound and refused past it (an upload without a length is left to uploads.py,
which never holds it in memory).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chipcustoms import settings
from chipcustoms.app.api.envelope import envelope

FORM_SLACK = 64 * 1024  # multipart boundaries and the form's other fields around the file


class SizeLimit:
    """ASGI middleware: 413 for a request body larger than its bound."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.json_bytes = int(settings.get("request_max_bytes"))
        self.upload_bytes = int(settings.get("upload_max_bytes")) + FORM_SLACK

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        upload = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        bound = self.upload_bytes if upload else self.json_bytes
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > bound:
                await self._refuse(bound, scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if upload or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        body, more = [], True
        size = 0
        while more:  # chunked: read up to the bound, then replay what was read
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            size += len(message.get("body", b""))
            if size > bound:
                await self._refuse(bound, scope, receive, send)
                return
            body.append(message)
            more = bool(message.get("more_body"))
        await self.app(scope, _replay(body, receive), send)

    @staticmethod
    async def _refuse(bound: int, scope: Scope, receive: Receive, send: Send) -> None:
        response = envelope(
            413,
            "too_large",
            f"request body over {bound:,} bytes "
            "(setting request_max_bytes; uploads: upload_max_bytes)",
        )
        await response(scope, receive, send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A ``receive`` that gives ``messages`` first, then defers to ``then``."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive
