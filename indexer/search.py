"""Search by quote and by keyword over a Whoosh index of transcript passages.

The index is a projection of the store: rebuildable at any time, never the only copy of anything. One document
per *passage*, a sentence-aligned window of about 40 s (20-60 s) whose successor starts half-way through it, so any
quote shorter than about 20 s lies whole inside some passage. Each passage stores its words with their times, so a
hit maps back to the exact seconds.

Text is analysed once, in Python, by indexer.textnorm (folding, numbers as digits, transliteration keys, stemming
where the language is known), and stored as space-separated tokens in three fields: `stem` (stemmed with the
passage's language), `keys` (cross-script skeletons) and `pairs` (adjacent key pairs, so word order counts without
storing positions). The on-disk schema thus holds only Whoosh's own classes, and the tokens are stored with the
passage so a search never re-analyses one.

- keyword mode: BM25F over `stem` and `keys`; the hit spans the matched words of the passage.
- quote mode (quoted, or 6 words or more): candidates by the quote's rarest word pairs, and by its rarest words
  too unless the pairs already gave a close match (never the exact phrase); then indexer.align aligns the quote
  against each candidate's words; hits are ranked by alignment score and overlapping spans are merged.

User text is never parsed as query syntax: the query objects are built from normalised terms. Limits: 1000
characters, 64 quote words, 32 terms, about 2 s per search (a time-limited collector, then a bounded number of
alignments). Writes: one writer at a time; Whoosh's lock is retried for up to 30 s (`IndexBusy` after that), and a
thread lock queues writers within a process.
"""

from __future__ import annotations

import fcntl
import json
import threading
import time
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from whoosh import index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.collectors import FilterCollector
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.idsets import BitSet
from whoosh.query import And, DisjunctionMax, Or, Query, Term, TermRange
from whoosh.searching import Searcher
from whoosh.writing import CLEAR, IndexWriter, LockError

from indexer import align
from indexer.errors import ClipindexError, InvalidInput
from indexer.models import Chapter, Hit, Transcript, Video, Word
from indexer.textnorm import Token, key, primary_language, stem, tokenize, tokenize_text

FORMAT = "clipindex-passages/2"
MAX_QUERY_CHARS = 1000
MAX_QUOTE_WORDS = 64
MAX_TERMS = 32
QUOTE_TERMS = 10  # the rarest quote terms fetch the candidates
QUOTE_MIN_WORDS = 6
MIN_QUOTE_SCORE = 0.4
PAIR_SAMPLE = 2  # one word pair in PAIR_SAMPLE is indexed (see _pairs)
CLOSE_MATCH = 0.8  # a quote aligned this well from word pairs alone needs no search by single words
TIME_LIMIT_S = 1.0  # for one full-text query
TIME_BUDGET_S = 1.8  # for a whole search: later full-text queries and alignments get what is left
LOCK_TIMEOUT_S = 30.0
WINDOW_TARGET_S, WINDOW_MAX_S, UNIT_MAX_S, MAX_WORDS = 40.0, 60.0, 20.0, 180
QUOTE_OPEN = '"\u201c\u201d\u201e\u201f\u00ab'  # a query starting with one of these is a quote
QUOTE_CHARS = QUOTE_OPEN + "\u00bb"
QUERY_LANGUAGES = (None, "en", "ru", "uz")  # without a language filter, a query is read as each of these


class IndexBusy(ClipindexError):
    """Another writer held the index lock for longer than LOCK_TIMEOUT_S."""


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    mode: str  # "quote" or "keyword"
    total: int  # estimated number of hits
    timed_out: bool = False  # the time cap cut the search short: results may be incomplete


class Passage(NamedTuple):
    first_word: int
    last_word: int
    start: float
    end: float


def build_passages(transcript: Transcript) -> list[Passage]:
    """Sentence-aligned windows of about WINDOW_TARGET_S, each starting half-way through the previous one."""
    words = transcript.words
    units = _units(words, transcript)
    out: list[Passage] = []
    a = 0
    while a < len(units):
        b = a
        while b + 1 < len(units) and words[units[b][1]].end - words[units[a][0]].start < WINDOW_TARGET_S \
                and words[units[b + 1][1]].end - words[units[a][0]].start <= WINDOW_MAX_S \
                and units[b + 1][1] - units[a][0] < MAX_WORDS:
            b += 1
        out.append(Passage(units[a][0], units[b][1], words[units[a][0]].start, words[units[b][1]].end))
        if b == len(units) - 1:
            break
        middle = (out[-1].start + out[-1].end) / 2
        a = next((k for k in range(a + 1, b + 1) if words[units[k][0]].start >= middle), b if b > a else a + 1)
    return out


def _units(words: Sequence[Word], transcript: Transcript) -> list[tuple[int, int]]:
    """Sentences as (first, last) word indices, long ones cut into pieces of at most UNIT_MAX_S / MAX_WORDS / 2."""
    units: list[tuple[int, int]] = []
    for s in transcript.sentences():
        first = s.first_word
        for k in range(s.first_word, s.last_word + 1):
            if k > first and (words[k].end - words[first].start > UNIT_MAX_S or k - first >= MAX_WORDS // 2):
                units.append((first, k - 1))
                first = k
        units.append((first, s.last_word))
    return units


def _schema() -> Schema:
    ws = SpaceSeparatedTokenizer()
    return Schema(pid=ID(stored=True, unique=True), video_id=ID(stored=True), channel=ID, language=ID(stored=True),
                  published=ID, stem=TEXT(analyzer=ws, phrase=False), keys=TEXT(analyzer=ws, phrase=False),
                  pairs=TEXT(analyzer=ws, phrase=False), doc=STORED)


def _open(path: Path) -> Any:
    path.mkdir(parents=True, exist_ok=True)
    marker = path / "clipindex.json"
    with open(path / "create.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two processes opening a fresh directory create it once
        if index.exists_in(str(path)) and marker.exists() and json.loads(marker.read_text()).get("format") == FORMAT:
            return index.open_dir(str(path))
        ix = index.create_in(str(path), _schema())  # a projection: an unknown format is simply rebuilt
        marker.write_text(json.dumps({"format": FORMAT}))
        return ix


class SearchIndex:
    """The passage index in one directory. Thread-safe; one writer at a time across processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ix = _open(self.path)
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._filters: dict[tuple[int, str], BitSet] = {}

    # ---- writing -------------------------------------------------------------------------------------------------
    def _index(self) -> Any:
        """The open index; created afresh, empty, if its directory was deleted (the caller's reconcile refills it)."""
        if not index.exists_in(str(self.path)):
            self._ix, self._searcher = _open(self.path), None
        return self._ix

    @contextmanager
    def _writer(self) -> Iterator[IndexWriter]:
        with self._write_lock:
            try:
                w = self._index().writer(timeout=LOCK_TIMEOUT_S, delay=0.05)
            except LockError:
                raise IndexBusy(f"the search index at {self.path} is locked by another writer; try again") from None
            try:
                yield w
            except BaseException:
                w.cancel()
                raise
            if not w.is_closed:
                w.commit()

    def add(self, video: Video, transcript: Transcript, chapters: Sequence[Chapter] = ()) -> int:
        """Index one video's passages, replacing any it had; returns the number of passages."""
        return self.add_many([(video, transcript, chapters)])

    def add_many(self, items: Iterable[tuple[Video, Transcript, Sequence[Chapter]]],
                 progress: Callable[[str, int], None] | None = None) -> int:
        """Index many videos with one writer and one commit (for a rebuild); progress(video_id, passages)."""
        total = 0
        with self._writer() as w:
            for video, transcript, chapters in items:
                w.delete_by_term("video_id", video.id)
                docs = _documents(video, transcript, chapters)
                for doc in docs:
                    w.add_document(**doc)
                total += len(docs)
                if progress:
                    progress(video.id, len(docs))
        return total

    def delete(self, video_id: str) -> None:
        with self._writer() as w:
            w.delete_by_term("video_id", video_id)

    def clear(self) -> None:
        with self._writer() as w:
            w.commit(mergetype=CLEAR)

    # ---- reading -------------------------------------------------------------------------------------------------
    def searcher(self) -> Searcher:
        """A searcher on the latest commit. The old one is left open for threads still using it, and is not
        `refresh()`ed: a refreshed reader reuses segment readers and misses deletions made since."""
        with self._read_lock:
            ix = self._index()
            s = self._searcher
            if s is None or s.reader().generation() != ix.latest_generation():
                self._searcher = s = ix.searcher()
            return s

    def video_ids(self) -> set[str]:
        s = self.searcher()
        return {vid for vid in (t.decode() for t in s.lexicon("video_id")) if self.passage_count(vid, s)}

    def passage_count(self, video_id: str, searcher: Searcher | None = None) -> int:
        s = searcher or self.searcher()
        return sum(1 for _ in s.document_numbers(video_id=video_id))

    def search(self, query: str, *, mode: str | None = None, video: str | None = None, channel: str | None = None,
               language: str | None = None, after: str | None = None, before: str | None = None,
               limit: int = 10, offset: int = 0) -> SearchResult:
        """Search passages; see the module docstring. Raises InvalidInput for a query or option it cannot take."""
        mode, text = parse_query(query, mode)
        _check_page(limit, offset)
        flt = _filter(video, channel, primary_language(language), after, before)
        variants = _variants(text, primary_language(language))
        started = time.monotonic()
        searcher = self.searcher()
        allow = self._allowed(searcher, flt)
        if mode == "quote":
            return _quote(searcher, text, variants, allow, limit, offset, started)
        return _keyword(searcher, variants, allow, limit, offset)

    def _allowed(self, searcher: Searcher, flt: Query | None) -> BitSet | None:
        """The documents a filter lets through, cached per commit: computing them walks all the filter's terms."""
        if flt is None:
            return None
        cache_key = (searcher.reader().generation(), repr(flt))
        found = self._filters.get(cache_key)
        if found is None:
            found = BitSet(searcher.docs_for_query(flt), size=searcher.doc_count_all())
            with self._read_lock:
                if len(self._filters) >= 64:
                    self._filters.clear()
                self._filters[cache_key] = found
        return found


# ---- documents -----------------------------------------------------------------------------------------------------
def _documents(video: Video, transcript: Transcript, chapters: Sequence[Chapter]) -> list[dict[str, Any]]:
    words = transcript.words
    lang = primary_language(transcript.language or video.language)
    tokens = tokenize([w.text for w in words], lang)  # once: passages overlap
    firsts = [t.first for t in tokens]
    docs = []
    for n, p in enumerate(build_passages(transcript)):
        pw = words[p.first_word:p.last_word + 1]
        toks = [t._replace(first=t.first - p.first_word, last=t.last - p.first_word) for t in
                tokens[bisect_left(firsts, p.first_word):bisect_right(firsts, p.last_word)] if t.last <= p.last_word]
        chaps = [[c.start, c.end, c.title] for c in chapters if c.start < p.end and c.end > p.start]
        doc = dict(title=video.title, start=p.start, end=p.end, first_word=p.first_word, chapters=chaps,
                   starts=[round(w.start, 3) for w in pw], ends=[round(w.end, 3) for w in pw],
                   words=[w.text for w in pw], tokens=" ".join(t.text for t in toks),
                   tok_first=[t.first for t in toks], tok_last=[t.last for t in toks])
        fields: dict[str, Any] = dict(
            pid=f"{video.id}#{n}", video_id=video.id, language=lang or "", doc=doc,
            stem=" ".join(stem(t.text, lang) for t in toks), keys=" ".join(t.key for t in toks),
            pairs=" ".join(_pairs(toks)))
        if video.channel:
            fields["channel"] = video.channel.strip().casefold()
        if video.published:
            fields["published"] = video.published[:10]
        docs.append(fields)
    return docs


# ---- queries -------------------------------------------------------------------------------------------------------
def parse_query(query: str, mode: str | None) -> tuple[str, str]:
    """(mode, text without quote marks). Quoted or >= QUOTE_MIN_WORDS words is a quote, unless mode says otherwise."""
    if mode not in (None, "", "auto", "quote", "keyword"):
        raise InvalidInput(f"unknown search mode {mode!r}: use 'quote' or 'keyword'")
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput("the search query is empty: give a few words, or a quote in double quotes")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput(f"the search query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    text = query.strip()
    quoted = text[0] in QUOTE_OPEN
    text = text.strip(QUOTE_CHARS + " \t\r\n")
    for ch in QUOTE_CHARS:
        text = text.replace(ch, " ")
    if not tokenize_text(text):
        raise InvalidInput("the search query has no words to search for")
    words = len(text.split())
    chosen = mode if mode in ("quote", "keyword") else "quote" if quoted or words >= QUOTE_MIN_WORDS else "keyword"
    if chosen == "quote" and words > MAX_QUOTE_WORDS:
        raise InvalidInput(f"a quote can have at most {MAX_QUOTE_WORDS} words (this one has {words}); shorten it")
    return chosen, text


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= 100:
        raise InvalidInput(f"limit must be between 1 and 100 (got {limit})")
    if not 0 <= offset <= 1000:
        raise InvalidInput(f"offset must be between 0 and 1000 (got {offset})")


def _filter(video: str | None, channel: str | None, language: str | None, after: str | None,
            before: str | None) -> Query | None:
    terms: list[Query] = []
    if video:
        terms.append(Term("video_id", video))
    if channel:
        terms.append(Term("channel", channel.strip().casefold()))
    if language:
        terms.append(Term("language", language))
    if after or before:
        lo, hi = _iso(after, "after"), _iso(before, "before")
        if lo and hi and lo > hi:
            raise InvalidInput(f"--after {lo} is later than --before {hi}")
        terms.append(TermRange("published", lo, hi))
    return And(terms) if len(terms) > 1 else terms[0] if terms else None


def _iso(value: str | None, name: str) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InvalidInput(f"{name} must be a date as YYYY-MM-DD (got {value[:40]!r})") from None


def _variants(text: str, language: str | None) -> dict[str | None, tuple[Token, ...]]:
    """The query tokenised under each language it may be in (number words and stemmers differ by language)."""
    langs = (language,) if language else QUERY_LANGUAGES
    return {lang: tokenize_text(text, lang)[:MAX_QUOTE_WORDS * 2] for lang in langs}


def _groups(variants: dict[str | None, tuple[Token, ...]], searcher: Searcher, cap: int) -> dict[str, set[str]]:
    """Query words by key, with their stems under each language variant; the `cap` rarest when there are more."""
    groups: dict[str, set[str]] = {}
    for lang, toks in variants.items():
        for t in toks:
            groups.setdefault(t.key, set()).add(stem(t.text, lang))
    return {k: groups[k] for k in _rarest(searcher, "keys", groups, cap)}


def _rarest(searcher: Searcher, field: str, terms: Iterable[str], cap: int) -> list[str]:
    terms = sorted(set(terms))
    return terms if len(terms) <= cap else sorted(terms, key=lambda t: searcher.doc_frequency(field, t))[:cap]


def _pairs(toks: Sequence[Token]) -> list[str]:
    """Adjacent key pairs, so passages with the quote's words in the quote's order rank first. Only pairs whose
    hash is divisible by PAIR_SAMPLE are kept, on both sides: nearly every pair is a distinct term, which is what
    Whoosh spends most of its indexing time on."""
    pairs = (f"{a.key}_{b.key}" for a, b in zip(toks, toks[1:]))
    return [p for p in pairs if zlib.crc32(p.encode()) % PAIR_SAMPLE == 0]


def _quote_queries(searcher: Searcher, variants: dict[str | None, tuple[Token, ...]]) -> list[Query]:
    """Word pairs first (few, rare terms: fast and precise), then the words too, for a quote said too differently."""
    keys = _rarest(searcher, "keys", (t.key for toks in variants.values() for t in toks), QUOTE_TERMS)
    pairs = [Term("pairs", p) for p in
             _rarest(searcher, "pairs", (p for toks in variants.values() for p in _pairs(toks)), QUOTE_TERMS)]
    return ([Or(pairs)] if pairs else []) + [Or([Term("keys", k) for k in keys] + pairs)]


def _keyword_query(groups: dict[str, set[str]]) -> Query:
    return Or([DisjunctionMax([Term("stem", s) for s in sorted(stems)] + [Term("keys", k, boost=0.5)])
               for k, stems in groups.items()])


class _Deadline(FilterCollector):
    """Filters, and stops collecting at a deadline. (Whoosh's TimeLimitCollector wrapped around a filtering
    collector bypasses the filter, and a filter inside the query as Require trips an assertion in Whoosh 2.7.5's
    block-quality skipping.)"""

    def __init__(self, child: Any, allow: BitSet | None, seconds: float) -> None:
        super().__init__(child)
        self.allowed = allow  # not FilterCollector's `allow`: it treats an empty set as "no filter"
        self.deadline = time.monotonic() + seconds
        self.timed_out = False

    def collect_matches(self) -> None:
        child, allow = self.child, self.allowed
        for n, docnum in enumerate(child.matches()):
            if n % 32 == 0 and time.monotonic() > self.deadline:
                self.timed_out = True
                return
            if allow is None or child.offset + docnum in allow:
                child.collect(docnum)


def _collect(searcher: Searcher, q: Query, allow: BitSet | None, limit: int,
             seconds: float = TIME_LIMIT_S) -> tuple[list[Any], bool]:
    """Top hits within TIME_LIMIT_S, and whether time ran out. (Results.estimated_length() would run the query
    again through the filter: callers estimate from term statistics instead.)"""
    col = _Deadline(searcher.collector(limit=limit), allow, min(seconds, TIME_LIMIT_S))
    searcher.search_with_collector(q, col)
    res = col.results()
    return [res[i] for i in range(res.scored_length())], col.timed_out


# ---- the two modes -------------------------------------------------------------------------------------------------
def _keyword(searcher: Searcher, variants: dict[str | None, tuple[Token, ...]], allow: BitSet | None, limit: int,
             offset: int) -> SearchResult:
    groups = _groups(variants, searcher, MAX_TERMS)
    want = min(500, 3 * (offset + limit) + 10)
    query = _keyword_query(groups)
    found, timed_out = _collect(searcher, query, allow, want)
    stems = {s for group in groups.values() for s in group}
    keys = set(groups)
    top = found[0].score if found and found[0].score > 0 else 1.0
    hits = _dedupe(_keyword_hit(h.fields(), h.score / top, stems, keys) for h in found)
    estimated = min(query.estimate_size(searcher.reader()), searcher.doc_count())  # unfiltered: an upper bound
    total = len(hits) if len(found) < want else max(len(hits), round(estimated * len(hits) / len(found)))
    return SearchResult(hits[offset:offset + limit], "keyword", total, timed_out)


def _keyword_hit(fields: dict[str, Any], score: float, stems: set[str], keys: set[str]) -> Hit:
    """The passage's matched words are highlighted; the hit spans the first to the last of them."""
    lang = fields["language"] or None
    hit = [t for t in _tokens(fields) if t.key in keys or stem(t.text, lang) in stems]
    marked = sorted({i for t in hit for i in range(t.first, t.last + 1)})
    first, last = (marked[0], marked[-1]) if marked else (0, len(fields["doc"]["words"]) - 1)
    return _hit(fields, first, last, marked, score, "keyword", ())


def _quote(searcher: Searcher, text: str, variants: dict[str | None, tuple[Token, ...]], allow: BitSet | None,
           limit: int, offset: int, started: float) -> SearchResult:
    """Candidates by the quote's rarest word pairs (and, unless they gave a close match, its words), then the best
    aligned span in each, ranked by alignment score."""
    want = min(200, max(30, 2 * (offset + limit)))
    hits: list[Hit] = []
    seen: set[int] = set()
    timed_out = False
    for query in _quote_queries(searcher, variants):
        if timed_out or (hits and max(h.score for h in hits) >= CLOSE_MATCH):
            break
        found, late = _collect(searcher, query, allow, want, TIME_BUDGET_S - (time.monotonic() - started))
        timed_out |= late
        for h in (h for h in found if h.docnum not in seen):
            if time.monotonic() - started > TIME_BUDGET_S:
                timed_out = True
                break
            seen.add(h.docnum)
            hit = _quote_hit(text, h.fields())
            if hit:
                hits.append(hit)
    hits.sort(key=lambda x: -x.score)  # stable: among equal scores the full-text order stays
    hits = _dedupe(hits)
    return SearchResult(hits[offset:offset + limit], "quote", len(hits), timed_out)


def _quote_hit(text: str, fields: dict[str, Any]) -> Hit | None:
    doc = fields["doc"]
    times = list(zip(doc["starts"], doc["ends"]))
    m = align.locate_in(text, doc["words"], times, fields["language"] or None, _tokens(fields))
    if m is None or m.score < MIN_QUOTE_SCORE:
        return None
    return _hit(fields, m.first_word, m.last_word, m.matched_words, m.score, "quote", m.differences)


def _tokens(fields: dict[str, Any]) -> list[Token]:
    """The passage's tokens as indexed (stored with it, so a search never re-analyses a passage)."""
    doc = fields["doc"]
    return [Token(t, key(t), a, b) for t, a, b in zip(doc["tokens"].split(), doc["tok_first"], doc["tok_last"])]


# ---- hits ----------------------------------------------------------------------------------------------------------
def _hit(fields: dict[str, Any], first: int, last: int, marked: Sequence[int], score: float, mode: str,
         differences: tuple[str, ...]) -> Hit:
    doc = fields["doc"]
    words = doc["words"]
    start, end = doc["starts"][first], doc["ends"][last]
    return Hit(video_id=fields["video_id"], title=doc["title"], start=start, end=end,
               text=" ".join(w.strip() for w in words[first:last + 1]),
               snippet=align.highlight(words, marked, first, last), score=round(min(score, 1.0), 4),
               mode=mode, chapter=_chapter(doc["chapters"], start), differences=differences)


def _chapter(chapters: list[list[Any]], t: float) -> str | None:
    inside = [title for s, e, title in chapters if s <= t < e] or [title for s, _, title in chapters if s <= t]
    return str(inside[-1]) if inside else None


def _dedupe(hits: Iterable[Hit]) -> list[Hit]:
    """Overlapping passages find the same words twice: keep the first (best) of overlapping spans."""
    kept: list[Hit] = []
    for h in hits:
        if not any(k.video_id == h.video_id and h.start < k.end and k.start < h.end for k in kept):
            kept.append(h)
    return kept
