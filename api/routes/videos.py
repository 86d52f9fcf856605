"""Videos: ingest (a URL or an uploaded file, as a background job), list, read, transcript, delete."""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict
from typing import Annotated, Any, cast

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from api.deps import AnyCase, Paging, ReadAccess, Service, WriteKey
from api.ranges import file_response
from api.schemas import (
    CorrectionIn,
    CorrectionOut,
    DeletedOut,
    ErrorOut,
    IngestIn,
    JobOut,
    TranscriptOut,
    VideoDetailOut,
    VideoOut,
    VideoPatchIn,
)
from indexer.errors import InvalidInput
from indexer.formats import MEDIA_TYPES, TranscriptFormat, segment_record
from indexer.ingest.plan import TITLE_MAX, check_untrusted
from indexer.ingest.types import CaptionPolicy, IngestOptions
from indexer.models import Transcript
from indexer.service import Clipindex
from indexer.store.files import partial_path
from indexer.store.jobs import Job, JobQueue

router = APIRouter(prefix="/v1/videos", tags=["videos"])
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (400, 401, 404, 409, 413, 422, 503)}
UPLOAD_FIELDS = ("article", "language", "captions", "keep_video", "force", "title", "accept_partial")

_INGEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": IngestIn.model_json_schema()},  # a request read by hand: inline
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"},
                               "language": {"type": "string"}, "title": {"type": "string"},
                               "captions": {"type": "string", "enum": ["auto", "only", "never"]}},
            }},
        },
    }
}


def job_out(job: Job, queue: JobQueue) -> JobOut:
    audio, stall = job.audio, queue.stalled(job)
    return JobOut(id=job.id, kind=job.kind, title=job.title, state=job.state, step=job.step,
                  progress=job.progress, audio_done=audio.done if audio else None,
                  audio_total=audio.total if audio else None, eta_s=audio.left if audio else None,
                  stalled_s=round(stall.silent_s, 1) if stall else None,
                  takeover_s=round(stall.takeover_s, 1) if stall else None, detail=job.detail, error=job.error,
                  attempts=job.attempts, result=job.result, created_at=job.created_at, updated_at=job.updated_at)


@router.post("", status_code=202, response_model=JobOut, responses=ERRORS, openapi_extra=_INGEST_BODY,
             summary="Ingest a video from a URL (JSON) or an uploaded file (multipart); returns a job")
async def create_video(request: Request, service: Service, _key: WriteKey) -> JobOut:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        return job_out(await _from_json(request, service), service.jobs)
    if kind == "multipart/form-data":
        return job_out(await _from_upload(request, service), service.jobs)
    raise HTTPException(415, "send application/json with a url, or multipart/form-data with a file")


async def _from_json(request: Request, service: Clipindex) -> Job:
    try:
        body = IngestIn.model_validate(json.loads(await request.body()))
    except (ValueError, ValidationError) as exc:
        raise InvalidInput(f"bad request body: {_first_error(exc)}") from None
    except RecursionError:  # json.loads on brackets nested thousands deep
        raise InvalidInput("bad request body: nested too deeply") from None
    options = IngestOptions(**body.model_dump(exclude={"url"}))
    return service.submit_remote_url(body.url, options)


async def _from_upload(request: Request, service: Clipindex) -> Job:
    form = await request.form(max_files=1, max_fields=len(UPLOAD_FIELDS) + 1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInput("the multipart body needs a 'file' part")
    fields = {k: str(v) for k, v in form.items() if k != "file" and isinstance(v, str)}
    unknown = set(fields) - set(UPLOAD_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown form fields: {', '.join(sorted(unknown))}")
    options = IngestOptions(
        article=fields.get("article") or None, language=fields.get("language") or None,
        captions=cast(CaptionPolicy, fields.get("captions") or "auto"), title=fields.get("title") or None,
        keep_video=fields.get("keep_video", "").lower() in ("1", "true", "yes"),
        force=fields.get("force", "").lower() in ("1", "true", "yes"),
        accept_partial=fields.get("accept_partial", "").lower() in ("1", "true", "yes"),
        url=None)
    target = service.upload_path(upload.filename or "")
    options = IngestOptions(**{**asdict(options), "title": options.title or _stem(upload.filename)})
    check_untrusted(options)  # before the upload is written
    tmp = partial_path(target)  # named after this process: if it dies now, the next start removes it
    try:
        with tmp.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 1 << 20)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        return service.submit_upload(target, _base_name(upload.filename) or target.name, options)
    except Exception:
        target.unlink(missing_ok=True)
        raise


def _public_source(source: str) -> str:
    """A URL as it is; a file on the server by its name only (its folders are the server's business)."""
    return source if "://" in source else os.path.basename(source)


def _base_name(filename: str | None) -> str:
    """The client's file name without any folder it names (it is shown to the user, never used as a path). Browsers
    send `"`, a line feed and a carriage return in a multipart file name as %22, %0A and %0D (the HTML standard's
    form encoding): the quote is read back, so the name is shown as the user wrote it, and a line break as a space
    (a message names the file on one line)."""
    name = (filename or "").replace("%22", '"').replace("%0A", " ").replace("%0D", " ")
    return os.path.basename(name.replace("\\", "/"))[:200]


def _stem(filename: str | None) -> str:
    """A title from a file's name until someone gives a better one: "council_meeting-2025" reads "council meeting
    2025" (the page's "Edit details" corrects it)."""
    stem = os.path.splitext(_base_name(filename) or "upload")[0] or "upload"
    stem = "".join(" " if unicodedata.category(c) == "Cc" else c for c in stem)
    return (" ".join(stem.replace("_", " ").replace("-", " ").split()) or "upload")[:TITLE_MAX]


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return f"{'.'.join(str(x) for x in err['loc']) or 'body'}: {err['msg']}"
    return "not valid JSON"


@router.get("", response_model=list[VideoOut], responses=ERRORS)
def list_videos(service: Service, _read: ReadAccess, page: Paging, response: Response) -> list[VideoOut]:
    """The archive's videos, oldest first (`limit` and `offset` page them; `X-Total-Count` says how many)."""
    listed = service.videos(page.limit, page.offset)  # the page alone is read: the end of a long list costs no more
    return [VideoOut(**asdict(v)) for v in page.counted(listed, service.video_count(), response)]


@router.get("/{video_id}", response_model=VideoDetailOut, responses=ERRORS)
def get_video(video_id: str, service: Service, _read: ReadAccess) -> VideoDetailOut:
    video = service.video(video_id)
    summary = service.video_summary(video.id)
    return VideoDetailOut(
        **asdict(summary), source=_public_source(video.source), description=video.description,
        article=_public_source(video.article) if video.article else None,
        media_url=f"/media/{video.id}" if video.media_path else None,
        creator_chapters=[{"start": s, "end": e, "title": t} for s, e, t in video.creator_chapters])


@router.patch("/{video_id}", response_model=VideoDetailOut, responses=ERRORS)
def edit_video(video_id: str, body: VideoPatchIn, service: Service, _key: WriteKey) -> VideoDetailOut:
    """Correct a video's title, channel or date (fields left out stay as they are; null or "" clears a channel or
    a date)."""
    if "title" in body.model_fields_set and body.title is None:
        raise InvalidInput("title: a video keeps a title; send the new one, or leave the field out")
    # null, as JSON clears a field, was read as "left out": the date stayed, and date filters still found the video
    cleared = {name: "" for name in ("channel", "published")
               if name in body.model_fields_set and getattr(body, name) is None}
    video = service.update_video(video_id, title=body.title, channel=cleared.get("channel", body.channel),
                                 published=cleared.get("published", body.published))
    return get_video(video.id, service, None)


@router.get("/{video_id}/frame", response_class=FileResponse, responses=ERRORS)
@router.head("/{video_id}/frame", include_in_schema=False)
def frame(video_id: str, request: Request, service: Service, _read: ReadAccess,
          t: Annotated[float, Query(ge=0, le=1e6, description="Seconds from the start.")] = 0.0) -> Response:
    """A small JPEG of the video at second t, for result lists (made once, then cached)."""
    return file_response(request, service.frame(video_id, t), media_type="image/jpeg",
                         headers={"Cache-Control": "max-age=86400"})


@router.get("/{video_id}/transcript", responses={**ERRORS, 200: {"model": TranscriptOut, "content": {
    "text/plain": {}, "text/vtt": {}, "application/x-subrip": {}, "application/ttml+xml": {}}}}, response_model=None)
def get_transcript(video_id: str, service: Service, _read: ReadAccess,
                   format: Annotated[TranscriptFormat, AnyCase, Query()] = "json") -> Response:
    if format == "json":  # written a segment at a time: a 48-hour caption file's transcript took 1.2 GB as one model
        return StreamingResponse(_transcript_json(service.transcript(video_id)), media_type="application/json")
    media = MEDIA_TYPES[format]
    return Response(service.render_transcript(video_id, format), media_type=f"{media}; charset=utf-8")


@router.get("/{video_id}/corrections", response_model=list[CorrectionOut], responses=ERRORS)
def list_corrections(video_id: str, service: Service, _read: ReadAccess) -> list[CorrectionOut]:
    return [CorrectionOut.model_validate(asdict(c)) for c in service.corrections(video_id)]


@router.post("/{video_id}/corrections", status_code=201, response_model=CorrectionOut, responses=ERRORS,
             summary="Replace the transcript's words in [start, end] with the given text (reversible)")
def correct_words(video_id: str, body: CorrectionIn, service: Service, _key: WriteKey) -> CorrectionOut:
    return CorrectionOut.model_validate(asdict(service.correct_words(video_id, body.start, body.end, body.text,
                                                                     was=body.was)))


@router.delete("/{video_id}/corrections/{correction_id}", response_model=CorrectionOut, responses=ERRORS,
               summary="Revert a correction: the words it replaced come back")
def revert_correction(video_id: str, correction_id: str, service: Service, _key: WriteKey) -> CorrectionOut:
    return CorrectionOut.model_validate(asdict(service.revert_correction(video_id, correction_id)))


@router.delete("/{video_id}", response_model=DeletedOut, responses=ERRORS)
def delete_video(video_id: str, service: Service, _key: WriteKey,
                 force: Annotated[bool, Query(description="Also take its clips out of the reels that hold them "
                                                          "(without it, such a video is a 409).")] = False
                 ) -> DeletedOut:
    """Delete the video and everything made of it (its renders and job records too); a video whose clips reels
    hold is a 409 unless `force`."""
    removed = service.delete_video(video_id, force)
    return DeletedOut(deleted=removed.video_id, reels=[asdict(r) for r in removed.reels],
                      renders=list(removed.renders), articles=list(removed.articles))


def _transcript_json(tr: Transcript) -> Iterator[str]:
    """TranscriptOut's JSON, in pieces of about 64 KB (a piece a segment made a long transcript's answer slow)."""
    head = {"video_id": tr.video_id, "language": tr.language, "engine": tr.engine, "model": tr.model,
            "warnings": list(tr.warnings)}
    piece = [json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"segments":[']
    size = 0
    for k, s in enumerate(tr.segments):
        piece.append(("," if k else "") + json.dumps(segment_record(s), ensure_ascii=False, separators=(",", ":")))
        size += len(piece[-1])
        if size > 65536:
            yield "".join(piece)
            piece, size = [], 0
    yield "".join(piece) + "]}"
