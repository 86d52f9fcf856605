"""Local media, streamed with HTTP range requests so a browser's player can seek."""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from api.deps import ReadAccess, Service
from api.ranges import file_response
from api.routes.videos import ERRORS

router = APIRouter(tags=["media"])


@router.get("/media/{video_id}", response_class=FileResponse, responses=ERRORS)
@router.head("/media/{video_id}", include_in_schema=False)  # the headers alone: players and link checkers ask
def media(video_id: str, request: Request, service: Service, _read: ReadAccess) -> Response:
    path = service.media_file(video_id)
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".mkv":
        kind = "video/x-matroska"
    return file_response(request, path, media_type=kind)
