"""Search by quote or keyword."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import ReadAccess, Service
from api.routes.videos import ERRORS
from api.schemas import HitOut, SearchOut
from indexer.search.parsing import MAX_LIMIT, MAX_OFFSET

router = APIRouter(tags=["search"])


@router.get("/v1/search", response_model=SearchOut, responses=ERRORS)
def search(
    service: Service,
    _read: ReadAccess,
    q: Annotated[str, Query(max_length=1000, description="A quote (quoted, or 6+ words) or keywords.")],
    mode: Literal["quote", "keyword"] | None = None,
    video: Annotated[str | None, Query(max_length=200)] = None,
    channel: Annotated[str | None, Query(max_length=200)] = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    after: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")] = None,
    before: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> SearchOut:
    result = service.search(q, mode=mode, video=video, channel=channel, language=language, after=after,
                            before=before, limit=limit, offset=offset, media_base="/media")
    return SearchOut(mode=result.mode, total=result.total, timed_out=result.timed_out,
                     hits=[HitOut(**asdict(h)) for h in result.hits])

