"""Articles as the newsroom published them: paragraphs, and the direct quotes inside them.

Why a module of its own: linking a video to its article needs the story's text exactly as readers see it (no menus,
share buttons, ratings or comments, which would match nothing or, worse, match by accident), split into the
paragraphs a reader can be sent to, with every direct quote located to the character so it can be checked against
what was said. Sources are a URL (fetched through an injectable `fetch`, so tests and callers choose the transport),
a saved HTML page (trafilatura does the boilerplate removal), a Markdown file or a plain-text file.

Quotes and their speakers are found by indexer/articles/quotes.py.

Language is guessed from the text without any model download (indexer/text/language.py); "und" if unsure.
All failures are `InvalidInput` with a one-line message.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.articles.html import (
    canonical,
    deep_page,
    joiners_back,
    page_decoded,
    spaced_text,
    squash,
    story_only,
    without_boxes,
)
from indexer.articles.quotes import Quote, attribute, find_quotes, speakers_of
from indexer.errors import InvalidInput
from indexer.text.language import detect_language
from indexer.text.normalize import pieces

if TYPE_CHECKING:
    from markdown_it.token import Token as MdToken

__all__ = ["Article", "Paragraph", "Quote", "attribute", "fetch_url", "find_quotes", "load_article"]

MAX_BYTES = 5_000_000  # no news article is larger; a bigger download is something else
FETCH_TIMEOUT = 20.0
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Paragraph:
    index: int
    text: str
    quotes: tuple[Quote, ...] = ()


@dataclass(frozen=True)
class Article:
    source: str  # the URL or path it was loaded from
    title: str
    paragraphs: tuple[Paragraph, ...]
    language: str = "und"  # ISO 639-1 code, "und" when the text does not say
    published: str | None = None  # ISO date YYYY-MM-DD
    url: str | None = None  # public URL: the fetched one, or the canonical URL a saved page declares
    path: str | None = None  # local file, if loaded from one
    format: str = "html"  # "html", "markdown" or "text"
    page_text: str = ""  # all visible text of the page: text fragments must be unique in it

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def spelling(self) -> tuple[str, ...]:
        """Its title and paragraphs: how it writes the story's names (for chapter titles cut from a transcript
        that writes them in lower case, indexer.chapters.casing)."""
        return (self.title, *(p.text for p in self.paragraphs))

    @property
    def quotes(self) -> list[tuple[Paragraph, Quote]]:
        return [(p, q) for p in self.paragraphs for q in p.quotes]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        paragraphs = tuple(
            Paragraph(p["index"], p["text"], tuple(Quote(**q) for q in p.get("quotes", ())))
            for p in data["paragraphs"])
        return cls(**{**data, "paragraphs": paragraphs})


# --- loading -------------------------------------------------------------------------------------------------------

def require_url(source: str) -> None:
    """Refuse anything but an http(s) URL: what an untrusted caller (HTTP) may name as an article. A path would have
    the server read its own files and hand their text back as the article's."""
    if not source.lower().startswith(("http://", "https://")):
        raise InvalidInput("over HTTP, an article must be given as an http(s) URL")


def load_article(source: str, *, fetch: Callable[[str], bytes] | None = None) -> Article:
    """An Article from an http(s) URL, a saved HTML page, a Markdown file or a plain-text file."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source):
        if not source.lower().startswith(("http://", "https://")):
            raise InvalidInput(f"only http and https URLs can be fetched: {source}")
        return _from_url(source, fetch or fetch_url)
    return _from_file(Path(source).absolute())  # one file, one article, however its path was typed


def fetch_url(url: str, opener: urllib.request.OpenerDirector | None = None) -> bytes:
    """GET an http(s) page: timeout, size cap, redirects only to http(s), HTML content types only. `opener`: how to
    reach it (an untrusted caller's: media.netguard.public_opener)."""
    opener = opener or urllib.request.build_opener(_SafeRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": "clipindex/0.1 (article linking)"})
    try:
        with opener.open(request, timeout=FETCH_TIMEOUT) as response:
            ctype = response.headers.get_content_type() if response.headers.get("Content-Type") else ""
            if ctype and ctype not in HTML_TYPES:
                raise InvalidInput(f"cannot use {url}: not an HTML page (content type {ctype})")
            data = _read_by(response, time.monotonic() + FETCH_TIMEOUT, url)
    except urllib.error.HTTPError as e:
        raise InvalidInput(f"cannot fetch {url}: HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        raise InvalidInput(f"cannot fetch {url}: {e.reason}") from None
    except (OSError, ValueError) as e:
        raise InvalidInput(f"cannot fetch {url}: {e}") from None
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"cannot use {url}: larger than {MAX_BYTES // 1_000_000} MB")
    return data


def _read_by(response: Any, deadline: float, url: str) -> bytes:
    """The body, up to MAX_BYTES + 1, read by `deadline`: a server that sends a few bytes every few seconds held a
    request (an API worker's thread) for as long as it liked, each read within the socket's timeout."""
    chunks: list[bytes] = []
    size = 0
    late = InvalidInput(f"cannot fetch {url}: the page did not arrive within {FETCH_TIMEOUT:g} s")
    while size <= MAX_BYTES:
        if time.monotonic() > deadline:
            raise late
        try:
            chunk = response.read1(65536)
        except TimeoutError:  # a read that waited the socket's whole timeout: the page is late all the same
            raise late from None
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not newurl.lower().startswith(("http://", "https://")):
            raise InvalidInput(f"cannot fetch {req.full_url}: redirected to a non-http URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _from_url(url: str, fetch: Callable[[str], bytes]) -> Article:
    try:
        data = fetch(url)
    except InvalidInput:
        raise
    except Exception as e:  # an injected fetcher may raise anything; the message is what matters
        raise InvalidInput(f"cannot fetch {url}: {e}") from None
    _check_bytes(data, url)
    return _from_html(data, source=url, url=url)


def _from_file(path: Path) -> Article:
    try:
        if path.stat().st_size > 4 * MAX_BYTES:
            raise InvalidInput(f"{path} is larger than {4 * MAX_BYTES // 1_000_000} MB: not an article")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {path}") from None
    except OSError as e:
        raise InvalidInput(f"cannot read {path}: {e.strerror or e}") from None
    _check_bytes(data, str(path))
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml") or re.match(rb"\s*(<!doctype html|<html)", data[:1024].lower()):
        return _from_html(data, source=str(path), path=str(path))
    text = _decode(data, str(path))
    if suffix in (".md", ".markdown"):
        return _from_markdown(text, str(path))
    return _from_text(text, str(path))


def _check_bytes(data: bytes, name: str) -> None:
    if not data.strip():
        raise InvalidInput(f"{name} is empty")
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInput(f"{name} is a binary file, not an article")


def _decode(data: bytes, name: str) -> str:
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{name} is not UTF-8 text") from None


# --- formats -------------------------------------------------------------------------------------------------------

def _from_html(data: bytes, *, source: str, url: str | None = None, path: str | None = None) -> Article:
    import lxml.etree  # imported here: trafilatura takes a second to import, and most commands never need it
    import lxml.html
    import trafilatura
    from trafilatura.utils import detect_encoding

    # decoded as the page declares, else in its likeliest encoding
    text = page_decoded(data, detect_encoding(data))
    page = trafilatura.load_html(text)
    if page is None:
        raise InvalidInput(f"no article text found in {source}")
    page = deep_page(page, text)
    xml = trafilatura.extract(without_boxes(page), url=url, output_format="xml", with_metadata=True,
                              include_comments=False, include_tables=False,
                              date_extraction_params={"extensive_search": False})
    texts: list[str] = []
    meta: dict[str, str] = {}
    if xml:
        doc = lxml.etree.fromstring(xml.encode("utf-8"))
        meta = {k: str(v) for k, v in doc.attrib.items()}
        blocks = ("p", "item", "quote")
        texts = [squash(spaced_text(el)) for el in doc.iter(*blocks)
                 if not any(a.tag in blocks for a in el.iterancestors())]
    texts = story_only([t for t in texts if t])
    counts = [len(pieces(t)) for t in texts]  # words as search reads them: Chinese or Japanese has no spaces
    if sum(counts) < 20 or max(counts, default=0) < 8:
        raise InvalidInput(f"no article text found in {source}")
    declared = (page.get("lang") or "").split("-")[0].lower()
    for bad in page.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    page_text = squash(spaced_text(page))
    texts = [joiners_back(t, page_text) for t in texts]
    title = joiners_back(meta.get("title") or _first_words(texts[0]), page_text)
    language = detect_language(" ".join(texts))
    return _article(source, title, texts, language if language != "und" else (declared or "und"),
                    published=meta.get("date"), url=canonical(page, url), path=path, fmt="html",
                    page_text=page_text)


def _from_markdown(text: str, source: str) -> Article:
    """CommonMark through markdown-it: paragraphs, list items and block quotes become paragraphs; the first level-one
    heading is the title (unless front matter gives one); other headings, code, HTML and images are dropped."""
    from markdown_it import MarkdownIt  # deferred: only Markdown files need the parser (50 ms to import)

    meta, body = _front_matter(text)
    title = meta.get("title", "")
    texts: list[str] = []
    tokens = MarkdownIt("commonmark").parse(body)
    for before, token in zip([None, *tokens], tokens):
        if token.type != "inline":
            continue
        words = squash(_md_text(token.children or []))
        if before is not None and before.type == "heading_open":
            if not title and before.tag == "h1":
                title = words
        elif words:
            texts.append(words)
    return _finish_plain(source, title, texts, "markdown", meta)


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    m = re.match(r"(?s)\A---\s*\n(.*?)\n---\s*\n", text)
    if not m:
        return {}, text
    pairs = (ln.split(":", 1) for ln in m.group(1).splitlines() if ":" in ln)
    return {k.strip().lower(): v.strip().strip("'\"") for k, v in pairs}, text[m.end():]


def _md_text(children: list[MdToken]) -> str:
    """The words of an inline run as a reader sees them: link text kept, images and raw HTML left out."""
    out: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)


def _from_text(text: str, source: str) -> Article:
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    if len(blocks) == 1 and text.count("\n") > 1:  # no blank lines: one paragraph per line
        blocks = [ln for ln in text.splitlines() if ln.strip()]
    texts = [squash(b) for b in blocks]
    title = ""
    if len(texts) > 1 and len(texts[0]) <= 150 and "\n" not in blocks[0].strip() and not texts[0].endswith("."):
        title = texts.pop(0)
    return _finish_plain(source, title, texts, "text", {})


def _finish_plain(source: str, title: str, texts: list[str], fmt: str, meta: dict[str, str]) -> Article:
    texts = [t for t in texts if t]
    if not texts:
        raise InvalidInput(f"{source} has no article text")
    language = detect_language(" ".join(texts))
    if language == "und":
        language = (meta.get("lang") or meta.get("language") or "und").split("-")[0].lower()
    date = meta.get("date", "")[:10] or None
    url = meta.get("url") if meta.get("url", "").lower().startswith(("http://", "https://")) else None
    return _article(source, title or Path(source).stem, texts, language, published=date, url=url, path=source,
                    fmt=fmt, page_text="\n".join([title, *texts]))


def _article(source: str, title: str, texts: list[str], language: str, *, published: str | None, url: str | None,
             path: str | None, fmt: str, page_text: str) -> Article:
    paragraphs: list[Paragraph] = []
    speaker: str | None = None
    for i, text in enumerate(texts):
        found = find_quotes(text)
        who = iter(speakers_of(text, found, previous=speaker, language=language))
        quotes = [replace(q, speaker=next(who)) if q.depth == 0 else q for q in found]
        speaker = next((q.speaker for q in reversed(quotes) if q.speaker), speaker)
        paragraphs.append(Paragraph(i, text, tuple(quotes)))
    return Article(source, squash(title), tuple(paragraphs), language, published, url, path, fmt, page_text)


def _first_words(text: str, n: int = 10) -> str:
    words = text.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")
