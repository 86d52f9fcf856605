"""Local media, streamed with HTTP range requests so a browser's player can seek."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from api.deps import ReadAccess, Service
from api.ranges import file_response
from api.routes.videos import ERRORS

router = APIRouter(tags=["media"])
# the type of every media file clipindex takes (media.sources.MEDIA_EXTS), fixed here: the host's mime.types named
# ".ts" a Qt translation file (text/vnd.trolltech.linguist, with a charset), and a player refused it
MEDIA_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mkv": "video/x-matroska", ".webm": "video/webm",
               ".mov": "video/quicktime", ".avi": "video/x-msvideo", ".mpg": "video/mpeg", ".mpeg": "video/mpeg",
               ".ts": "video/mp2t", ".3gp": "video/3gpp", ".mp3": "audio/mpeg", ".m4a": "audio/mp4",
               ".aac": "audio/aac", ".wav": "audio/wav", ".opus": "audio/ogg", ".ogg": "audio/ogg",
               ".oga": "audio/ogg", ".flac": "audio/flac", ".wma": "audio/x-ms-wma"}


@router.get("/media/{video_id}", response_class=FileResponse, responses=ERRORS)
@router.head("/media/{video_id}", include_in_schema=False)  # the headers alone: players and link checkers ask
def media(video_id: str, request: Request, service: Service, _read: ReadAccess) -> Response:
    path = service.media_file(video_id)
    return file_response(request, path, media_type=MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"))
