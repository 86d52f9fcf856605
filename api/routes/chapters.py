"""A video's chapters: read every list, and the editor's own list set, one title changed, or taken back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import ReadAccess, Service, WriteKey
from api.routes.videos import ERRORS
from api.schemas import ChapterOut, ChaptersIn, ChapterTitleIn
from indexer.chapters.edits import ChapterEdit
from indexer.models import Chapter

router = APIRouter(prefix="/v1/videos/{video_id}/chapters", tags=["chapters"])


def _out(items: list[Chapter]) -> list[ChapterOut]:
    return [ChapterOut(start=c.start, end=c.end, title=c.title, keywords=list(c.keywords), source=c.source,
                       method=c.method) for c in items]


@router.get("", response_model=list[ChapterOut], responses=ERRORS)
def chapters(video_id: str, service: Service, _read: ReadAccess) -> list[ChapterOut]:
    """Every list the video has, the one shown first: an editor's, else the creator's, else the computed one."""
    return _out(service.chapters.get(video_id))


@router.put("", response_model=list[ChapterOut], responses=ERRORS,
            summary="Set the editor's chapter list, shown from now on (segmenting again does not replace it)")
def set_chapters(video_id: str, body: ChaptersIn, service: Service, _key: WriteKey) -> list[ChapterOut]:
    was = [ChapterEdit(c.start, c.title) for c in body.was] if body.was is not None else None
    return _out(service.chapters.edit(video_id, [ChapterEdit(c.start, c.title, c.made) for c in body.chapters],
                                              was=was))


@router.patch("/{number}", response_model=list[ChapterOut], responses=ERRORS,
              summary="Rename one chapter of the list shown (numbered from 1); the list becomes the editor's")
def rename_chapter(video_id: str, number: Annotated[int, Path(ge=1, le=100000)], body: ChapterTitleIn,
                   service: Service, _key: WriteKey) -> list[ChapterOut]:
    return _out(service.chapters.rename(video_id, number, body.title, was=body.was))


@router.delete("/edits", response_model=list[ChapterOut], responses=ERRORS,
               summary="Take the editor's list away: the creator's or the computed chapters are shown again")
def revert_chapters(video_id: str, service: Service, _key: WriteKey) -> list[ChapterOut]:
    return _out(service.chapters.revert(video_id)[0])
