"""Queries: the two modes (quote, keyword), on a query read by indexer/search/parsing.py.

A backend (Whoosh or tantivy, indexer/search/index.py and tantivy_index.py) only retrieves candidates: term
document frequencies, the top passages for a query tree of `Term`, `AnyOf`, `AllOf` and `BestOf` under a `Filter`,
and their stored fields (`Candidates`: indexer/search/terms.py). Everything after that (the rarest terms,
alignment, hit spans, dedupe, paging) is here, once, for every backend.
"""

from __future__ import annotations

import heapq
import itertools
import re
import time
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from indexer.config import lenient_number
from indexer.models import Hit, SearchMode
from indexer.search.parsing import MAX_QUOTE_WORDS
from indexer.search.passages import word_pairs
from indexer.search.terms import AllOf, AnyOf, BestOf, Candidates, CountOf, Found, Q, Term
from indexer.text.locate import locate_in
from indexer.text.normalize import (
    Token,
    key,
    no_spaces,
    number_scales,
    percent_words,
    stem,
    text_words,
)
from indexer.text.snippet import highlight
from indexer.text.stems import shorter_stems
from indexer.text.stopwords import function_words
from media.readable import join_words

MAX_TERMS = 32
TOTAL_SAMPLE = 40  # a keyword total is estimated from at least this many moments read (overlaps count once),
FEW_MATCHES = 200  # where no more than this many passages match,
PAGE_SAMPLE = 10  # else from at least this many (a page of ten reads them anyway)
MOMENT_GAP_S = 10.0  # a keyword hit's matched words further apart than this are two moments
QUOTE_TERMS = 10  # the rarest quote terms fetch the candidates
MIN_QUOTE_SCORE = 0.4
QUOTE_ALIGN = 20  # of those, how many are aligned
QUOTE_ALIGN_ANYWAY = 5  # the first stage's best this many are aligned even past the time budget: a busy machine's
# search says it was cut short and gives its best candidates, never nothing (milliseconds)
WORDS_POOL = 3  # the words stage reads 3x the backend's quote pool: its terms are an archive's common words, so the
# passage that says them in the quote's order often ranks below a hundred that hold as many (100k: R@1 0.937 -> 0.950)
TIME_BUDGET_S = lenient_number("CLIPINDEX_QUOTE_BUDGET_S", 1.8, float, "a number of seconds from 0 to 600", most=600)
# for a quote search: a full-text stage starts, and a candidate is aligned, only within it (a full-text query itself
# runs to its end: milliseconds on both backends, even at a million passages); a slow or busy machine may raise it
_UMLAUT = {"ae": "a", "oe": "o", "ue": "u"}  # an umlaut as a token's text holds it: folded (lower case, no marks)
_DIGRAPH = re.compile("|".join(_UMLAUT))


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    mode: SearchMode
    total: int  # estimated number of hits
    timed_out: bool = False  # the time cap cut the search short: results may be incomplete


def _groups(variants: dict[str | None, tuple[Token, ...]], found: Candidates, cap: int,
            read_in: dict[str, set[str | None]]) -> dict[str, set[str]]:
    """Query words by key, with their stems under each language variant; the `cap` rarest when there are more.
    `read_in` gets each stem's languages (None: the word as typed)."""
    groups: dict[str, set[str]] = {}

    def stem_in(text: str, lang: str | None) -> str:
        read_in.setdefault(out := stem(text, lang), set()).add(lang)
        return out

    spelled: dict[str, str | None] = {}  # a word no passage holds -> its umlaut spelling that some passage holds
    # "%" (or "percent") is one query word, read in each language ("percent", "процентов", "foiz"), not one each: as
    # three, no passage held every word of "30%", and a Russian passage's "процентов" without 30 ranked with the
    # English "30%"; and "30 percent" found no "30 процентов"
    percent = {t.first for t in variants.get(None, ()) if t.text == "percent"}
    for at in percent:
        groups[f"%{at}"] = {stem_in(w, lang) for lang in variants for w in percent_words(lang)
                            if w not in function_words(lang)}  # French "pour cent" as its "100" ("cent")
    for lang, toks in variants.items():
        for t in toks:
            if t.first in percent and (t.text == "percent" or t.text in percent_words(lang)):
                continue
            if t.key not in spelled:
                spelled[t.key] = _umlauts_held(found, t, variants)
            alt = spelled[t.key]
            if alt is None:
                groups.setdefault(t.key, set()).add(stem_in(t.text, lang))
            else:  # the group is the held word's: its key finds and marks it, as do both spellings' stems
                groups.setdefault(key(alt), set()).update((stem_in(t.text, lang), stem_in(alt, lang)))
    return {k: groups[k] for k in _rarest(found, "keys", groups, cap)}


def _umlauts_held(found: Candidates, word: Token, languages: Iterable[str | None]) -> str | None:
    """`word` with its "ae", "oe" or "ue" written as the umlaut they stand for, where some passage holds that
    spelling (or, read in one of the `languages`, its stem: "Muenchens" finds "München") and none holds the word as
    typed: a keyboard without umlauts types "Muenchen" for "München" and
    "Groesse" for "Größe". Only for a word that no passage holds: folding every "ue" would make "neuen" meet "neun"."""
    spots = [m.start() for m in _DIGRAPH.finditer(word.text)][:3]
    if not spots or found.doc_frequency("keys", word.key):
        return None
    for chosen in range(2 ** len(spots) - 1, 0, -1):  # every digraph an umlaut first
        text = word.text
        for bit, at in reversed(list(enumerate(spots))):
            if chosen >> bit & 1:
                text = text[:at] + _UMLAUT[text[at:at + 2]] + text[at + 2:]
        if found.doc_frequency("keys", key(text)) or any(found.doc_frequency("stem", stem(text, lang))
                                                         for lang in languages if lang):
            return text
    return None


def _rarest(found: Candidates, field: str, terms: Iterable[str], cap: int) -> list[str]:
    terms = sorted(set(terms))
    return terms if len(terms) <= cap else sorted(terms, key=lambda t: found.doc_frequency(field, t))[:cap]


def _rarest_held(found: Candidates, field: str, terms: Iterable[str], cap: int) -> list[str]:
    """The `cap` rarest terms that some passage holds: a misremembered word, or a pair it makes, is often in no
    passage at all, and would take the place of a term that finds the passage."""
    df = {t: found.doc_frequency(field, t) for t in set(terms)}
    return sorted((t for t in df if df[t]), key=lambda t: (df[t], t))[:cap]


def _quote_queries(found: Candidates, variants: dict[str | None, tuple[Token, ...]]) -> list[tuple[Q, int]]:
    """Word pairs first (few, rare terms: fast and precise), then the words too, for a quote said too differently;
    each with how many candidates to read: the backend's `quote_pool` of the pairs, WORDS_POOL times as many of the
    words.

    The words stage is, where the backend counts cheaply (`quote_counts`), the passages holding the most of all the
    quote's words and indexed pairs, however common (`CountOf`): where a quote is made of an archive's commonest
    words, hundreds of passages outscore the one that says them all on the rarest terms' idf, but few hold as many
    of them. Otherwise it is an OR of the rarest QUOTE_TERMS words and pairs."""
    every = _rarest_held(found, "keys", (t.key for toks in variants.values() for t in toks), MAX_QUOTE_WORDS)
    every_pair = _rarest_held(found, "pairs", (p for toks in variants.values() for p in word_pairs(toks)),
                              MAX_QUOTE_WORDS)
    pairs = tuple(Term("pairs", p) for p in every_pair[:QUOTE_TERMS])
    stages: list[tuple[Q, int]] = [(AnyOf(pairs), found.quote_pool)] if pairs else []
    words = found.quote_pool * WORDS_POOL
    if every and found.quote_counts:
        keys = tuple(Term("keys", k) for k in every)
        stages.append((CountOf(keys + tuple(Term("pairs", p) for p in every_pair)), words))
    elif every:
        stages.append((AnyOf(tuple(Term("keys", k) for k in every[:QUOTE_TERMS]) + pairs), words))
    return stages


def _keyword_query(groups: dict[str, set[str]], keys: set[str], every: bool = False) -> Q:
    """Any of the words (or, with `every`, all of them), each as any of its stems, or its key where in `keys`."""
    words = tuple(BestOf(tuple(Term("stem", s) for s in sorted(stems)) + ((Term("keys", k, boost=0.5),) if k in keys
                                                                          else ()))
                  for k, stems in groups.items())
    return AllOf(words) if every else AnyOf(words)


def _keys_that_find(groups: dict[str, set[str]], variants: dict[str | None, tuple[Token, ...]], typed: str
                    ) -> set[str]:
    """The query words' keys that find and mark a passage's words of other spellings and scripts: not those of three
    letters or fewer typed in lower case, whose keys meet unrelated words ("год" and "Good" are both "god", "и" and
    "I" both "i"), while a name typed as one ("Kim" for "Ким") still meets its other script. Numbers and characters
    of Chinese or Japanese keep theirs."""
    words = text_words(typed)
    short = {t.key for toks in variants.values() for t in toks if len(t.key) <= 3 and not t.is_number
             and not no_spaces(t.key) and not any(w[:1].isupper() for w in words[t.first:t.last + 1])}
    return set(groups) - short


# ---- the two modes -------------------------------------------------------------------------------------------------
def keyword_search(found: Candidates, variants: dict[str | None, tuple[Token, ...]], limit: int,
                   offset: int, typed: str = "") -> SearchResult:
    """`typed`: the query as typed (its words' capitals say which short words are names)."""
    read_in: dict[str, set[str | None]] = {}
    groups = _groups(variants, found, MAX_TERMS, read_in)
    content = _content_words(groups, variants)
    keyed = _keys_that_find(groups, variants, typed)
    # passages read for the page: a moment stands in about two (they overlap by half), and a passage may hold two
    # moments; capped at 500 once, so pages past about 400 moments came back empty while the total said thousands
    want = max(3 * (offset + limit) + 10, TOTAL_SAMPLE)
    query = _keyword_query(content, keyed)
    top: list[Found] = []
    if len(groups) > 1:  # passages with every word first: intersecting skips through the long posting lists
        top = found.top(_keyword_query(groups, keyed, every=True), want)
    if len(top) < want:
        more = found.top(query, want)
        have = {h.key for h in top}
        top += [h for h in more if h.key not in have][:want - len(top)]
    # a stem marks a passage's word where the query was read in the passage's language, or as typed: German's stem
    # of "note" is "not", which an English passage says everywhere (a passage in a language the query was not read
    # in is marked by any)
    stems = {s: None if None in read_in[s] else frozenset(read_in[s]) for group in content.values() for s in group}
    keys, read = set(content) & keyed, frozenset(variants)
    best = top[0].score if top and top[0].score > 0 else 1.0
    matched = len(top) if len(top) < want else max(len(top), min(found.estimate(query), found.doc_count()))
    # passages are read (their stored fields: most of a hit's cost, 0.7 ms each at 100k passages) until the page is
    # full and the total's sample is read: the first TOTAL_SAMPLE moments where the matches are few enough for
    # someone to page through them all, else the first PAGE_SAMPLE. The total is the moments those first ones hold
    # per passage read, times the passages that match: the same for every page of a query (from each page's own
    # passages, a page of one hit said 6,614 and a page of ten 13,228)
    sample = TOTAL_SAMPLE if matched <= FEW_MATCHES else PAGE_SAMPLE
    read_by: dict[int, int] = {}  # a moment (its id) -> the passages read up to its own

    def moments() -> Iterator[Hit]:
        """The moments best first, lazily. A passage's first moment has its score and its others less, and the
        passages come best first: a moment waits until no passage still to come can outrank it. So every page is
        a slice of one ranking: each page sorted the moments it had read, and more were read for a deeper page, so
        a lone word's moment closed page after page and others were on none."""
        waiting: list[tuple[float, int, Hit]] = []  # (-score, order read, moment)
        order = itertools.count()
        for n, h in enumerate(top, 1):
            head = h.score / best
            while waiting and -waiting[0][0] > head:
                yield heapq.heappop(waiting)[2]
            for hit in _keyword_hits(h.fields(), head, stems, keys, read):
                read_by[id(hit)] = n
                heapq.heappush(waiting, (-hit.score, next(order), hit))
        while waiting:
            yield heapq.heappop(waiting)[2]

    hits = _dedupe_until(moments(), max(offset + limit, sample))
    basis = hits[:sample]  # overlapping passages count once
    if len(top) < want and len(hits) < max(offset + limit, sample):
        total = len(hits)  # every passage that matches was read, and every moment in them found: the count is exact
    else:
        total = max(len(hits), round(matched * len(basis) / read_by[id(basis[-1])])) if basis else 0
    return SearchResult(hits[offset:offset + limit], "keyword", total)


def _content_words(groups: dict[str, set[str]], variants: dict[str | None, tuple[Token, ...]]
                   ) -> dict[str, set[str]]:
    """A keyword query's words less its languages' function words (articles, prepositions ...), when some other word
    is left: the query for the passages that hold any of the words, and the words a hit marks. "цены на хлеб" over
    an archive without bread found passages for "на" alone, and a hit spanned every "на" of its passage. Passages
    with every word, function words included, still come first; a query of function words alone keeps them all."""
    listed = {t.key for lang, toks in variants.items() if lang for t in toks if t.text in function_words(lang)}
    return {k: v for k, v in groups.items() if k not in listed} or groups


def _keyword_hits(fields: dict[str, Any], score: float, read_in: dict[str, frozenset[str | None] | None],
                  keys: set[str], read: frozenset[str | None]) -> list[Hit]:
    """The passage's moments: each run of matched words (highlighted) that follow each other within MOMENT_GAP_S, the
    run with the most of the query's words first, scored down by the share of them it holds. A passage runs to 40-60
    s, and one that says "budget" at its start and again at its end holds two moments: spanned as one, Play and "Add
    to reel" took the whole passage. `read_in`: the query's stems, each with the languages it was read in (None: as
    typed, so in any), of `read`; a passage found only by stems of languages other than its own has no moment."""
    lang = fields["language"] or None
    stems = {s for s, langs in read_in.items() if langs is None or lang in langs or lang not in read}
    foreign = False
    doc = fields["doc"]
    starts, ends = doc["starts"], doc["ends"]
    runs: list[list[tuple[Token, str]]] = []
    # a query word of one character of Chinese or Japanese is said inside the passage's character pairs
    chars = {k for k in keys if len(k) == 1 and no_spaces(k)}
    for t, s in zip(_tokens(fields), doc["stems"].split()):
        if t.key not in keys and s not in stems and t.text[:1].isdigit():  # "million" in "3 million" (passages.py)
            s = next((v for v in number_scales(t, doc["words"], lang) if v in stems), s)
        if chars and t.key not in keys and s not in stems:
            s = next((c for c in t.key if c in chars), s)
        if t.key not in keys and s not in stems:  # Uzbek "foiz" said in "foizga" (stems.shorter_stems)
            s = next((v for v in shorter_stems(s, lang) if v in stems), s)
        foreign = foreign or s in read_in
        if t.key in keys or s in stems:
            match = (t, s if s in stems else t.key)  # the query word it is: its stem where that matched
            if runs and starts[t.first] - ends[runs[-1][-1][0].last] <= MOMENT_GAP_S:
                runs[-1].append(match)
            else:
                runs.append([match])
    if not runs:  # found by another language's stems alone, else by what no word shows (the passage as its hit)
        return [] if foreign else [_hit(fields, 0, len(doc["words"]) - 1, (), score, "keyword", ())]
    held = [len({what for _, what in run}) for run in runs]
    order = sorted(range(len(runs)), key=lambda k: (-held[k], -len(runs[k]), k))
    out = []
    for k in order:
        marked = sorted({i for t, _ in runs[k] for i in range(t.first, t.last + 1)})
        out.append(_hit(fields, marked[0], marked[-1], marked, score * held[k] / held[order[0]], "keyword", ()))
    return out


def quote_search(found: Candidates, text: str, variants: dict[str | None, tuple[Token, ...]], limit: int,
                 offset: int, started: float) -> SearchResult:
    """Candidates by the quote's rarest word pairs, then by its words too (`_quote_queries`; unless a passage from the
    pairs aligns at least the backend's `quote_close_match`); the best few hundred of each (`_quote_queries`) are read
    and ranked by how many of the quote's words and neighbour pairs they hold (`_order_score`: cheap, and it knows word
    order, which the full-text score does not); the best of those are aligned and ranked by alignment score.

    Why a pool: in an archive, hundreds of passages share most of a quote's common words, so the full-text score
    alone often puts the passage that holds them in the quote's order below the first few dozen, and a misremembered
    quote loses its rarest terms. Reading a passage's keys costs a fraction of aligning it (about 1 ms).

    The time budget (TIME_BUDGET_S) stops the stages after the first and the alignments past the first stage's best
    QUOTE_ALIGN_ANYWAY: a search cut short says so (`timed_out`) with the best it found."""
    # a moment stands in about two passages (they overlap by half): twice the page's end, however deep (a cap of 200
    # left a formula said 300 times reachable to its 131st, its last hours never; the time budget still holds)
    want = max(QUOTE_ALIGN, 2 * (offset + limit))
    quote_keys = {tuple(t.key for t in toks) for toks in variants.values() if toks}
    pool: list[tuple[int, Found]] = []  # (order score, candidate), best first
    aligned: dict[Hashable, Hit | None] = {}
    timed_out = False

    def align_best() -> list[Hit]:
        """The pool's `want` best aligned (each passage once per search), within the search's time budget; where the
        cut falls among passages tied with the best order score, up to 2 x QUOTE_ALIGN more of those (the cut would
        otherwise choose among equals by full-text score, which knows no word order)."""
        nonlocal timed_out
        hits = []
        n = want
        if len(pool) > want and pool[want - 1][0] == pool[0][0]:
            while n < min(len(pool), want + 2 * QUOTE_ALIGN) and pool[n][0] == pool[0][0]:
                n += 1
        for k, (_, c) in enumerate(pool[:n]):
            if k >= QUOTE_ALIGN_ANYWAY and time.monotonic() - started > TIME_BUDGET_S:
                timed_out = True
                break
            if c.key not in aligned:
                aligned[c.key] = _quote_hit(text, c.fields())
            if hit := aligned[c.key]:
                hits.append(hit)
        return hits

    for stage, (query, candidates) in enumerate(_quote_queries(found, variants)):
        if stage and time.monotonic() - started >= TIME_BUDGET_S:
            timed_out = True
            break
        top = found.top(query, max(candidates, want))
        have = {h.key for _, h in pool}
        pool += [(_order_score(quote_keys, h.keys()), h) for h in top if h.key not in have]
        pool.sort(key=lambda p: -p[0])  # stable: among equal order scores the full-text order stays
        if timed_out or max((h.score for h in align_best()), default=0.0) >= found.quote_close_match:
            break  # the pairs found the quote (nearly) word for word: the words stage is not worth its cost
    hits = align_best()
    hits.sort(key=lambda x: -x.score)  # stable: among equal scores the order score's order stays
    hits = _dedupe(hits)
    return SearchResult(hits[offset:offset + limit], "quote", len(hits), timed_out)


def _order_score(quote_keys: Iterable[Sequence[str]], keys: Sequence[str]) -> int:
    """How many of the quote's words, plus how many of its neighbour pairs, a passage holds (the best reading of the
    quote): a passage that says the quote's words in the quote's order scores nearly twice one that only has them."""
    have, pairs = set(keys), set(zip(keys, keys[1:]))
    return max((sum(k in have for k in q) + sum(p in pairs for p in zip(q, q[1:])) for q in quote_keys), default=0)


def _quote_hit(text: str, fields: dict[str, Any]) -> Hit | None:
    doc = fields["doc"]
    times = list(zip(doc["starts"], doc["ends"]))
    m = locate_in(text, doc["words"], times, fields["language"] or None, _tokens(fields))
    if m is None or m.score < MIN_QUOTE_SCORE:
        return None
    return _hit(fields, m.first_word, m.last_word, m.matched_words, m.score, "quote", m.differences)


def _tokens(fields: dict[str, Any]) -> list[Token]:
    """The passage's tokens as indexed (stored with it, so a search never re-analyses a passage)."""
    doc = fields["doc"]
    return [Token(*t) for t in zip(doc["tokens"].split(), doc["keys"].split(), doc["tok_first"], doc["tok_last"])]


# ---- hits ----------------------------------------------------------------------------------------------------------
def _hit(fields: dict[str, Any], first: int, last: int, marked: Sequence[int], score: float, mode: SearchMode,
         differences: tuple[str, ...]) -> Hit:
    doc = fields["doc"]
    words = doc["words"]
    start, end = doc["starts"][first], doc["ends"][last]
    return Hit(video_id=fields["video_id"], title=doc["title"], start=start, end=end,
               text=join_words(words[first:last + 1]),  # "12,000" as said, not "12 ,000"
               snippet=highlight(words, marked, first, last), score=round(min(score, 1.0), 4),
               mode=mode, chapter=_chapter(doc["chapters"], start), differences=differences)


def _chapter(chapters: list[list[Any]], t: float) -> str | None:
    inside = [title for s, e, title in chapters if s <= t < e] or [title for s, _, title in chapters if s <= t]
    return str(inside[-1]) if inside else None


def _dedupe(hits: Iterable[Hit]) -> list[Hit]:
    """Overlapping passages find the same words twice: keep the first (best) of overlapping spans."""
    return _dedupe_until(hits, None)


def _dedupe_until(hits: Iterable[Hit], enough: int | None) -> list[Hit]:
    """_dedupe, stopping once `enough` are kept."""
    kept: list[Hit] = []
    by_video: dict[str, list[Hit]] = {}  # a deep page keeps a thousand: each is compared with its own video's only
    for h in hits:
        same = by_video.setdefault(h.video_id, [])
        if not any(h.start < k.end and k.start < h.end for k in same):
            kept.append(h)
            same.append(h)
        if enough is not None and len(kept) >= enough:
            break
    return kept
