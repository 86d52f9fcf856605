"""Articles: add (linked to videos), list, read, export; and a video's linked article for the web page."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AnyCase, Paging, ReadAccess, Service, WriteKey
from api.routes.videos import ERRORS
from api.schemas import ArticleSummaryOut, CorrectionOut, LinkedArticleOut, VideoArticleOut

router = APIRouter(tags=["articles"])


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=2000, description="The article's http(s) URL.")
    videos: list[Annotated[str, Field(max_length=200)]] | None = Field(
        default=None, max_length=20, description="Link to these videos; else candidates are found by search.")


@router.post("/v1/articles", status_code=201, responses=ERRORS, response_model=LinkedArticleOut)
def add_article(body: ArticleIn, service: Service, _key: WriteKey) -> LinkedArticleOut:
    linked = service.articles.add(body.url, body.videos, fetch=service.public_fetch)
    return _public(linked.to_dict())


@router.get("/v1/articles", response_model=list[ArticleSummaryOut], responses=ERRORS)
def list_articles(service: Service, _read: ReadAccess, page: Paging, response: Response) -> list[ArticleSummaryOut]:
    """The articles, oldest first (`limit` and `offset` page them; `X-Total-Count` says how many)."""
    return [ArticleSummaryOut.model_validate(asdict(a)) for a in page.of(service.articles.list(), response)]


@router.get("/v1/articles/{article_id}", responses=ERRORS, response_model=LinkedArticleOut)
def get_article(article_id: str, service: Service, _read: ReadAccess) -> LinkedArticleOut:
    return _public(service.articles.get(article_id).to_dict())


@router.delete("/v1/articles/{article_id}", response_model=dict[str, str], responses=ERRORS)
def delete_article(article_id: str, service: Service, _key: WriteKey,
                   video: Annotated[str | None, Query(max_length=200, description=(
                       "Only unlink the article from this video; without it, the article and all its links go."))]
                   = None) -> dict[str, str]:
    """Forget an article (a duplicate, or one linked by mistake), or only its link to one video."""
    deleted = service.articles.delete(article_id, video)
    return {"deleted": deleted, **({"video": video} if video else {})}


def _public(linked: dict[str, Any]) -> LinkedArticleOut:
    """An article as a client may see it: where it was loaded from on the server's disk stays on the server."""
    article = dict(linked["article"])
    source = str(article.get("source") or "")
    article["source"] = source if source.lower().startswith(("http://", "https://")) else None
    article["path"] = None
    return LinkedArticleOut.model_validate({**linked, "article": article})


@router.get("/v1/articles/{article_id}/export", responses={**ERRORS, 200: {"content": {
    "text/html": {}, "application/ld+json": {}}}}, response_class=Response)
def export_article(article_id: str, service: Service, _read: ReadAccess,
                   format: Annotated[Literal["html", "jsonld"], AnyCase, Query()] = "html",
                   video: Annotated[str | None, Query(
                       description="The video whose moments to export, where the article is linked to several.")]
                   = None) -> Response:
    text = service.articles.render(article_id, format, media_base="/media", video=video)
    kind = "text/html; charset=utf-8" if format == "html" else "application/ld+json"
    return Response(text, media_type=kind)


@router.post("/v1/articles/{article_id}/corrections", responses=ERRORS, response_model=list[CorrectionOut],
             summary="Write the article's wording into the transcript where the audio prefers it (reversible)")
def correct_from_article(article_id: str, service: Service, _key: WriteKey) -> list[CorrectionOut]:
    return [CorrectionOut.model_validate(asdict(c)) for c in service.articles.correct_transcripts(article_id)]


@router.get("/v1/videos/{video_id}/article", responses=ERRORS, response_model=VideoArticleOut)
def video_article(video_id: str, service: Service, _read: ReadAccess) -> VideoArticleOut:
    return VideoArticleOut.model_validate(asdict(service.articles.for_video(video_id)))
