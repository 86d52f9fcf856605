"""Articles and their links to videos, in the store. An article and all its links are written in one transaction."""

from __future__ import annotations

import hashlib
import json
import time

import sqlalchemy as sa

from indexer.articles.link import ArticleLinks
from indexer.articles.load import Article
from indexer.errors import NotFound
from indexer.store.db import Store
from indexer.store.schema import article_links, articles


def article_id(article: Article) -> str:
    key = article.url or article.source
    return "art:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


class ArticleStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def put(self, article: Article, links: list[ArticleLinks]) -> str:
        """Store the article (replacing an earlier copy) and its links to these videos."""
        aid = article_id(article)
        now = time.time()
        with self.store.tx() as conn:
            conn.execute(article_links.delete().where(article_links.c.article_id == aid))
            conn.execute(articles.delete().where(articles.c.id == aid))
            conn.execute(articles.insert().values(
                id=aid, source=article.source, url=article.url, title=article.title, language=article.language,
                published=article.published, data=json.dumps(article.to_dict(), ensure_ascii=False), created_at=now))
            for link in links:
                conn.execute(article_links.insert().values(
                    article_id=aid, video_id=link.video_id, data=json.dumps(link.to_dict(), ensure_ascii=False),
                    created_at=now))
        return aid

    def get(self, aid: str) -> tuple[Article, list[ArticleLinks]]:
        with self.store.tx() as conn:
            row = conn.execute(sa.select(articles.c.data).where(articles.c.id == aid)).first()
            if row is None:
                raise NotFound(f"no article {aid!r} (see `clipindex article list`)")
            links = conn.execute(sa.select(article_links.c.data).where(article_links.c.article_id == aid)
                                 .order_by(article_links.c.video_id)).all()
        return Article.from_dict(json.loads(row.data)), [ArticleLinks.from_dict(json.loads(r.data)) for r in links]

    def links_of(self, article: Article) -> list[ArticleLinks]:
        """The links stored for this article so far (none when it is new)."""
        try:
            return self.get(article_id(article))[1]
        except NotFound:
            return []

    def summaries(self) -> list[tuple[str, str, str | None, list[str]]]:
        """(id, title, url, linked video ids) for every article."""
        with self.store.tx() as conn:
            rows = conn.execute(sa.select(articles.c.id, articles.c.title, articles.c.url)
                                .order_by(articles.c.created_at)).all()
            pairs = conn.execute(sa.select(article_links.c.article_id, article_links.c.video_id)).all()
        videos: dict[str, list[str]] = {}
        for a, v in pairs:
            videos.setdefault(a, []).append(v)
        return [(r.id, r.title, r.url, videos.get(r.id, [])) for r in rows]

    def for_video(self, video_id: str) -> list[tuple[Article, ArticleLinks]]:
        with self.store.tx() as conn:
            rows = conn.execute(
                sa.select(articles.c.data, article_links.c.data.label("links"))
                .join(article_links, article_links.c.article_id == articles.c.id)
                .where(article_links.c.video_id == video_id).order_by(articles.c.created_at)).all()
        return [(Article.from_dict(json.loads(r.data)), ArticleLinks.from_dict(json.loads(r.links))) for r in rows]

    def ids(self) -> list[str]:
        return [a for a, *_ in self.summaries()]
