"""An article page's HTML, read as its story: the boxes a site puts inside it left out, words kept apart where a
line break or a block parts them, and the address the page gives for itself. indexer.articles.load calls these
around trafilatura, which finds the story's paragraphs."""

from __future__ import annotations

import copy
import re
import urllib.parse
from collections import Counter
from functools import lru_cache
from typing import Any

from indexer.articles.quotes import Quote, attribute, find_quotes
from indexer.articles.speakers import ends_sentence, says
from indexer.errors import InvalidInput
from indexer.text.stopwords import languages, stop_words

# Boxes that news sites put inside an article's body, named by their class or id: ads, promotions, subscription
# and newsletter boxes, "read also" and related links, share bars, typo notices, and embedded posts (a tweet's text
# is not the story's); AMP's embeds by their tags. Matched as whole parts of a class or id ("ad-slot", "adfox",
# "twitter-tweet"), and only on a box of little text and at most one paragraph: a section classed "social-affairs"
# that holds the story stays.
_BOX = re.compile(r"(?:^|[\s_-])(?:ads?|adv|advert\w*|adfox|adriver|banner|promo\w*|sponsor\w*|subscri\w*|newsletter|"
                  r"related|read-?also|see-?also|read-?more|share|sharing|social|outbrain|taboola|typo|orphus|"
                  r"twitter-tweet|instagram-media|tiktok-embed|fb-post|telegram-post|embed)(?:$|[\s_-])", re.I)
_BOX_TAGS = ("amp-ad", "amp-embed", "amp-twitter", "amp-instagram", "amp-facebook", "amp-iframe", "amp-sticky-ad")
BOX_MAX_CHARS = 600
_KEYS = re.compile(r"\bctrl\s*\+\s*enter\b", re.I)  # "select the typo and press Ctrl+Enter", in any language


def without_boxes(page: Any) -> Any:
    """A copy of the page without the boxes a site puts inside its story (the page itself stays whole: a text
    fragment must be unique in the page as the browser shows it)."""
    clean = copy.deepcopy(page)
    boxes = [el for el in clean.iter() if isinstance(el.tag, str) and (
        el.tag in _BOX_TAGS or _BOX.search(f"{el.get('class') or ''} {el.get('id') or ''}"))]
    for el in boxes:  # a box holds little text and at most one paragraph: a short story's body named "share-..." stays
        if el.getparent() is not None and len(squash(spaced_text(el))) <= BOX_MAX_CHARS and \
                sum(1 for _ in el.iter("p")) <= 1:
            el.drop_tree()
    for el in clean.iter("p", "div", "li"):  # a paragraph that is a link to another story, with a label before it
        text = squash(spaced_text(el))
        linked = sum(len(squash(a.text_content())) for a in el.iter("a"))
        if text and (linked >= 0.6 * len(text) and len(text) <= 250 or _KEYS.search(text)) and \
                el.getparent() is not None and len(text) <= BOX_MAX_CHARS:
            el.drop_tree()
    return clean


PULL_CREDIT_WORDS = 8  # a pull quote's credit ("Helen Carter, mayor") beside the quote
PULL_MIN_WORDS = 5  # a shorter quote ("No comment") may well be said twice in one story
# where a sentence ends: a full stop (one that speakers.ends_sentence ends a sentence at), or !, ?, …, and the
# marks of Chinese and Japanese
_SENTENCE_END = re.compile(r"[.!?…。！？]+")


def story_only(texts: list[str]) -> list[str]:
    """The paragraphs less a pull quote: a block that repeats a quote of the story (its quote would be checked
    twice) with nothing of its own. Only where all of these hold is a paragraph left out; where any fails, it is a
    paragraph of the story (a misquote that a second paragraph repeats must be checked, never dropped unseen):
    - its quote (its longest, or the whole block where it has no quote marks) has at least PULL_MIN_WORDS words;
    - that quote is, word for word, a whole quote or whole sentences of another, longer paragraph: it starts and ends
      where a quote or a sentence of that paragraph does. Part of a sentence is not a repetition: '"Vamos a cerrar
      el puente"' against '"No vamos a cerrar el puente"' is a misquote, whose first word differs in meaning;
    - the words beside the quote are a credit: at most PULL_CREDIT_WORDS, all of them words of another paragraph
      (the speaker the story names: "Галина Петровна"), and no attribution of its own ('dijo después López', ', said
      Carter': a speech verb, or a speaker as quotes.attribute reads one)."""
    found = [find_quotes(t) for t in texts]
    units = [_units(t, q) for t, q in zip(texts, found)]
    words = [[w for w, _ in u] for u in units]
    joined = [f" {' '.join(w)} " for w in words]  # a quick test first: a page may hold thousands of paragraphs
    spread = Counter(w for ws in words for w in set(ws))  # in how many paragraphs each word stands

    def elsewhere(word: str, k: int) -> bool:  # a word of another paragraph than k
        return spread[word] > (word in words[k]) or (_UNSPACED.search(word) is not None and any(
            word in w for j, ws in enumerate(words) if j != k for w in ws))

    def repeated(k: int) -> bool:
        quotes = [q for q in found[k] if q.depth == 0]
        quote = max(quotes, key=lambda q: len(q.text), default=None)
        said = _folded(quote.text) if quote else words[k]
        if len(said) < PULL_MIN_WORDS:
            return False
        if quote is not None:
            beside = texts[k][:quote.start] + " " + texts[k][quote.end:]
            credit = _folded(beside)
            if len(credit) > PULL_CREDIT_WORDS or any(says(w) for w in re.findall(r"[\w'’-]+", beside)) or \
                    attribute(texts[k], quote) is not None or \
                    not all(elsewhere(w, k) for w in credit):
                return False
        quick = f" {' '.join(said)} "
        return any(j != k and len(words[j]) > len(said) and quick in joined[j] and _whole_units(said, units[j])
                   for j in range(len(texts)))

    return [t for k, t in enumerate(texts) if not repeated(k)]


def _folded(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _units(text: str, quotes: list[Quote]) -> list[tuple[str, int]]:
    """A paragraph's words, casefolded, each with the number of the unit it stands in: a unit ends where a quote
    opens or closes and where a sentence ends."""
    edges = {0, len(text)}
    for q in quotes:
        edges.update((q.start, q.end))
    for m in _SENTENCE_END.finditer(text):
        if m.group() != "." or ends_sentence(text, m.start()):
            edges.add(m.end())
    bounds = sorted(edges)
    out: list[tuple[str, int]] = []
    unit = 0
    for m in re.finditer(r"\w+", text):
        while unit + 1 < len(bounds) and bounds[unit + 1] <= m.start():
            unit += 1
        out.extend((w, unit) for w in _folded(m.group()))
    return out


def _whole_units(said: list[str], units: list[tuple[str, int]]) -> bool:
    """Whether `said` stands in the paragraph's words from the start of one unit to the end of one (of the same or
    a later unit)."""
    n = len(said)
    for i in range(len(units) - n + 1):
        starts = i == 0 or units[i - 1][1] != units[i][1]
        ends = i + n == len(units) or units[i + n - 1][1] != units[i + n][1]
        if starts and ends and [w for w, _ in units[i:i + n]] == said:
            return True
    return False


# kana and CJK ideographs: a script written without spaces, whose "word" is a run of characters that a name of a
# credit stands inside
_UNSPACED = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def canonical(page: Any, fetched: str | None = None) -> str | None:
    """The address the page gives for itself (its canonical link, or og:url): a saved page's only address, and for a
    page fetched by URL the one its article is known by, so that the story reached through a redirect, its AMP copy
    or a link with tracking parameters is one article. A fetched page may name only an address on its own site (a
    page must not take over another site's article)."""
    for href in page.xpath("//link[@rel='canonical']/@href|//meta[@property='og:url']/@content"):
        href = str(href).strip()
        if href.lower().startswith(("http://", "https://")) and (fetched is None or site(href) == site(fetched)):
            return href
    return fetched


def site(url: str) -> str:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return re.sub(r"^(www|m|amp|mobile)\.", "", host)


# where a line break or a block ends inside an element, its words part: "overnight<br>and" is two words, and a
# blockquote's <p> and its <cite> are not one ("sooner”Helen Carter"); inline elements (<a>, <em>) join as written
_BREAKS = frozenset({"lb", "br", "p", "div", "item", "li", "quote", "blockquote", "cite", "head", "h1", "h2", "h3",
                     "h4", "h5", "h6", "figcaption", "td", "th", "tr", "section", "article", "header", "footer",
                     "ul", "ol", "dd", "dt", "row", "cell", "list", "aside", "figure", "address", "hr"})


def spaced_text(root: Any) -> str:
    """An element's text with a space where a line break or a block starts or ends inside it (walked without
    recursion: a page may nest its elements deeper than Python recurses)."""
    import lxml.etree  # deferred, as the page itself: only articles read pages

    out: list[str] = []
    for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
        if el is root:
            out.append((root.text or "") if event == "start" else "")
            continue
        tagged = isinstance(el.tag, str)  # not a comment or a processing instruction
        if event == "start":
            out.append(" " if tagged and el.tag in _BREAKS else "")
            out.append((el.text or "") if tagged else "")
        else:
            out.append(" " if tagged and el.tag in _BREAKS else "")
            out.append(el.tail or "")
    return "".join(out)


# libxml2 reads a page only to 256 levels of nesting unless asked for more, and then to 2,048: a page nested deeper
# than 255 levels is read again with that; one deeper than MAX_DEPTH is refused, rather than read in part
MAX_DEPTH = 2000


def deep_page(page: Any, text: bytes | str) -> Any:
    """The page as parsed, or parsed again past 256 levels of nesting where it reaches them (its story nested inside
    that many wrappers was lost: "no article text found"); InvalidInput past MAX_DEPTH."""
    import lxml.etree  # deferred, as in spaced_text: only articles read pages
    import lxml.html

    if _depth(page) < 255:
        return page
    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True, collect_ids=False,
                                  default_doctype=False)
    try:
        page = lxml.html.fromstring(text, parser=parser)
    except ValueError:  # a string that declares its encoding: parsed as the UTF-8 it is now
        page = lxml.html.fromstring(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text,
                                    parser=parser)
    except lxml.etree.ParserError:
        return page
    if _depth(page) >= MAX_DEPTH:
        raise InvalidInput(f"the page nests its elements more than {MAX_DEPTH:,} levels deep, past what can be read "
                           "of it: save the article's text as a .txt or .md file and add that")
    return page


def _depth(page: Any) -> int:
    import lxml.etree  # deferred, as in spaced_text

    depth = deepest = 0
    for event, _el in lxml.etree.iterwalk(page, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()




_JOINED = re.compile(r"\w+(?:[\u200c\u200d]\w+)+")  # a word with a zero-width (non-)joiner inside
_WORD = re.compile(r"\w+")


def joiners_back(text: str, page_text: str) -> str:
    """`text` with the zero-width non-joiners (and joiners) put back that trafilatura took out of its words, as the
    page writes them. trafilatura drops every character that does not print, and Persian writes one inside many
    words ("خیابان‌ها", "می‌کنند"): without it the letters join, a misspelling in the stored, shown and exported
    article, and text fragments built from it are not on the page."""
    joined = {m[0].replace("\u200c", "").replace("\u200d", ""): m[0] for m in _JOINED.finditer(page_text)}
    if not joined:
        return text
    return _WORD.sub(lambda m: joined.get(m[0], m[0]), text)


# A page in a legacy encoding that names none (a saved file, an old CMS): the detector guessed from a few hundred
# bytes, and a German page in Latin-1 read as Baltic DOS ("Br³cke", "Wir ÷ffnen"), with nothing to say so. Such a
# page is read in each likely encoding, the detector's guesses first, and the reading that looks most like words
# is kept.
_DECLARED = re.compile(rb"<meta[^>]+charset|<\?xml[^>]+encoding", re.I)
WEB_ENCODINGS = ("cp1252", "cp1251", "cp1250", "cp1253", "cp1254", "cp1256", "cp1257", "koi8_r", "iso8859_15")
_MARKS = set("«»„“”‘’‚–—…€°·§©®±×")


def page_decoded(data: bytes, guesses: list[str]) -> bytes | str:
    """The page's bytes as they are where they are UTF-8 or name their encoding; else its likeliest reading."""
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    if _DECLARED.search(data[:4096]):
        return data
    readings = []
    for encoding in dict.fromkeys([*guesses, *WEB_ENCODINGS]):
        try:
            readings.append(data.decode(encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    return max(readings, key=_wordlike, default=data)  # max keeps the first of equals: the detector's


def _wordlike(text: str) -> int:
    """How much a reading looks like words. Letters and quote marks beyond ASCII count for it; against it count other
    signs (³, ÷), words of Latin letters mostly beyond ASCII ("Ïðåçèäåíò", Russian read as Latin-1), and words whose
    case changes inside them ("pÝes", Czech read as Mac Latin-2); a word of some language's list of small words
    counts twice where that list writes it beyond ASCII ("при", "και": the lists of Latin-script languages are
    folded, "für" as "fur", so they add nothing here)."""
    small = _small_words()
    score = sum(2 for c in text if c in _MARKS)
    for word in re.findall(r"\w+", text):
        extra = [c for c in word if ord(c) > 127]
        if not extra:
            continue
        if len(word) >= 3 and sum(c.isalpha() and c <= "\u024f" for c in extra) * 2 > len(word):
            score -= len(extra)
        elif not (word.islower() or word.isupper() or word.istitle()):
            score -= 2 * len(extra)
        else:
            score += sum(c.isalpha() for c in extra) + (2 if word.lower() in small else 0)
    return score - 3 * sum(1 for c in text if ord(c) > 127 and not (c.isalpha() or c.isspace() or c in _MARKS))


@lru_cache(maxsize=1)
def _small_words() -> frozenset[str]:
    return frozenset(w for lang in languages() for w in stop_words(lang) if not w.isascii())
