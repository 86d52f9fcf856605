"""Links out from a linked article: browser text fragments, watch URLs for a moment, and CMS exports.

- `text_fragment_url`: the article URL with a `#:~:text=` fragment that scrolls to and highlights one paragraph;
- `export_html`: an HTML fragment for a CMS (paragraphs, checked quotes, "play from" links or players);
- `export_jsonld`: schema.org VideoObject with the linked paragraphs as key-moment Clips (`jsonld_text` writes it
  for a script block).
"""

from __future__ import annotations

import html
import json
import math
import re
import urllib.parse
from typing import Any

from indexer.articles.link import ArticleLinks, ParagraphLink, shorten
from indexer.articles.load import Article, Paragraph
from indexer.articles.quotecheck import quote_detail
from indexer.deeplinks import clock, watch_url, youtube_id
from indexer.models import Video
from indexer.text.normalize import primary_language
from media.cuetext import right_to_left


def text_fragment_url(article_url: str, paragraph_text: str, page_text: str) -> str:
    """The article URL with a `#:~:text=` fragment that a browser scrolls to and highlights: the whole paragraph
    when short, else `textStart,textEnd` with as few words as make the first match in the page this paragraph."""
    words = _UNSEEN.sub("", paragraph_text).split()
    para = " ".join(words)
    page = " ".join(_UNSEEN.sub("", page_text).split()).casefold()
    at = _find(page, para.casefold(), 0)
    if at < 0:
        page, at = para.casefold(), 0
    directive = _encode(para)
    for k in range(3, (len(words) + 1) // 2):
        if len(words) <= 8:
            break
        head, tail = " ".join(words[:k]), " ".join(words[-k:])
        # lengths as case-folded, as the page is: "ß" folds to "ss", and the end never matched in such a paragraph
        end = _find(page, tail.casefold(), at + len(head.casefold()))
        if _find(page, head.casefold(), 0) == at and end + len(tail.casefold()) == at + len(para.casefold()):
            directive = f"{_encode(head)},{_encode(tail)}"
            break
    return f"{article_url.split('#')[0]}#:~:text={directive}"


# characters a page does not draw, which the paragraph's text leaves out and the page's text kept: a paragraph with a
# soft hyphen ("Wochen\u00adende") was never found in the page, and its fragment was made unique in the paragraph
# alone ("Die Brücke über", which a navigation teaser above it also starts with)
_UNSEEN = re.compile("[\u00ad\u200b\u2060\ufeff]")


def _find(hay: str, needle: str, pos: int) -> int:
    """First match at word boundaries (as text fragments match), or -1."""
    m = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)").search(hay, pos)
    return m.start() if m else -1


def _encode(text: str) -> str:
    # The fragment syntax uses "-", "&" and ","; quote() escapes the latter two but leaves "-" alone.
    return urllib.parse.quote(text, safe="").replace("-", "%2D")


def export_html(article: Article, links: ArticleLinks, video: Video, *, embed: bool = False,
                media: str | None = None) -> str:
    """An HTML fragment for a CMS: the paragraphs (escaped: article text is untrusted), quotes marked with their
    check, and under each linked paragraph a "play from 1:23" link or, with `embed`, a player. `media`: the URL
    that serves a local video's media (e.g. /media/ID); a server's file paths are never written out."""
    ref = _video_ref(video, media)
    by_index = {link.paragraph: link for link in links.paragraphs}
    lang = primary_language(article.language) or ""
    rtl = ' dir="rtl"' if right_to_left(lang) else ""
    out = [f'<div class="clipindex-article" data-video="{_esc(video.id)}" lang="{_esc(article.language)}"{rtl}>']
    for p in article.paragraphs:
        link = by_index.get(p.index)
        out.append(f'<p data-paragraph="{p.index}">{_marked(p, link)}</p>')
        if link is not None and link.start is not None and ref:
            out.append(_moment(ref, link.start, link.end or link.start, embed, video.title, lang))
    if links.via_translation:
        out.append('<p class="clipindex-note">Linked through an English translation of the speech; '
                   "times are approximate.</p>")
    out.append("</div>")
    return "\n".join(out)


def _marked(p: Paragraph, link: ParagraphLink | None) -> str:
    checks = {c.quote: c for c in (link.quotes if link else ())}  # by index into all the paragraph's quotes
    out, pos = [], 0
    for k, q in enumerate(p.quotes):
        check = checks.get(k)
        if q.depth or check is None or q.start < pos:
            continue
        said = quote_detail(check)
        title = f' title="{_esc(said)}"' if said else ""
        cls = "clipindex-quote clipindex-" + check.status.replace(" ", "-")
        out.append(_esc(p.text[pos:q.start]))
        out.append(f'<span class="{cls}" data-check="{_esc(check.status)}" data-basis="{check.basis}"{title}>'
                   f"{_esc(q.text)}</span>")
        pos = q.end
    out.append(_esc(p.text[pos:]))
    return "".join(out)


# the moment's link in the article's language (the readers'), English for the others; {t} is the time (1:23)
PLAY_FROM = {
    "en": "play from {t}", "ru": "смотреть с {t}", "uk": "дивитися з {t}", "uz": "{t} dan ko‘rish",
    "kk": "{t} бастап көру", "tr": "izle: {t}", "az": "izlə: {t}", "fr": "lire à partir de {t}",
    "de": "ab {t} abspielen", "es": "reproducir desde {t}", "it": "riproduci da {t}",
    "pt": "reproduzir a partir de {t}", "pl": "odtwórz od {t}", "nl": "afspelen vanaf {t}",
    "ar": "تشغيل من {t}", "fa": "پخش از {t}", "he": "הפעלה מ־{t}", "zh": "从 {t} 播放", "ja": "{t} から再生",
    "ko": "{t}부터 재생",
}


def _moment(ref: str, start: float, end: float, embed: bool, title: str, language: str = "en") -> str:
    if embed and youtube_id(ref):
        src = _esc(watch_url(ref, start, end, embed=True))
        return (f'<iframe class="clipindex-player" src="{src}" width="560" height="315" title="{_esc(title)}" '
                'loading="lazy" allow="encrypted-media; picture-in-picture" allowfullscreen></iframe>')
    url = _esc(watch_url(ref, start, end))
    if embed:
        return f'<video class="clipindex-player" controls preload="none" src="{url}"></video>'
    return (f'<p class="clipindex-moment"><a href="{url}" target="_blank" rel="noopener">'
            f"▶ {_esc(PLAY_FROM.get(language, PLAY_FROM['en']).format(t=clock(start)))}</a></p>")


def _video_ref(video: Video, media: str | None = None) -> str | None:
    """What to link to: the YouTube id, else the public URL, else the URL serving its media; never a script URL."""
    if youtube_id(video.id):
        return video.id
    for ref in (video.url, media):
        scheme = urllib.parse.urlsplit(ref).scheme.lower() if ref else ""
        if ref and (scheme in ("http", "https") or not scheme or re.fullmatch(r"[a-z]", scheme)):
            return ref
    return None


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def export_jsonld(article: Article, links: ArticleLinks, video: Video, media: str | None = None) -> dict[str, Any]:
    """schema.org VideoObject with `hasPart` Clip entries (the key moments: linked paragraphs, in video order)."""
    ref = _video_ref(video, media)
    yt = youtube_id(video.id)
    doc: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "VideoObject", "name": video.title or article.title,
        "description": video.description or article.title, "uploadDate": video.published,
        "duration": _iso_duration(video.duration) if video.duration else None,
        "thumbnailUrl": f"https://i.ytimg.com/vi/{yt}/hqdefault.jpg" if yt else None,
        "embedUrl": f"https://www.youtube.com/embed/{yt}" if yt else None,
        "contentUrl": None if yt else video.url, "url": f"https://www.youtube.com/watch?v={yt}" if yt else video.url,
        "inLanguage": links.transcript_language,
        "associatedArticle": {k: v for k, v in {"@type": "NewsArticle", "headline": article.title,
                                                 "url": article.url, "datePublished": article.published}.items()
                              if v},
    }
    doc["hasPart"] = _clips(article, links, ref, round(video.duration) if video.duration else None)
    return {k: v for k, v in doc.items() if v not in (None, [], "")}


def jsonld_text(doc: dict[str, Any]) -> str:
    """JSON-LD as text to paste into a page's `<script type="application/ld+json">`: the parser of a script block
    knows nothing of JSON, so a "</script>" in any article or video text would end the block there. `<`, `>` and
    `&` (which can only stand inside strings) are written as JSON escapes, which parse to the same strings."""
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _clips(article: Article, links: ArticleLinks, ref: str | None, duration: int | None) -> list[dict[str, Any]]:
    """Whole seconds, as key moments are given; none ends past `duration` (the video's, as the document writes it:
    a moment rounded up past the video's end is one a search engine refuses)."""
    texts = {p.index: p.text for p in article.paragraphs}
    clips: list[dict[str, Any]] = []
    for link in sorted((x for x in links.paragraphs if x.start is not None), key=lambda x: x.start or 0.0):
        start, end = math.floor(link.start or 0.0), max(math.ceil(link.end or 0.0), math.floor(link.start or 0.0) + 1)
        if duration is not None:
            end = min(end, duration)
            if end <= start:
                continue
        if clips and start < clips[-1]["endOffset"]:  # key moments must not overlap
            if start <= clips[-1]["startOffset"] or (link.start or 0.0) < clips[-1]["end"]:
                continue
            clips[-1]["endOffset"] = start  # only rounding made them touch
        clip = {"@type": "Clip", "name": _clip_name(texts.get(link.paragraph, "")), "startOffset": start,
                "endOffset": end, "end": link.end or 0.0}
        if ref and (youtube_id(ref) or ref.lower().startswith(("http://", "https://"))):
            clip["url"] = watch_url(ref, float(start), float(end))
        clips.append(clip)
    return [{k: v for k, v in clip.items() if k != "end"} for clip in clips]


def _clip_name(text: str) -> str:
    first = re.split(r"(?<=[.!?])\s|(?<=[。！？])", text, maxsplit=1)[0]  # Chinese and Japanese end without a space
    return shorten(first, 100)


def _iso_duration(seconds: float) -> str:
    s = round(seconds)
    return f"PT{s // 3600}H{s // 60 % 60}M{s % 60}S" if s >= 3600 else f"PT{s // 60}M{s % 60}S"
