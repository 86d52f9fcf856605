"""The article service: add an article and link it to its videos, list, show and export it, and the links back.

`Clipindex` holds one of these as `articles`; everything it needs (the store, the search service to find candidate
videos, the engine factory for translations) is passed in when it is built.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Literal

from indexer import deeplinks, refs
from indexer.articles.export import export_html, export_jsonld, jsonld_text, text_fragment_url
from indexer.articles.link import ArticleLinks, ParagraphLink
from indexer.articles.load import Article, load_article, require_url
from indexer.articles.quotecheck import Basis, QuoteStatus, WordDiff, quote_detail
from indexer.articles.render import render_text
from indexer.articles.store import ArticleStore, article_id
from indexer.articles.videolinks import link_to_video
from indexer.asr.engine import EngineFactory
from indexer.asr.rescore import Rescorer, make_rescorer
from indexer.chapters.service import retitle
from indexer.config import Settings
from indexer.errors import InvalidInput, NotFound
from indexer.models import Video
from indexer.search.service import SearchService
from indexer.store.corrections import Correction, Corrections, in_span
from indexer.store.db import Store
from indexer.text.normalize import tokenize

ExportFormat = Literal["text", "json", "html", "jsonld"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("text", "json", "html", "jsonld")
Fetch = Callable[[str], bytes]


@dataclass(frozen=True)
class LinkedArticle:
    id: str
    article: Article
    links: tuple[ArticleLinks, ...]

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "article": self.article.to_dict(), "links": [lk.to_dict() for lk in self.links]}


@dataclass(frozen=True)
class ArticleSummary:
    id: str
    title: str
    url: str | None
    videos: tuple[str, ...]


@dataclass(frozen=True)
class QuoteView:
    text: str
    status: QuoteStatus
    speaker: str | None
    start: float | None
    detail: str  # one line for people: the confirmed changes, or what the recogniser heard
    basis: Basis = "captions"
    differences: tuple[WordDiff, ...] = ()
    misheard: tuple[WordDiff, ...] = ()


@dataclass(frozen=True)
class ParagraphView:
    text: str
    start: float | None
    end: float | None
    score: float
    quotes: tuple[QuoteView, ...]


@dataclass(frozen=True)
class VideoArticle:
    """The first article linked to a video, paragraph by paragraph with moments and quote checks (the web page)."""

    id: str
    title: str
    url: str | None
    notes: tuple[str, ...]
    precision: str
    paragraphs: tuple[ParagraphView, ...]


class ArticleService:
    def __init__(self, store: Store, settings: Settings, search: SearchService,
                 engine_factory: EngineFactory | None = None) -> None:
        self.store = store
        self.settings = settings
        self.search = search
        self.engine_factory = engine_factory
        self.saved = ArticleStore(store)

    @cached_property
    def rescorer(self) -> Rescorer:
        """One per service: its model loads on the first quote that needs the audio, and stays loaded."""
        return make_rescorer(self.settings)

    def load(self, source: str, fetch: Fetch | None = None) -> Article:
        """`fetch` comes from an untrusted caller (HTTP: only public addresses), who may name URLs only."""
        if fetch is not None:
            require_url(source)
        return load_article(source, fetch=fetch)

    def add(self, source: str, videos: list[str] | None = None, *, fetch: Fetch | None = None) -> LinkedArticle:
        """Load the article, link it to the given videos (else to the videos search finds for it), and store it."""
        article = self.load(source, fetch)
        video_ids = [refs.resolve_video(self.store, v) for v in videos] if videos else self._candidates(article)
        if not video_ids:
            raise NotFound(f"no video in the archive covers {article.title!r}: pass --video to link it by hand")
        links = [self._link(article, vid) for vid in video_ids]
        if not videos:
            links = [lk for lk in links if any(p.covered for p in lk.paragraphs)]
            if not links:
                raise NotFound(f"no video in the archive covers {article.title!r}: pass --video to link it by hand")
        links = self.saved.with_others(article, links, lambda vid: self._link(article, vid))  # others stay
        return LinkedArticle(self.saved.put(article, links), article, tuple(links))

    def delete(self, ref: str, video: str | None = None) -> str:
        """Forget an article (a duplicate, a wrong one) and its links; with `video`, only its link to that video."""
        aid = self._resolve(ref)
        self.saved.delete(aid, refs.resolve_video(self.store, video) if video else None)
        return aid

    def recheck_video(self, video_id: str) -> int:
        """The video's words have changed (a correction, or its revert): each article linked to it is linked to it
        again, so that its quote checks cite the words as they read now. How many articles were."""
        pairs = self.saved.for_video(video_id)
        for article, _links in pairs:
            others = [lk for lk in self.saved.links_of(article) if lk.video_id != video_id]
            self.saved.put(article, [self._link(article, video_id), *others])
        return len(pairs)

    def _link(self, article: Article, video_id: str) -> ArticleLinks:
        if self.store.transcript_head(video_id) is None:
            raise NotFound(f"video {video_id!r} has no transcript yet: run its ingest again to resume")
        return link_to_video(self.store, self.settings, self.engine_factory, article, video_id, self.rescorer)

    def _candidates(self, article: Article, limit: int = 3) -> list[str]:
        """Videos whose passages share the article's distinctive words, published near it where dates are known."""
        words = re.findall(r"[^\W\d_]{4,}", f"{article.title} {article.text}")[:400]
        query = " ".join(list(dict.fromkeys(w.lower() for w in words))[:30])
        if not query:
            return []
        scores: dict[str, float] = {}
        for hit in self.search.search(query, mode="keyword", limit=30).hits:
            scores[hit.video_id] = scores.get(hit.video_id, 0.0) + hit.score
        ranked = sorted(scores, key=lambda v: (-scores[v], _days_apart(article, self.store.get_video(v))))
        return ranked[:limit]

    def correct_transcripts(self, ref: str) -> list[Correction]:
        """Where the audio prefers the article's wording to the transcript's (a quote "probably verbatim" whose
        re-scored margin favours the article), write the article's words into the stored transcript (source
        "article", reversible through Clipindex.revert_correction), re-index the video and re-check the article."""
        linked = self.get(ref)
        made: list[Correction] = []
        considered = False
        for links in linked.links:
            fixes = [d for q in links.quotes if q.basis == "audio" for d in q.misheard
                     if d.audio is not None and d.audio > 0 and d.article and d.spoken]
            done = [self._correct(links.video_id, links.transcript_language, d)
                    for d in sorted(fixes, key=lambda d: -d.start)]  # from the end, so earlier times stay valid
            made += [c for c in done if c is not None]
            considered = considered or bool(fixes)
            if any(done):
                retitle(self.store, links.video_id)  # as an editor's correction does (Clipindex.correct_words)
                self.search.index_video(links.video_id)
        if considered:  # corrected now, or its checks saw words that have changed since: either way they are stale
            relinked = [self._link(linked.article, lk.video_id) for lk in linked.links]
            self.saved.put(linked.article, relinked)
        return made

    def _correct(self, video_id: str, language: str, diff: WordDiff) -> Correction | None:
        """Write one confirmed article wording, judged against the transcript as it is now, not as the check saw
        it: another article's correction (or an editor's) may have changed those words since. Nothing is written
        where they already read as the article's, nor where they no longer read as what the check heard (the audio
        was weighed against those words, not these)."""
        transcript = self.store.get_transcript(video_id)
        if transcript is None:
            raise NotFound(f"video {video_id!r} has no transcript to correct")
        now = _reading([w.text for w in transcript.words if in_span(w, diff.start, diff.end)], language)
        if now == _reading(diff.article.split(), language) or now != _reading(diff.spoken.split(), language):
            return None
        return Corrections(self.store).apply(video_id, diff.start, diff.end, diff.article, "article")

    def list(self) -> list[ArticleSummary]:
        return [ArticleSummary(a, t, u, tuple(v)) for a, t, u, v in self.saved.summaries()]

    def get(self, ref: str) -> LinkedArticle:
        aid = self._resolve(ref)
        article, links = self.saved.get(aid)
        return LinkedArticle(aid, article, tuple(links))

    def _resolve(self, ref: str) -> str:
        summaries = self.saved.summaries()
        by_url = [a for a, _t, u, _v in summaries if u is not None and ref == u]
        return refs.pick_one(ref, [a for a, *_ in summaries], what="article", listing="clipindex article list",
                             prefix="art:", also=by_url)

    def render(self, ref: str, fmt: str, media_base: str | None = None, video: str | None = None) -> str:
        """The article as JSON, text (with every linked video), an HTML fragment or JSON-LD (with one video:
        `video`, needed where several are linked); media_base: where local media is served over HTTP (the exports
        then link a local video there; without it they link only public URLs)."""
        if fmt not in EXPORT_FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
        linked = self.get(ref)
        article, links = linked.article, linked.links
        if fmt == "json":
            return json.dumps(linked.to_dict(), ensure_ascii=False, indent=1)
        if fmt == "text":
            return render_text(linked.id, article, list(links), self._watch)
        link = self._one_link(linked.id, links, video)
        shown = self.store.get_video(link.video_id)
        media = deeplinks.media_url(self.settings.data_dir, shown, media_base) if media_base else None
        if fmt == "html":
            return export_html(article, link, shown, media=media)
        return jsonld_text(export_jsonld(article, link, shown, media))

    def _one_link(self, aid: str, links: Sequence[ArticleLinks], video: str | None) -> ArticleLinks:
        """The links to the video an export is for: `video`, or the only one linked (an export of the first of
        several showed its "not covered" where another video covered the paragraph and its alarms)."""
        if not links:
            raise InvalidInput(f"article {aid} is linked to no video")
        if video is not None:
            video_id = refs.resolve_video(self.store, video)
            chosen = [lk for lk in links if lk.video_id == video_id]
            if not chosen:
                raise InvalidInput(f"article {aid} is not linked to {video_id}: it is linked to "
                                   f"{', '.join(lk.video_id for lk in links)}")
            return chosen[0]
        if len(links) > 1:
            raise InvalidInput(f"article {aid} is linked to {len(links)} videos "
                               f"({', '.join(lk.video_id for lk in links)}): say which one to export")
        return links[0]

    def _watch(self, video_id: str, start: float, end: float) -> str:
        video = self.store.get_video(video_id)
        media = deeplinks.media_url(self.settings.data_dir, video)
        return deeplinks.watch_links(video, start, end, media).get("watch", "")

    def for_video(self, ref: str) -> VideoArticle:
        """The first article linked to this video, with each paragraph's moment and quote checks."""
        video_id = refs.resolve_video(self.store, ref)
        pairs = self.saved.for_video(video_id)
        if not pairs:
            raise NotFound(f"video {video_id} is linked to no article")
        article, links = pairs[0]
        by_index = {p.paragraph: p for p in links.paragraphs}
        return VideoArticle(article_id(article), article.title, article.url, links.notes, links.precision,
                            tuple(_paragraph(p.text, by_index.get(p.index)) for p in article.paragraphs))

    def link_for(self, video_id: str, start: float, end: float) -> str | None:
        """The article paragraph a moment is linked to, as a URL with a text fragment."""
        for article, links in self.saved.for_video(video_id):
            if not article.url:
                continue
            for p in links.paragraphs:
                if p.start is not None and p.end is not None and p.start < end and start < p.end:
                    text = article.paragraphs[p.paragraph].text
                    return text_fragment_url(article.url, text, article.page_text or article.text)
        return None


def _paragraph(text: str, link: ParagraphLink | None) -> ParagraphView:
    quotes = tuple(QuoteView(q.text, q.status, q.speaker, q.start, quote_detail(q, basis=False), q.basis, q.differences,
                             q.misheard) for q in (link.quotes if link else ()))
    if link is None:
        return ParagraphView(text, None, None, 0.0, quotes)
    return ParagraphView(text, link.start, link.end, link.score, quotes)


def _reading(words: Sequence[str], language: str) -> list[str]:
    """Words as a quote check reads them (case, punctuation and written variants folded)."""
    return [t.text for t in tokenize(words, language, variants=True)]


def _days_apart(article: Article, video: Video) -> int:
    try:
        a, v = date.fromisoformat(str(article.published)), date.fromisoformat(str(video.published))
    except ValueError:
        return 10_000
    return abs((a - v).days)
