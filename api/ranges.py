"""Files served with HTTP range requests, whose bad `Range` headers are answered as every other error is.

Why: Starlette's FileResponse answers a malformed range with a plain-text 400 and one past the end with an empty 416,
where every other error of the API is JSON `{"error": ...}`; a client reading errors as JSON failed on them. The
header is read here first, by the same rules (RFC 9110's byte ranges, as Starlette applies them), and refused with a
JSON answer; a header that passes is then served by Starlette as before. The routes that serve files take HEAD as
well as GET (link checkers and players ask for the headers alone), and `If-None-Match` gets its 304.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, Response

_PART = re.compile(r"([0-9]*)-([0-9]*)")


def file_response(request: Request, path: Path, **options: Any) -> Response:
    """A FileResponse for `path`, once the request's `Range` header (if any) is known to be one it can serve; a 304
    without the body when the request's `If-None-Match` names the file's ETag (a player or a page that has it)."""
    stat = path.stat()
    check_range(request.headers.get("range"), stat.st_size)
    response = FileResponse(path, stat_result=stat, **options)
    etag = response.headers["etag"]
    if etag in {tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")}:
        kept = {k: v for k, v in response.headers.items() if k in ("etag", "last-modified", "cache-control")}
        return Response(status_code=304, headers=kept)
    return response


def check_range(header: str | None, size: int) -> None:
    """Raise a 400 for a `Range` header that is not byte ranges, a 416 (with `Content-Range: bytes */size`) for one
    that starts at or past the end of the file."""
    if header is None:
        return
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        raise HTTPException(400, "the Range header must ask for bytes, as bytes=START-END")
    for part in spec.split(","):
        m = _PART.fullmatch(part.strip())
        if m is None or not any(m.groups()):
            raise HTTPException(400, f"the Range header's part {part.strip()[:40]!r} is not START-END, START- or "
                                     "-LENGTH")
        first, last = m.groups()
        if first and last and int(first) > int(last):
            raise HTTPException(400, "the Range header's start must not lie after its end")
        start = int(first) if first else size - int(last)
        if not 0 <= start < size:
            raise HTTPException(416, f"the range starts past the file's end ({size} bytes)",
                                headers={"Content-Range": f"bytes */{size}"})
