"""The service's article operations: add an article, link it to its videos, show and export it, and the links back.

Kept apart from service.py only for size: `Clipindex` inherits these methods, so both front doors still call one
service object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer import pipeline
from indexer.articles import Article, load_article
from indexer.articlestore import ArticleStore, article_id
from indexer.errors import InvalidInput, NotFound
from indexer.links import ArticleLinks, link_article
from indexer.models import Segment

if TYPE_CHECKING:
    from indexer.config import Settings
    from indexer.models import Transcript, Video
    from indexer.store import Store

EXPORT_FORMATS = ("text", "json", "html", "jsonld")
Fetch = Callable[[str], bytes]


class ArticleOps:
    store: Store
    settings: Settings
    engine_factory: Any

    # provided by Clipindex
    resolve_id: Callable[[str], str]
    transcript: Callable[[str], Transcript]
    reconcile: Callable[[], None]

    @property
    def article_store(self) -> ArticleStore:
        return ArticleStore(self.store)

    def load_article(self, source: str, fetch: Fetch | None = None) -> Article:
        return load_article(source, fetch=fetch)

    def add_article(self, source: str, videos: list[str] | None = None, *, fetch: Fetch | None = None,
                    article: Article | None = None) -> tuple[str, Article, list[ArticleLinks]]:
        """Load the article, link it to the given videos (else to the videos search finds for it), and store it."""
        article = article or self.load_article(source, fetch)
        video_ids = [self.resolve_id(v) for v in videos] if videos else self._candidates(article)
        if not video_ids:
            raise NotFound(f"no video in the archive covers {article.title!r}: pass --video to link it by hand")
        links = [self._link(article, vid) for vid in video_ids]
        if not videos:
            links = [lk for lk in links if any(p.covered for p in lk.paragraphs)]
            if not links:
                raise NotFound(f"no video in the archive covers {article.title!r}: pass --video to link it by hand")
        return self.article_store.put(article, links), article, links

    def _link(self, article: Article, video_id: str) -> ArticleLinks:
        self.transcript(video_id)  # a clear NotFound when there is none yet
        return link_video(self.store, self.settings, self.engine_factory, article, video_id)

    def _candidates(self, article: Article, limit: int = 3) -> list[str]:
        """Videos whose passages share the article's distinctive words, published near it where dates are known."""
        self.reconcile()
        words = [w for w in re.findall(r"[^\W\d_]{4,}", f"{article.title} {article.text}")][:400]
        seen: dict[str, None] = {}
        for w in words:
            seen.setdefault(w.lower(), None)
        query = " ".join(list(seen)[:30])
        if not query:
            return []
        index = pipeline.open_index(self.settings)
        scores: dict[str, float] = {}
        for hit in index.search(query, mode="keyword", limit=30).hits:
            scores[hit.video_id] = scores.get(hit.video_id, 0.0) + hit.score
        ranked = sorted(scores, key=lambda v: (-scores[v], _days_apart(article, self.store.get_video(v))))
        return ranked[:limit]

    def articles(self) -> list[dict[str, Any]]:
        return [{"id": a, "title": t, "url": u, "videos": v} for a, t, u, v in self.article_store.summaries()]

    def article(self, ref: str) -> tuple[str, Article, list[ArticleLinks]]:
        aid = self._article_id(ref)
        article, links = self.article_store.get(aid)
        return aid, article, links

    def _article_id(self, ref: str) -> str:
        ids = self.article_store.ids()
        if ref in ids:
            return ref
        matches = [a for a in ids if a.startswith(ref) or a[4:].startswith(ref)] if len(ref) >= 4 else []
        by_source = [a for a, _t, u, _v in self.article_store.summaries() if ref in (u,)]
        found = list(dict.fromkeys(matches + by_source))
        if len(found) == 1:
            return found[0]
        raise NotFound(f"no article {ref!r} (see `clipindex article list`)") if not found else InvalidInput(
            f"{ref!r} matches {len(found)} articles: give more of the id")

    def render_article(self, ref: str, fmt: str) -> str:
        from indexer.linkexport import export_html, export_jsonld

        if fmt not in EXPORT_FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
        aid, article, links = self.article(ref)
        if fmt == "json":
            return json.dumps({"id": aid, "article": article.to_dict(), "links": [lk.to_dict() for lk in links]},
                              ensure_ascii=False, indent=1)
        if fmt == "text":
            return render_text(aid, article, links, self._watch(links[0].video_id) if links else None)
        if not links:
            raise InvalidInput(f"article {aid} is linked to no video")
        video = self.store.get_video(links[0].video_id)
        if fmt == "html":
            return export_html(article, links[0], video)
        return json.dumps(export_jsonld(article, links[0], video), ensure_ascii=False, indent=1)

    def _watch(self, video_id: str) -> Callable[[float, float], str]:
        from indexer import deeplinks

        video = self.store.get_video(video_id)
        media = (self.settings.data_dir / video.media_path).resolve().as_uri() if video.media_path else None
        return lambda start, end: deeplinks.watch_links(video, start, end, media).get("watch", "")

    def video_article(self, ref: str) -> dict[str, Any]:
        """The first article linked to this video, paragraph by paragraph with moments and quote checks (web page)."""
        video_id = self.resolve_id(ref)
        pairs = self.article_store.for_video(video_id)
        if not pairs:
            raise NotFound(f"video {video_id} is linked to no article")
        article, links = pairs[0]
        by_index = {p.paragraph: p for p in links.paragraphs}
        return {"id": article_id(article), "title": article.title, "url": article.url, "notes": list(links.notes),
                "precision": links.precision, "paragraphs": [_paragraph(p.text, by_index.get(p.index))
                                                             for p in article.paragraphs]}

    def article_link_for(self, video_id: str, start: float, end: float) -> str | None:
        """The article paragraph a moment is linked to, as a URL with a text fragment."""
        from indexer.linkexport import text_fragment_url

        for article, links in self.article_store.for_video(video_id):
            if not article.url:
                continue
            for p in links.paragraphs:
                if p.start is not None and p.end is not None and p.start < end and start < p.end:
                    text = article.paragraphs[p.paragraph].text
                    return text_fragment_url(article.url, text, article.page_text or article.text)
        return None


def link_video(store: Store, settings: Settings, engine_factory: Any, article: Article,
               video_id: str) -> ArticleLinks:
    """Link an article to one video; across languages, through an English rendering of the speech."""
    tr = store.get_transcript(video_id)
    if tr is None:
        raise NotFound(f"video {video_id!r} has no transcript yet")
    translated = None
    if article.language not in ("und", tr.language) and tr.language != "und":
        translated = _translation(store, settings, engine_factory, video_id, tr.language, article.language)
    return link_article(article, tr, translated=translated)


def _translation(store: Store, settings: Settings, engine_factory: Any, video_id: str, spoken: str,
                 target: str) -> list[Segment] | None:
    """Whisper's translate task (into English only), when the video's audio is at hand."""
    audio = store.step_result(video_id, "audio").get("audio")
    if target != "en" or not audio or not Path(audio).is_file():
        return None
    from indexer.engines import make_engine

    engine = (engine_factory or make_engine)(settings, {})
    run = engine.transcribe(Path(audio), language=spoken, task="translate")
    return list(run.segments)


def _paragraph(text: str, link: Any) -> dict[str, Any]:
    quotes = [{"text": q.text, "status": q.status, "speaker": q.speaker, "start": q.start,
               "detail": "; ".join(f"article: {d.article!r}, said: {d.spoken!r}" for d in q.differences)}
              for q in (link.quotes if link else ())]
    return {"text": text, "start": link.start if link else None, "end": link.end if link else None,
            "score": link.score if link else 0.0, "quotes": quotes}


def _days_apart(article: Article, video: Video) -> int:
    from datetime import date

    try:
        a, v = date.fromisoformat(str(article.published)), date.fromisoformat(str(video.published))
    except ValueError:
        return 10_000
    return abs((a - v).days)


def render_text(aid: str, article: Article, links: list[ArticleLinks],
                watch: Callable[[float, float], str] | None = None) -> str:
    from indexer.deeplinks import clock

    lines = [f"{article.title}  [{aid}]", article.url or article.source, ""]
    for lk in links:
        via = ", via an English translation of the speech" if lk.via_translation else ""
        lines.append(f"video {lk.video_id} ({lk.precision} precision{via})")
        lines.extend(f"  note: {n}" for n in lk.notes)
    lines.append("")
    first = links[0] if links else None
    by_index = {p.paragraph: p for p in first.paragraphs} if first else {}
    for para in article.paragraphs:
        lines.append(para.text)
        link = by_index.get(para.index)
        if link is None or link.start is None or link.end is None:
            lines.append("    -> not covered by the video")
        else:
            where = f"  {watch(link.start, link.end)}" if watch else ""
            lines.append(f"    -> {clock(link.start)}-{clock(link.end)}  (score {link.score:.2f}){where}")
        for q in link.quotes if link else ():
            lines.append(f"    quote {q.status}: \u201c{q.text}\u201d")
            lines.extend(f"      article says {d.article!r}, speaker said {d.spoken!r} at {clock(d.start)}"
                         for d in q.differences)
        lines.append("")
    return "\n".join(lines)


__all__ = ["ArticleOps", "EXPORT_FORMATS", "asdict"]
