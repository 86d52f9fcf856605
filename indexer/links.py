"""Link an article's paragraphs to the moments of a video that cover them, and check its quotes against the speech.

Why a global matching and not a walk through the text: a report tells the story in its own order, skips paragraphs,
paraphrases others and adds its own material, so paragraph n is not near sentence n. Instead every paragraph is
scored against every run of 1..`max_units` consecutive transcript sentences (or translated segments) with a
language-neutral lexical similarity: TF-IDF cosine over character 3- and 4-grams of normalised words (case, accents,
apostrophes, Cyrillic/Latin spelling and English number words folded, so "four hundred" meets "400" and "Toshkent"
meets "Тошкент"; n-grams survive misspellings and inflection). The pairs are then taken greedily, best first, under
two constraints: a paragraph gets one span and a sentence belongs to one paragraph. A paragraph whose best free span
scores below `cover_min` is "not covered"; the threshold is calibrated by bench/eval_articles.py (docs/articles.md).

Quotes are checked word by word: the quote is aligned against spoken words (the paragraph's span first, plus the
places anywhere in the transcript where its rarer words cluster) with a fitting edit-distance alignment (the whole
quote, any stretch of speech), where a word spelled almost the same counts as the same word (a recogniser's
spelling) and an ellipsis or a [bracketed insertion] in the quote allows skipped speech. No difference: `verbatim`;
enough of the quote said with changes: `differs`, with each change (article words, spoken words, time); otherwise
`not found`.

An article in another language than the speech is linked through an English rendering of the transcript (Whisper's
translate task) when one is given: each translated segment is one unit, so times are only as precise as segments,
and the result says so (`precision="segment"`, `via_translation`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from indexer.articles import Article, Paragraph, Quote
from indexer.models import Segment, Transcript, Word, split_sentences


@dataclass(frozen=True)
class LinkSettings:
    cover_min: float = 0.30  # paragraph/span cosine below which a paragraph is "not covered" (calibrated)
    found_min: float = 0.55  # quote alignment score below which a quote is "not found" (calibrated)
    near: float = 0.90  # word similarity from which two spellings count as the same word
    max_units: int = 8  # longest run of sentences one paragraph may cover


@dataclass(frozen=True)
class WordDiff:
    article: str  # the article's words here ("" when the speaker said words the quote leaves out)
    spoken: str  # the words actually said ("" when the quote adds words)
    start: float
    end: float
    confidence: float = 1.0  # the recogniser's lowest word probability here: low means perhaps misheard


@dataclass(frozen=True)
class QuoteCheck:
    paragraph: int
    quote: int  # index into the paragraph's quotes
    text: str
    speaker: str | None
    status: str  # "verbatim", "differs" or "not found"
    score: float  # 0..1: 1 - word edit cost / quote length
    start: float | None = None
    end: float | None = None
    spoken: str = ""  # the words said, where the quote was found
    differences: tuple[WordDiff, ...] = ()
    via_translation: bool = False


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
            return QuoteCheck(**{**q, "differences": tuple(WordDiff(**d) for d in q["differences"])})
        paragraphs = tuple(ParagraphLink(**{**p, "quotes": tuple(check(q) for q in p["quotes"])})
                           for p in data["paragraphs"])
        return cls(**{**data, "paragraphs": paragraphs, "notes": tuple(data.get("notes", ()))})


# --- normalised tokens ---------------------------------------------------------------------------------------------

_CYR = dict(zip("абвгдежзийклмнопрстуфхцчшщъыьэюяўқғҳё",
                "a b v g d e j z i y k l m n o p r s t u f x ts ch sh sh _ i _ e yu ya o q g h e".split()))
_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                      "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_SCALES = {"thousand": 1000, "million": 10**6, "billion": 10**9}
_CONTRACTIONS = {"won't": "will not", "can't": "can not", "cannot": "can not", "it's": "it is", "that's": "that is",
                 "there's": "there is", "he's": "he is", "she's": "she is", "what's": "what is", "i'm": "i am"}
_SUFFIXES = (("n't", " not"), ("'ll", " will"), ("'re", " are"), ("'ve", " have"), ("'d", " would"))
_SPELLING = ((re.compile(r"(?<=\w\w)([tb])re(s?)$"), r"\1er\2"), (re.compile(r"(?<=\w\w)our(s?)$"), r"or\1"),
             (re.compile(r"(?<=\w\w)([iy])s(e|es|ed|ing|ation)$"), r"\1z\2"))
_APOSTROPHES = str.maketrans({c: "'" for c in "’‘ʼʻ`´"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*|%")

Token = tuple[str, int, int]  # normalised text, first and last index of the source words it stands for


def tokens(text: str, language: str) -> list[Token]:
    """Normalised tokens of a text, each pointing back to the source words (split at whitespace) it came from."""
    return _tokens(text.split(), language)


def tokens_of_words(words: list[Word], language: str) -> list[Token]:
    """Normalised tokens of spoken words; the indices point into `words`."""
    return _tokens(["".join(w.text.split()) for w in words], language)


def _tokens(raws: list[str], language: str) -> list[Token]:
    out: list[Token] = []
    english = language.split("-")[0] in ("en", "und", "")
    for k, raw in enumerate(raws):
        raw = re.sub(r"(?<=\d)[,.](?=\d{3}\b)", "", raw.translate(_APOSTROPHES))
        for word in _WORD.findall(raw.casefold()):
            if english:
                word = _CONTRACTIONS.get(word, word)
                for suffix, full in _SUFFIXES:
                    word = word[: -len(suffix)] + full if word.endswith(suffix) and len(word) > 3 else word
            for part in word.split():
                out.append((_fold(_us_spelling(part) if english else part), k, k))
    return _numbers(out) if english else out


def _us_spelling(word: str) -> str:
    """centre/center, colour/color, realise/realize: Whisper writes American spelling, newsrooms often do not."""
    for pattern, repl in _SPELLING:
        word = pattern.sub(repl, word)
    return word


def _fold(word: str) -> str:
    if word == "%":
        return "percent"
    word = "".join(_CYR.get(c, c) for c in word).replace("_", "")
    word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return word.replace("'", "")


def _numbers(toks: list[Token]) -> list[Token]:
    """English number words as digits ("two hundred and forty" -> "240"), and "per cent" as "percent"."""
    out: list[Token] = []
    i = 0
    while i < len(toks):
        j, value = _number_at(toks, i)
        if j > i:
            out.append((str(value), toks[i][1], toks[j - 1][2]))
            i = j
        elif toks[i][0].isdigit() and len(toks[i][0]) <= 3 and i + 1 < len(toks) and len(toks[i + 1][0]) == 3 \
                and toks[i + 1][0].isdigit():  # "5 000", or "5" ",000" as a recogniser splits it
            out.append((toks[i][0] + toks[i + 1][0], toks[i][1], toks[i + 1][2]))
            i += 2
        elif toks[i][0] == "per" and i + 1 < len(toks) and toks[i + 1][0] == "cent":
            out.append(("percent", toks[i][1], toks[i + 1][2]))
            i += 2
        else:
            out.append(toks[i])
            i += 1
    return out


def _number_at(toks: list[Token], i: int) -> tuple[int, int]:
    total = current = 0
    j = i
    while j < len(toks):
        w = toks[j][0]
        if w in _UNITS and not current % 10 and not (current % 100 and _UNITS[w] >= 10):
            current += _UNITS[w]
        elif w in _TENS and not current % 100:
            current += _TENS[w]
        elif w == "hundred" and 0 < current < 100:
            current *= 100
        elif w in _SCALES and (current or total) and j > i:
            total, current = total + max(current, 1) * _SCALES[w], 0
        elif w == "and" and j > i and (current >= 100 or total) and j + 1 < len(toks) \
                and (toks[j + 1][0] in _UNITS or toks[j + 1][0] in _TENS):
            pass
        else:
            break
        j += 1
    return j, total + current


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
                 settings: LinkSettings | None = None) -> ArticleLinks:
    """Every paragraph linked to the span that covers it (or not covered), every quote checked against the speech."""
    cfg = settings or LinkSettings()
    via = translated is not None and _differs(article.language, transcript.language)
    words = _segment_words(translated or []) if via else transcript.words
    language = "en" if via else transcript.language
    units = _segment_units(words, translated or []) if via else _sentence_units(words)
    spans, best = _assign(article.paragraphs, units, article.language, language, cfg)
    spoken = tokens_of_words(words, language)
    links = []
    for p in article.paragraphs:
        span = spans.get(p.index)
        region = (units[max(span[0] - 1, 0)].first, units[min(span[1] + 1, len(units) - 1)].last) if span else None
        checks = tuple(check_quote(q, spoken, words, article.language, cfg, paragraph=p.index, number=k,
                                   region=region, via_translation=via)
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


def _differs(a: str, b: str) -> bool:
    a, b = a.split("-")[0].lower(), b.split("-")[0].lower()
    return a not in ("", "und") and a != b


def _notes(article: Article, transcript: Transcript, translated: list[Segment] | None, via: bool) -> tuple[str, ...]:
    if via:
        return (f"article in {article.language}, speech in {transcript.language}: linked through an English "
                "rendering of the transcript, at segment precision; quotes compared with that translation",)
    if _differs(article.language, transcript.language) and translated is None:
        return (f"article in {article.language}, speech in {transcript.language}: without a translated rendering "
                "of the transcript few paragraphs can be linked",)
    return ()


def _sentence_units(words: list[Word]) -> list[_Unit]:
    units = []
    for s in split_sentences(words):
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
    best = {p.index: float(scores[k].max()) for k, p in enumerate(paragraphs)}
    return {paragraphs[p].index: span for p, span in chosen.items()}, best


def _span_scores(paragraphs: tuple[Paragraph, ...], units: list[_Unit], lang_a: str, lang_t: str,
                 k: int) -> np.ndarray:
    pgrams = [_features([t[0] for t in tokens(p.text, lang_a)]) for p in paragraphs]
    ugrams = [_features([t[0] for t in tokens(u.text, lang_t)]) for u in units]
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


# --- quotes --------------------------------------------------------------------------------------------------------

def check_quote(quote: Quote, spoken: list[Token], words: list[Word], language: str, cfg: LinkSettings, *,
                paragraph: int = 0, number: int = 0, region: tuple[int, int] | None = None,
                via_translation: bool = False) -> QuoteCheck:
    """A quote against spoken words: its best alignment in `region` (word indices) or wherever its words cluster."""
    qtoks, free, surfaces = _quote_tokens(quote.text, language)
    base = QuoteCheck(paragraph, number, quote.text, quote.speaker, "not found", 0.0, via_translation=via_translation)
    if not qtoks or not spoken:
        return base
    q = [t[0] for t in qtoks]
    s = [t[0] for t in spoken]
    best: tuple[float, list[tuple[str, int, int]]] | None = None
    for lo, hi in _regions(q, s, spoken, region, cfg):
        cost, ops = _align(q, s[lo:hi], cfg, free)
        ops = [(op, i, j + lo if j >= 0 else -1) for op, i, j in ops]
        if best is None or cost < best[0]:
            best = (cost, ops)
    if best is None:
        return base
    cost, ops = best
    score = max(0.0, 1.0 - cost / len(q))
    if score < cfg.found_min:
        return QuoteCheck(paragraph, number, quote.text, quote.speaker, "not found", round(score, 3),
                          via_translation=via_translation)
    said = [spoken[j][1] for op, _, j in ops if j >= 0] + [spoken[j][2] for op, _, j in ops if j >= 0]
    first, last = min(said), max(said)
    diffs = _diffs(ops, qtoks, surfaces, spoken, words)
    return QuoteCheck(paragraph, number, quote.text, quote.speaker, "differs" if diffs else "verbatim",
                      round(score, 3), float(words[first].start), float(words[last].end),
                      " ".join(w.text.strip() for w in words[first:last + 1]), diffs, via_translation)


def _quote_tokens(text: str, language: str) -> tuple[list[Token], set[int], list[str]]:
    """Tokens of a quote; `free` holds the tokens after which speech may be skipped (an ellipsis, [an insertion])."""
    parts = re.split(r"\.\.\.|…|\[[^\]]*\]", text)
    toks: list[Token] = []
    surfaces: list[str] = []
    free: set[int] = set()
    for part in parts:
        raws = part.split()
        toks += [(t, a + len(surfaces), b + len(surfaces)) for t, a, b in _tokens(raws, language)]
        surfaces += [re.sub(r"^\W+|\W+$", "", r) for r in raws]
        if toks:
            free.add(len(toks) - 1)
    free.discard(len(toks) - 1)
    return toks, free, surfaces


def _regions(q: list[str], s: list[str], spoken: list[Token], region: tuple[int, int] | None,
             cfg: LinkSettings) -> list[tuple[int, int]]:
    """Token ranges worth aligning: the paragraph's span, and the 3 places where the quote's words cluster most."""
    m, out = len(q), []
    if region:
        firsts = np.array([t[1] for t in spoken])
        out.append((int(np.searchsorted(firsts, region[0])), int(np.searchsorted(firsts, region[1], side="right"))))
    uniq = sorted(set(s))
    sim = process.cdist(uniq, sorted(set(q)), scorer=fuzz.ratio, workers=1).max(axis=1) / 100.0
    freq = Counter(s)
    weight = {u: (v if v >= cfg.near else 0.0) * math.log(1 + len(s) / freq[u]) for u, v in zip(uniq, sim)}
    mass = np.convolve(np.array([weight[t] for t in s]), np.ones(m), mode="full")[m - 1:]  # window from each start
    for start in np.argsort(-mass):
        if len(out) >= 4 or mass[start] <= 0:
            break
        if all(abs(int(start) - lo) >= m for lo, _ in out[1 if region else 0:]):
            out.append((max(int(start) - 3, 0), min(int(start) + 2 * m + 3, len(s))))  # room for an ellipsis
    return out


def _align(q: list[str], s: list[str], cfg: LinkSettings, free: set[int]) -> tuple[float, list[tuple[str, int, int]]]:
    """Fitting alignment: all of q against any stretch of s.

    Ops: "=" same word, "~" changed, "-" quote word not said, "+" spoken word not in the quote, "." spoken word
    left out at an ellipsis; two words that are one written together ("any more", "anymore") are the same word."""
    m, n = len(q), len(s)
    sim = process.cdist(q, s, scorer=fuzz.ratio, workers=1) / 100.0 if n else np.zeros((m, 0))
    cost = [[0.0] * (n + 1)] + [[float(i)] + [0.0] * n for i in range(1, m + 1)]
    back = [[("", 0, 0)] * (n + 1)] + [[("-", 1, 0)] + [("", 0, 0)] * n for _ in range(m)]
    for i in range(1, m + 1):
        extra = 0.0 if i - 1 in free else 1.0
        for j in range(1, n + 1):
            sub = _sub_cost(q[i - 1], s[j - 1], float(sim[i - 1, j - 1]), cfg.near)
            options = [(cost[i - 1][j - 1] + sub, ("=" if sub < 1 - cfg.near + 1e-9 else "~", 1, 1)),
                       (cost[i - 1][j] + 1.0, ("-", 1, 0)), (cost[i][j - 1] + extra, ("+" if extra else ".", 0, 1))]
            if i > 1 and q[i - 2] + q[i - 1] == s[j - 1]:
                options.append((cost[i - 2][j - 1], ("=", 2, 1)))
            if j > 1 and q[i - 1] == s[j - 2] + s[j - 1]:
                options.append((cost[i - 1][j - 2], ("=", 1, 2)))
            # on a tie a changed word beats a dropped one: "said X where the quote has Y" is the better story
            cost[i][j], back[i][j] = min(options, key=lambda o: o[0] - 1e-6 * (o[1][0] in "=~"))
    j = min(range(n + 1), key=lambda c: cost[m][c] - 1e-6 * (back[m][c][0] in "=~"))
    total, ops, i = cost[m][j], [], m
    while i > 0:
        op, di, dj = back[i][j]
        steps = max(di, dj)
        for k in range(steps):  # a merge is reported as one op per token of its longer side
            ops.append((op, i - 1 - min(k, di - 1) if di else -1, j - 1 - min(k, dj - 1) if dj else -1))
        i, j = i - di, j - dj
    return total, ops[::-1]


def _sub_cost(a: str, b: str, sim: float, near: float) -> float:
    if a == b:
        return 0.0
    if a.isdigit() or b.isdigit() or sim < near:
        return 1.0
    return 1.0 - sim


def _diffs(ops: list[tuple[str, int, int]], qtoks: list[Token], surfaces: list[str], spoken: list[Token],
           words: list[Word]) -> tuple[WordDiff, ...]:
    groups: list[list[tuple[str, int, int]]] = []
    for k, op in enumerate(ops):
        if op[0] in "=.":
            continue
        if groups and ops[k - 1][0] not in "=.":
            groups[-1].append(op)
        else:
            groups.append([op])
    out = []
    for group in groups:
        qsrc = sorted({w for _, i, _ in group if i >= 0 for w in range(qtoks[i][1], qtoks[i][2] + 1)})
        ssrc = sorted({w for _, _, j in group if j >= 0 for w in range(spoken[j][1], spoken[j][2] + 1)})
        if ssrc:
            start, end = float(words[ssrc[0]].start), float(words[ssrc[-1]].end)
        else:  # words the quote adds: the moment between the spoken words around them
            start = end = _gap_time(ops, ops.index(group[0]), spoken, words)
        spoken_text = " ".join(re.sub(r"^\W+|\W+$", "", words[w].text.strip()) for w in ssrc)
        confidence = float(min((words[w].probability for w in ssrc), default=1.0))
        out.append(WordDiff(" ".join(surfaces[w] for w in qsrc), spoken_text, start, end, round(confidence, 3)))
    return tuple(out)


def _gap_time(ops: list[tuple[str, int, int]], k: int, spoken: list[Token], words: list[Word]) -> float:
    before = [spoken[j][2] for _, _, j in ops[:k] if j >= 0]
    after = [spoken[j][1] for _, _, j in ops[k:] if j >= 0]
    return float(words[before[-1]].end if before else words[after[0]].start if after else 0.0)
