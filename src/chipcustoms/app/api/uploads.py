"""Job uploads: written to the jobs folder in bounded chunks, refused past a size limit, and
deleted when the job ends; messages about them never show a server path."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from fastapi import UploadFile

from chipcustoms import settings
from chipcustoms.app.api.envelope import APIError

CHUNK = 1 << 20
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:/[^\s'\"/:]+)+/?")


def max_bytes() -> int:
    return int(settings.get("upload_max_bytes"))


async def _save(folder: Path, upload: UploadFile, name: str, limit: int) -> Path:
    """Copy the upload to a fresh file, 1 MiB at a time; 413 (and nothing left) past ``limit``."""
    path = folder / f"up-{secrets.token_hex(8)}-{name}"
    size = 0
    try:
        with path.open("wb") as out:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise APIError(
                        413,
                        "too_large",
                        f"{name}: uploads are limited to {limit:,} "
                        "bytes (setting upload_max_bytes)",
                    )
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


async def stage(
    folder: Path, parts: list[tuple[str, UploadFile | None, str]]
) -> tuple[Path, Path | None]:
    """Save the data file and the optional mapping file; both or neither stay on disk."""
    limit, saved = max_bytes(), []
    try:
        for _, upload, name in parts:
            saved.append(None if upload is None else await _save(folder, upload, name, limit))
    except BaseException:
        discard(*saved)
        raise
    data = saved[0]
    assert data is not None  # the data file is required by the route
    return data, saved[1]


def discard(*paths: Path | str | None) -> None:
    """Delete a job's files, and what the run wrote beside its input (same stem)."""
    for p in paths:
        if p is None:
            continue
        path = Path(p)
        for f in path.parent.glob(f"{path.stem}*"):
            f.unlink(missing_ok=True)
        path.unlink(missing_ok=True)


def public_message(exc: BaseException) -> str:
    """The error with every absolute path cut to its last part: a client learns what was
    wrong with its file, not where the server keeps things or which files exist there."""
    return _PATH.sub(lambda m: Path(m.group(0).rstrip("/")).name or "/", str(exc))
