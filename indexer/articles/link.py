"""Link an article's paragraphs to the moments of a video that cover them, and check its quotes against the speech.

Why a global matching and not a walk through the text: a report tells the story in its own order, skips paragraphs,
paraphrases others and adds its own material, so paragraph n is not near sentence n. Instead every paragraph is
scored against every run of 1..`max_units` consecutive transcript sentences (or translated segments) with a
language-neutral lexical similarity: TF-IDF cosine over character 3- and 4-grams of the text layer's tokens in
Latin letters (case, accents, apostrophes, Cyrillic script, number words and written variants folded, so "four
hundred" meets "400" and "Toshkent" meets "Тошкент"; n-grams survive misspellings and inflection). The pairs are
then taken greedily, best first, under two constraints: a paragraph gets one span and a sentence belongs to one
paragraph; a paragraph left without a span may then take part of another's (_share). A paragraph whose best free
span scores below `cover_min` is "not covered"; the threshold is calibrated by
bench/eval_articles.py (docs/articles.md).

Quotes are checked word by word against the speech around the paragraph's span (indexer/articles/quotecheck.py).

An article in another language than the speech is linked through an English rendering of the transcript (Whisper's
translate task) when one is given: each translated segment is one unit, so times are only as precise as segments,
and the result says so (`precision="segment"`, `via_translation`).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from indexer.articles.load import Article, Paragraph
from indexer.articles.quotecheck import QuoteCheck, WordDiff, check_quote, spoken_tokens
from indexer.articles.verdict import SpanScorer, VerdictSettings, judge
from indexer.models import Segment, Transcript, Word, split_sentences
from indexer.text.normalize import tokenize
from indexer.text.translit import latin

__all__ = ["ArticleLinks", "LinkSettings", "ParagraphLink", "QuoteCheck", "WordDiff", "link_article", "shorten"]


@dataclass(frozen=True)
class LinkSettings:
    cover_min: float = 0.30  # paragraph/span cosine below which a paragraph is "not covered" (calibrated)
    found_min: float = 0.55  # quote alignment score below which a quote is "not found" (calibrated)
    near: float = 0.90  # word similarity from which two spellings count as the same word
    max_units: int = 8  # longest run of sentences one paragraph may cover
    verdict: VerdictSettings = VerdictSettings()  # when a transcript's difference is a misquote


@dataclass(frozen=True)
class ParagraphLink:
    paragraph: int
    start: float | None  # None: not covered
    end: float | None
    score: float
    snippet: str = ""  # the spoken words of the span
    quotes: tuple[QuoteCheck, ...] = ()

    @property
    def covered(self) -> bool:
        return self.start is not None

    @property
    def kind(self) -> str:
        return "covered" if self.covered else "not covered"


@dataclass(frozen=True)
class ArticleLinks:
    video_id: str
    article_language: str
    transcript_language: str
    precision: str  # "word" (sentence spans from word times) or "segment" (through a translation)
    via_translation: bool
    paragraphs: tuple[ParagraphLink, ...]
    notes: tuple[str, ...] = ()

    @property
    def quotes(self) -> list[QuoteCheck]:
        return [q for p in self.paragraphs for q in p.quotes]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleLinks:
        def check(q: dict[str, Any]) -> QuoteCheck:
            return QuoteCheck(**{**q, "differences": tuple(WordDiff(**d) for d in q["differences"]),
                                 "misheard": tuple(WordDiff(**d) for d in q.get("misheard", ()))})
        paragraphs = tuple(ParagraphLink(**{**p, "quotes": tuple(check(q) for q in p["quotes"])})
                           for p in data["paragraphs"])
        return cls(**{**data, "paragraphs": paragraphs, "notes": tuple(data.get("notes", ()))})


# --- normalised tokens ---------------------------------------------------------------------------------------------

def _forms(text: str, language: str) -> list[str]:
    """A text's tokens in Latin letters, written variants folded: what paragraphs and speech are compared by.

    Latin and not the coarser key: n-grams already absorb spelling variants, and the finer letters tell more apart.
    """
    return [latin(t.text) for t in tokenize(text.split(), language, variants=True)]


def _features(toks: list[str]) -> Counter[str]:
    grams: Counter[str] = Counter()
    for t in toks:
        padded = f" {t} "
        for n in (3, 4):
            grams.update(padded[k:k + n] for k in range(max(len(padded) - n + 1, 1)))
    return grams


# --- paragraphs to spans -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Unit:
    start: float
    end: float
    text: str
    first: int  # index of the first word
    last: int  # inclusive


def link_article(article: Article, transcript: Transcript, *, translated: list[Segment] | None = None,
                 settings: LinkSettings | None = None, scorer: SpanScorer | None = None) -> ArticleLinks:
    """Every paragraph linked to the span that covers it (or not covered), every quote checked against the speech;
    `scorer` re-scores the audio of a span under given wordings (without it, quotes are judged on the text)."""
    cfg = settings or LinkSettings()
    via = translated is not None and _differs(article.language, transcript.language)
    words = _segment_words(translated or []) if via else transcript.words
    language = "en" if via else transcript.language
    units = _segment_units(words, translated or []) if via else _sentence_units(words, language)
    lang_a = article.language if _known(article.language) else language  # undetermined: read it as the speech
    spans, best = _assign(article.paragraphs, units, lang_a, language, cfg)
    spoken = spoken_tokens(words, language)
    links = []
    for p in article.paragraphs:
        span = spans.get(p.index)
        region = (units[max(span[0] - 1, 0)].first, units[min(span[1] + 1, len(units) - 1)].last) if span else None
        checks = tuple(judge(check_quote(q, spoken, words, lang_a, near=cfg.near, found_min=cfg.found_min,
                                         paragraph=p.index, number=k, region=region, via_translation=via,
                                         around=(p.text[:q.start], p.text[q.end:])),
                             words, None if via else scorer, cfg.verdict, lang_a)
                       for k, q in enumerate(p.quotes) if q.depth == 0)
        if span:
            first, last, score = span
            text = " ".join(u.text for u in units[first:last + 1])
            links.append(ParagraphLink(p.index, float(units[first].start), float(units[last].end), round(score, 3),
                                       shorten(text, 300), checks))
        else:
            links.append(ParagraphLink(p.index, None, None, round(best.get(p.index, 0.0), 3), "", checks))
    return ArticleLinks(transcript.video_id, article.language, transcript.language, "segment" if via else "word",
                        via, tuple(links), _notes(article, transcript, translated, via))


def _known(language: str) -> bool:
    return language.split("-")[0].lower() not in ("", "und")


def _differs(a: str, b: str) -> bool:
    a, b = a.split("-")[0].lower(), b.split("-")[0].lower()
    return _known(a) and a != b


def _notes(article: Article, transcript: Transcript, translated: list[Segment] | None, via: bool) -> tuple[str, ...]:
    if via:
        return (f"article in {article.language}, speech in {transcript.language}: linked through an English "
                "rendering of the transcript, at segment precision; quotes compared with that translation",)
    if _differs(article.language, transcript.language) and translated is None:
        return (f"article in {article.language}, speech in {transcript.language}: without a translated rendering "
                "of the transcript few paragraphs can be linked",)
    return ()


def _sentence_units(words: list[Word], language: str | None) -> list[_Unit]:
    units = []
    for s in split_sentences(words, language):
        for lo in range(s.first_word, s.last_word + 1, 30):  # unpunctuated captions: cut run-on "sentences"
            hi = min(lo + 29, s.last_word)
            text = " ".join(w.text.strip() for w in words[lo:hi + 1])
            units.append(_Unit(words[lo].start, words[hi].end, text, lo, hi))
    return units


def _segment_words(segments: list[Segment]) -> list[Word]:
    """The translation's words; a segment without word times gets them spread over its time by length."""
    out: list[Word] = []
    for seg in segments:
        if seg.words:
            out.extend(seg.words)
            continue
        parts = seg.text.split() or [""]
        step = (seg.end - seg.start) / sum(len(p) + 1 for p in parts)
        t = seg.start
        for p in parts:
            out.append(Word(t, t + step * len(p), p))
            t += step * (len(p) + 1)
    return out


def _segment_units(words: list[Word], segments: list[Segment]) -> list[_Unit]:
    units, k = [], 0
    for seg in segments:
        n = len(seg.words) if seg.words else max(len(seg.text.split()), 1)
        if n and k < len(words):
            units.append(_Unit(seg.start, seg.end, seg.text.strip(), k, min(k + n, len(words)) - 1))
        k += n
    return units


class _Space:
    """TF-IDF over character n-grams, fitted on the paragraphs and units of one linking run."""

    def __init__(self, docs: list[Counter[str]]):
        df = Counter(g for d in docs for g in d)
        self.idf = {g: math.log((len(docs) + 1) / (n + 1)) + 1.0 for g, n in df.items()}

    def vector(self, grams: Counter[str]) -> dict[str, float]:
        return {g: c * self.idf[g] for g, c in grams.items()}


def _assign(paragraphs: tuple[Paragraph, ...], units: list[_Unit], lang_a: str, lang_t: str,
            cfg: LinkSettings) -> tuple[dict[int, tuple[int, int, float]], dict[int, float]]:
    """paragraph index -> (first unit, last unit, score), chosen best first, one-to-one; and each best score."""
    if not units or not paragraphs:
        return {}, {}
    scores = _span_scores(paragraphs, units, lang_a, lang_t, cfg.max_units)  # [paragraph, first unit, length-1]
    order = np.argsort(-scores, axis=None)
    taken = np.zeros(len(units), dtype=bool)
    chosen: dict[int, tuple[int, int, float]] = {}
    for flat in order:
        p, i, ln = np.unravel_index(flat, scores.shape)
        score = float(scores[p, i, ln])
        if score < cfg.cover_min or len(chosen) == len(paragraphs):
            break
        if int(p) in chosen or taken[i:i + ln + 1].any():
            continue
        chosen[int(p)] = (int(i), int(i + ln), score)
        taken[i:i + ln + 1] = True
    _share(chosen, scores, cfg.cover_min)
    best = {p.index: float(scores[k].max()) for k, p in enumerate(paragraphs)}
    return {paragraphs[p].index: span for p, span in chosen.items()}, best


def _share(chosen: dict[int, tuple[int, int, float]], scores: np.ndarray, cover_min: float) -> None:
    """Give a paragraph left without a span part of another's, where both then score at least `cover_min` and
    together more than the one did: best first, a paragraph took two sentences because the second named its
    speaker ("..., said councillor Anna Marsh"), and the paragraph that quotes that sentence was left "not
    covered" though its quote was found there verbatim. The other keeps a run at one end of its span, the
    paragraph a run of the rest."""
    def score(paragraph: int, run: tuple[int, int]) -> float:
        return float(scores[paragraph, run[0], run[1] - run[0]])

    for p in map(int, np.argsort(-scores.reshape(len(scores), -1).max(axis=1))):
        if p in chosen or scores[p].max() < cover_min:
            continue
        options = []
        for q, (i, j, s) in chosen.items():
            if i == j or scores[p, i:j + 1].max() < cover_min:  # nothing to share, or nothing there for p
                continue
            splits = [((i, m), (m + 1, j)) for m in range(i, j)] + [((m, j), (i, m - 1)) for m in range(i + 1, j + 1)]
            options += [(score(q, kept) + score(p, (a, b)) - s, q, kept, (a, b)) for kept, (lo, hi) in splits
                        for a in range(lo, hi + 1) for b in range(a, hi + 1)
                        if min(score(q, kept), score(p, (a, b))) >= cover_min]
        gain, q, kept, given = max(options, default=(0.0, 0, (0, 0), (0, 0)))
        if gain > 0:
            chosen[q] = (*kept, score(q, kept))
            chosen[p] = (*given, score(p, given))


def _span_scores(paragraphs: tuple[Paragraph, ...], units: list[_Unit], lang_a: str, lang_t: str,
                 k: int) -> np.ndarray:
    pgrams = [_features(_forms(p.text, lang_a)) for p in paragraphs]
    ugrams = [_features(_forms(u.text, lang_t)) for u in units]
    space = _Space(pgrams + ugrams)
    pvec, uvec = [space.vector(g) for g in pgrams], [space.vector(g) for g in ugrams]
    vocab = {g: n for n, g in enumerate({g for v in pvec for g in v})}
    P, U = _dense(pvec, vocab), _dense(uvec, vocab)
    dots = np.concatenate([np.zeros((len(pvec), 1)), np.cumsum(P @ U.T, axis=1)], axis=1)
    n = len(units)
    gram = np.zeros((n, k))  # gram[i, d] = <unit i, unit i + d>
    for i in range(n):
        for d in range(min(k, n - i)):
            a, b = uvec[i], uvec[i + d]
            gram[i, d] = sum(w * b.get(g, 0.0) for g, w in a.items())
    pnorm = np.sqrt((P**2).sum(axis=1)) + 1e-9
    scores = np.zeros((len(pvec), n, k))
    for i in range(n):
        norm2 = 0.0
        for ln in range(min(k, n - i)):
            j = i + ln
            norm2 += gram[j, 0] + 2 * sum(gram[m, j - m] for m in range(i, j))
            scores[:, i, ln] = (dots[:, j + 1] - dots[:, i]) / (pnorm * math.sqrt(norm2) + 1e-9)
    return scores


def _dense(vectors: list[dict[str, float]], vocab: dict[str, int]) -> np.ndarray:
    m = np.zeros((len(vectors), len(vocab)), dtype=np.float64)
    for r, v in enumerate(vectors):
        for g, w in v.items():
            if g in vocab:
                m[r, vocab[g]] = w
    return m


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"
