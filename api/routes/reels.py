"""Highlight reels: create, add clips (hit, chapter or range), reorder, render as a background job, export."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AnyCase, Paging, ReadAccess, Service, WriteKey
from api.ranges import file_response
from api.routes.videos import ERRORS, job_out
from api.schemas import JobOut
from indexer.errors import InvalidInput, NotFound
from indexer.reels.service import MEDIA_TYPES, ExportFormat, HitRef

router = APIRouter(tags=["reels"])


class ReelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)


class ClipIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hit: dict[str, Any] | None = Field(default=None, description="A search hit (video_id, start, end, text).")
    chapter: int | None = Field(default=None, ge=1, le=10_000, description="With video: its chapter N (from 1).")
    video: str | None = Field(default=None, max_length=200)
    start: float | None = Field(default=None, ge=0, le=1e6)
    end: float | None = Field(default=None, ge=0, le=1e6)
    pad: float | None = Field(default=None, ge=0, le=30)
    snap: Literal["word", "sentence", "none"] = "word"
    label: str | None = Field(default=None, max_length=200, description="With video, start and end: the clip's name "
                              "(e.g. the words selected); else the video's title.")


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: int = Field(ge=1, le=10_000)


class TrimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: float = Field(ge=0, le=1e6)
    end: float = Field(ge=0, le=1e6)


class RenderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fast: bool = Field(default=False, description="Smart cut: copy the sources' video between keyframes and encode "
                       "only around each cut (same cuts, many times quicker; no titles or burned captions).")
    captions: Literal["burn", "sidecar", "none"] = "none"
    titles: bool = Field(default=False, description="A 2 s title card with each clip's label before it (as "
                         "`reel render --titles`; not with fast).")


class ClipOut(BaseModel):
    video_id: str
    start: float
    end: float
    label: str
    origin: str


class ReelOut(BaseModel):
    id: str
    title: str
    clips: list[ClipOut]
    duration: float
    updated_at: float | None = Field(default=None, description="When its title or clips last changed (Unix time).")


def _version(if_match: Annotated[str | None, Header(
        alias="If-Match", description='The reel\'s `updated_at` as read: "1796.25"')] = None) -> float | None:
    """The reel version an If-Match header names (quoted, perhaps weak), or None where none is sent."""
    if if_match is None or not if_match.strip() or if_match.strip() == "*":
        return None
    try:
        return float(if_match.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise InvalidInput(f"If-Match must name the reel's updated_at, as \"1796499789.79\" (got {if_match[:40]!r})"
                           ) from None


Seen = Annotated[float | None, Depends(_version)]  # the reel's version a write was made on (ReelStore.edit)


def reel_out(reel: Any) -> ReelOut:
    return ReelOut(id=reel.id, title=reel.title, clips=[ClipOut(**asdict(c)) for c in reel.clips],
                   duration=reel.duration, updated_at=reel.updated_at)


@router.post("/v1/reels", status_code=201, response_model=ReelOut, responses=ERRORS)
def new_reel(body: ReelIn, service: Service, _key: WriteKey) -> ReelOut:
    return reel_out(service.reels.new(body.title))


@router.get("/v1/reels", response_model=list[ReelOut], responses=ERRORS)
def list_reels(service: Service, _read: ReadAccess, page: Paging, response: Response) -> list[ReelOut]:
    """The reels, oldest first (`limit` and `offset` page them; `X-Total-Count` says how many)."""
    return [reel_out(r) for r in page.of(service.reels.list(), response)]


@router.get("/v1/reels/{reel_id}", response_model=ReelOut, responses=ERRORS)
def get_reel(reel_id: str, service: Service, _read: ReadAccess) -> ReelOut:
    return reel_out(service.reels.get(reel_id))


@router.patch("/v1/reels/{reel_id}", response_model=ReelOut, responses=ERRORS)
def rename_reel(reel_id: str, body: ReelIn, service: Service, _key: WriteKey, seen: Seen = None) -> ReelOut:
    """Rename the reel (with `If-Match: "<updated_at>"`, only if no one changed it since: else 409)."""
    return reel_out(service.reels.rename(reel_id, body.title, seen))


@router.delete("/v1/reels/{reel_id}", response_model=dict[str, str], responses=ERRORS)
def delete_reel(reel_id: str, service: Service, _key: WriteKey, seen: Seen = None) -> dict[str, str]:
    """Delete the reel and its clips (with `If-Match: "<updated_at>"`, only if no one changed it since: else 409)."""
    return {"deleted": service.reels.delete(reel_id, seen)}


@router.post("/v1/reels/{reel_id}/clips", status_code=201, response_model=ReelOut, responses=ERRORS)
def add_clip(reel_id: str, body: ClipIn, service: Service, _key: WriteKey) -> ReelOut:
    asked = [name for name, given in (("a hit", body.hit is not None), ("a chapter", body.chapter is not None),
                                      ("start and end", body.start is not None or body.end is not None)) if given]
    if len(asked) > 1:  # one of them was taken and the rest dropped unsaid: a whole chapter for a second's range
        raise InvalidInput(f"give a hit, or a video with a chapter, or a video with start and end, not "
                           f"{' and '.join(asked)}")
    if body.hit is not None:
        pad = 0.5 if body.pad is None else body.pad
        return reel_out(service.reels.add_hit(reel_id, HitRef.parse(body.hit), pad=pad, snap_to=body.snap))
    if body.video and body.chapter is not None:
        return reel_out(service.reels.add_chapter(reel_id, body.video, body.chapter, pad=body.pad or 0.0))
    if body.video and body.start is not None and body.end is not None:
        return reel_out(service.reels.add_range(reel_id, body.video, body.start, body.end, pad=body.pad or 0.0,
                                                snap_to=body.snap, label=(body.label or "").strip()))
    raise InvalidInput("give a hit, or a video with a chapter, or a video with start and end")


@router.patch("/v1/reels/{reel_id}/clips/{position}", response_model=ReelOut, responses=ERRORS)
def trim_clip(reel_id: str, position: int, body: TrimIn, service: Service, _key: WriteKey,
              seen: Seen = None) -> ReelOut:
    """Move a clip's edges; they snap out to whole words. A clip is named by its position: send the reel's
    `updated_at` as read in `If-Match: "<updated_at>"`, and a reel changed since (the position may hold another clip
    now) is a 409 instead of an edit of the wrong clip. The same holds for moving and removing a clip."""
    return reel_out(service.reels.trim_clip(reel_id, position, body.start, body.end, seen))


@router.post("/v1/reels/{reel_id}/clips/{position}/move", response_model=ReelOut, responses=ERRORS)
def move_clip(reel_id: str, position: int, body: MoveIn, service: Service, _key: WriteKey,
              seen: Seen = None) -> ReelOut:
    return reel_out(service.reels.move_clip(reel_id, position, body.to, seen))


@router.delete("/v1/reels/{reel_id}/clips/{position}", response_model=ReelOut, responses=ERRORS)
def remove_clip(reel_id: str, position: int, service: Service, _key: WriteKey, seen: Seen = None) -> ReelOut:
    return reel_out(service.reels.remove_clip(reel_id, position, seen))


@router.post("/v1/reels/{reel_id}/render", status_code=202, response_model=JobOut, responses=ERRORS)
def render(reel_id: str, service: Service, _key: WriteKey, body: RenderIn | None = None) -> JobOut:
    """Queue a render of the reel as it is now (no body: accurate, no captions)."""
    body = body or RenderIn()
    job = service.reels.submit_render(reel_id, fast=body.fast, captions=body.captions, titles=body.titles)
    return job_out(job, service.jobs)


@router.get("/v1/reels/{reel_id}/export", responses={**ERRORS, 200: {"content": {"text/plain": {}}}},
            response_class=Response)
def export(reel_id: str, service: Service, _read: ReadAccess,
           format: Annotated[ExportFormat, AnyCase, Query()] = "otio") -> Response:
    """The reel's timeline (OTIO, EDL, FCPXML), captions or manifest. When an EDL had to conform sources to its one
    frame rate, the `X-Clipindex-Warnings` header says which clips and how."""
    exported = service.reels.export_file(reel_id, format, media_base="/media")
    headers = {"Content-Disposition": f'attachment; filename="reel.{format}"'}
    if exported.warnings:  # e.g. sources conformed to the EDL's one frame rate (the notes are plain ASCII)
        headers["X-Clipindex-Warnings"] = " | ".join(exported.warnings)
    return Response(exported.text, media_type=f"{MEDIA_TYPES[format]}; charset=utf-8", headers=headers)


@router.get("/v1/renders/{name}", response_class=FileResponse, responses=ERRORS)
@router.head("/v1/renders/{name}", include_in_schema=False)
def download(name: str, request: Request, service: Service, _read: ReadAccess) -> Response:
    folder = service.reels.render_dir().resolve()
    path = _rendered(folder, name)
    if path is None:
        raise NotFound(f"no rendered file {name!r}")
    return file_response(request, path, filename=path.name)


def _rendered(folder: Path, name: str) -> Path | None:
    """The rendered file `name` in `folder`, or None: a name that leaves the folder, is no render's, is not there,
    or that the file system cannot hold (too long, a NUL byte) names none."""
    try:
        path = (folder / name).resolve()
        found = path.parent == folder and path.suffix in (".mp4", ".srt", ".vtt") and path.is_file()
    except (OSError, ValueError):  # ValueError: an embedded NUL byte
        return None
    return path if found else None
