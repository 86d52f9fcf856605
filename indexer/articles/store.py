"""Articles and their links to videos, in the store. An article and all its links are written in one transaction."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable

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
        """Store the article (replacing an earlier copy) and its links to these videos. A stored article keeps
        the time it was first stored, and each link its own, so listings (oldest first) keep their order."""
        aid = article_id(article)
        now = time.time()
        with self.store.tx() as conn:
            first = conn.execute(sa.select(articles.c.created_at).where(articles.c.id == aid)).scalar()
            links_of = sa.select(article_links.c.video_id, article_links.c.created_at).where(
                article_links.c.article_id == aid)
            linked = {r.video_id: r.created_at for r in conn.execute(links_of)}
            conn.execute(article_links.delete().where(article_links.c.article_id == aid))
            conn.execute(articles.delete().where(articles.c.id == aid))
            conn.execute(articles.insert().values(
                id=aid, source=article.source, url=article.url, title=article.title, language=article.language,
                published=article.published, data=json.dumps(article.to_dict(), ensure_ascii=False),
                created_at=now if first is None else first))
            for link in links:
                conn.execute(article_links.insert().values(
                    article_id=aid, video_id=link.video_id, data=json.dumps(link.to_dict(), ensure_ascii=False),
                    created_at=linked.get(link.video_id, now)))
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

    def with_others(self, article: Article, links: list[ArticleLinks],
                    relink: Callable[[str], ArticleLinks]) -> list[ArticleLinks]:
        """`links` and the article's stored links to other videos, kept: linking an article to one more video must
        not drop the others. Those links name paragraphs by their place, so where the article's text has changed
        since (a paragraph added at the top), each is made again against the new text (`relink`; a video without
        a transcript now loses its link)."""
        try:
            stored, old = self.get(article_id(article))
        except NotFound:
            return links
        named = {lk.video_id for lk in links}
        others = [lk for lk in old if lk.video_id not in named]
        if others and [p.text for p in stored.paragraphs] != [p.text for p in article.paragraphs]:
            others = [relink(o.video_id) for o in others if self.store.transcript_head(o.video_id) is not None]
        return [*links, *others]

    def delete(self, aid: str, video_id: str | None = None) -> None:
        """Forget the article and its links; with `video_id`, only its link to that video."""
        with self.store.tx() as conn:
            if video_id is None:
                conn.execute(article_links.delete().where(article_links.c.article_id == aid))
                gone = conn.execute(articles.delete().where(articles.c.id == aid)).rowcount
            else:
                gone = conn.execute(article_links.delete().where(article_links.c.article_id == aid,
                                                                 article_links.c.video_id == video_id)).rowcount
        if not gone:
            raise NotFound(f"article {aid} is not linked to video {video_id}" if video_id else f"no article {aid!r}")

    def summaries(self) -> list[tuple[str, str, str | None, list[str]]]:
        """(id, title, url, linked video ids) for every article."""
        with self.store.tx() as conn:
            rows = conn.execute(sa.select(articles.c.id, articles.c.title, articles.c.url)
                                .order_by(articles.c.created_at, articles.c.id)).all()
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
                .where(article_links.c.video_id == video_id).order_by(articles.c.created_at, articles.c.id)).all()
        return [(Article.from_dict(json.loads(r.data)), ArticleLinks.from_dict(json.loads(r.links))) for r in rows]

    def ids(self) -> list[str]:
        return [a for a, *_ in self.summaries()]
