"""Articles: add (linked to videos), list, read, export; and a video's linked article for the web page."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ReadAccess, Service, WriteKey
from api.routes.videos import ERRORS

router = APIRouter(tags=["articles"])


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=2000, description="The article's http(s) URL.")
    videos: list[Annotated[str, Field(max_length=200)]] | None = Field(
        default=None, max_length=20, description="Link to these videos; else candidates are found by search.")


class ArticleSummaryOut(BaseModel):
    id: str
    title: str
    url: str | None
    videos: list[str]


@router.post("/v1/articles", status_code=201, responses=ERRORS, response_model=dict[str, Any])
def add_article(body: ArticleIn, service: Service, _key: WriteKey) -> dict[str, Any]:
    if not body.url.lower().startswith(("http://", "https://")):
        from indexer.errors import InvalidInput

        raise InvalidInput("over HTTP, an article is given by its http(s) URL")
    aid, _article, _links = service.add_article(body.url, body.videos, fetch=service.public_fetch)
    data: dict[str, Any] = json.loads(service.render_article(aid, "json"))
    return data


@router.get("/v1/articles", response_model=list[ArticleSummaryOut], responses=ERRORS)
def list_articles(service: Service, _read: ReadAccess) -> list[ArticleSummaryOut]:
    return [ArticleSummaryOut(**a) for a in service.articles()]


@router.get("/v1/articles/{article_id}", responses=ERRORS, response_model=dict[str, Any])
def get_article(article_id: str, service: Service, _read: ReadAccess) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(service.render_article(article_id, "json"))
    return data


@router.get("/v1/articles/{article_id}/export", responses={**ERRORS, 200: {"content": {
    "text/html": {}, "application/ld+json": {}}}}, response_class=Response)
def export_article(article_id: str, service: Service, _read: ReadAccess,
                   format: Annotated[Literal["html", "jsonld"], Query()] = "html") -> Response:
    text = service.render_article(article_id, format)
    kind = "text/html; charset=utf-8" if format == "html" else "application/ld+json"
    return Response(text, media_type=kind)


@router.get("/v1/videos/{video_id}/article", responses=ERRORS, response_model=dict[str, Any])
def video_article(video_id: str, service: Service, _read: ReadAccess) -> dict[str, Any]:
    return service.video_article(video_id)
