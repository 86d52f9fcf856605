"""Locate a remembered quote in spoken words: fuzzy word-sequence alignment.

Why not phrase search: a quote as a user remembers it, against words as speech recognition heard them, rarely
agrees word for word (a 10-word quote survives a 10% word error rate intact only about a third of the time). So the
quote is aligned, word by word, against a candidate passage:

- the quote must be used whole (every quote word is matched, changed or reported missing), while the spoken words
  are free at both ends: a "fitting" alignment, Smith-Waterman's local cousin, computed by dynamic programming;
- two words are compared by the similarity of their keys (textnorm.key: case, accents, apostrophes, Cyrillic or
  Latin spelling all folded; numbers already digits), with rapidfuzz's normalised Indel ratio; different numbers
  never count as similar;
- a changed word costs less than a missing plus an extra one, so a misheard word stays in the span;
- two neighbouring words said in the other order are one cheap step (a transposition), not two changes.

Each DP row is computed with numpy in one pass (the left-gap recurrence is a running maximum), so a 15-word quote
against a 200-word passage takes a fraction of a millisecond.

The score in 0..1 is one minus the word-level edit cost over the quote length: a changed word costs 1 - similarity
(1 if dissimilar), a missing or extra word costs 1, a swapped pair 0.5.
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from indexer.models import Word
from indexer.textnorm import Token, tokenize, tokenize_text

NEAR = 0.6  # key similarity from which two different words count as "almost the same" (a misspelling, a mishearing)
GAP_QUOTE = 0.7  # a quote word that was not said
GAP_SPOKEN = 0.7  # a spoken word that is not in the quote
MISMATCH = -0.5  # a quote word paired with a dissimilar spoken word
SWAP = 1.0  # two neighbouring quote words said in the other order: their pair scores less this
SWAP_COST = 0.5  # a swap's share of the edit cost (two changed words would cost 2)
TRIM_BELOW = 0.5  # dissimilar pairs at either end of the span are dropped (more likely an added than a misheard word)
_STRIP = string.punctuation + "\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019\u2026"


@dataclass(frozen=True)
class Op:
    """One alignment step: 'same', 'changed' (a pair), 'missing' (quote word not said), 'extra' (spoken word),
    'swapped' (quote words q, q+1 said as spoken words s+1, s)."""

    kind: str
    quote: int | None  # quote token index
    spoken: int | None  # spoken token index
    similarity: float = 0.0


@dataclass(frozen=True)
class Alignment:
    first: int  # first spoken token of the span
    last: int  # last spoken token of the span (inclusive)
    score: float  # 0..1
    ops: tuple[Op, ...]


@dataclass(frozen=True)
class Match:
    """A quote located in a word sequence: indices into the words, times, score and what differs."""

    first_word: int
    last_word: int
    start: float
    end: float
    score: float
    text: str  # the words as spoken
    matched_words: tuple[int, ...]  # indices of words that match a quote word (for highlighting)
    differences: tuple[str, ...]


def similarity(quote: Sequence[Token], spoken: Sequence[Token]) -> np.ndarray:
    """Matrix (len(quote), len(spoken)) of key similarities in 0..1; unequal numbers are 0."""
    sim = process.cdist([t.key for t in quote], [t.key for t in spoken], scorer=fuzz.ratio, dtype=np.float32,
                        workers=1) / np.float32(100.0)
    qnum = np.array([t.is_number for t in quote])
    snum = np.array([t.is_number for t in spoken])
    sim[(qnum[:, None] | snum[None, :]) & (sim < 1.0)] = 0.0
    return sim


def align(quote: Sequence[Token], spoken: Sequence[Token]) -> Alignment | None:
    """Best fitting alignment of the whole quote inside spoken; None when no word is even similar."""
    if not quote or not spoken:
        return None
    sim = similarity(quote, spoken)
    if float(sim.max()) < NEAR:
        return None
    pair = np.where(sim >= 1.0, 1.0, np.where(sim >= NEAR, sim - 0.2, MISMATCH)).astype(np.float64)
    swap = _swaps(pair, sim)
    ops = _trim(_traceback(_fill(pair, swap), pair, swap, sim))
    pairs = [op for op in ops if op.spoken is not None and op.quote is not None]
    if not pairs:
        return None
    first, last = pairs[0].spoken, pairs[-1].spoken
    assert first is not None and last is not None
    return Alignment(first, last + (pairs[-1].kind == "swapped"), _score(ops, len(quote)), tuple(ops))


def _swaps(pair: np.ndarray, sim: np.ndarray) -> np.ndarray:
    """swap[r, c]: quote words r-1, r said as spoken words c, c-1; -inf where either pair is not similar."""
    out = np.full(pair.shape, -np.inf)
    if min(pair.shape) > 1:
        ok = (sim[1:, :-1] >= NEAR) & (sim[:-1, 1:] >= NEAR)
        out[1:, 1:] = np.where(ok, pair[1:, :-1] + pair[:-1, 1:] - SWAP, -np.inf)
    return out


def _fill(pair: np.ndarray, swap: np.ndarray) -> np.ndarray:
    """DP table: free start and end in the spoken words, every quote word consumed."""
    n, m = pair.shape
    h = np.zeros((n + 1, m + 1))
    h[:, 0] = -GAP_QUOTE * np.arange(n + 1)
    ramp = GAP_SPOKEN * np.arange(m + 1)
    row = np.empty(m + 1)
    for i in range(1, n + 1):
        row[0] = h[i, 0]
        np.maximum(h[i - 1, :-1] + pair[i - 1], h[i - 1, 1:] - GAP_QUOTE, out=row[1:])
        if i > 1:
            np.maximum(row[2:], h[i - 2, :-2] + swap[i - 1, 1:], out=row[2:])
        h[i] = np.maximum.accumulate(row + ramp) - ramp  # extra spoken words: a running max along the row
    return h


def _traceback(table: np.ndarray, pairs: np.ndarray, swaps: np.ndarray, sims: np.ndarray) -> list[Op]:
    i, j = table.shape[0] - 1, int(np.argmax(table[-1, 1:])) + 1
    # plain floats: numpy scalars are slow one at a time
    h, pair, swap, sim = table.tolist(), pairs.tolist(), swaps.tolist(), sims.tolist()
    ops: list[Op] = []
    while i > 0:
        if j > 0 and abs(h[i][j] - h[i - 1][j - 1] - pair[i - 1][j - 1]) < 1e-6:
            s = float(sim[i - 1][j - 1])
            ops.append(Op("same" if s >= 1.0 else "changed", i - 1, j - 1, s))
            i, j = i - 1, j - 1
        elif i > 1 and j > 1 and abs(h[i][j] - h[i - 2][j - 2] - swap[i - 1][j - 1]) < 1e-6:
            ops.append(Op("swapped", i - 2, j - 2, min(sim[i - 1][j - 2], sim[i - 2][j - 1])))
            i, j = i - 2, j - 2
        elif j == 0 or abs(h[i][j] - h[i - 1][j] + GAP_QUOTE) < 1e-6:
            ops.append(Op("missing", i - 1, None))
            i -= 1
        else:
            ops.append(Op("extra", None, j - 1))
            j -= 1
    return ops[::-1]


def _trim(ops: list[Op]) -> list[Op]:
    """Dissimilar pairs at the span's ends become missing quote words, so the span starts at a real match."""
    def weak(op: Op) -> bool:
        return op.spoken is not None and op.similarity < TRIM_BELOW

    def untrimmed(seq: list[Op]) -> list[Op]:
        k = 0
        while k < len(seq) and (weak(seq[k]) or seq[k].kind in ("missing", "extra")):
            k += 1
        if k == len(seq):
            return seq
        return [Op("missing", op.quote, None) for op in seq[:k] if op.quote is not None] + seq[k:]

    return untrimmed(untrimmed(ops)[::-1])[::-1]


def _score(ops: Sequence[Op], quote_len: int) -> float:
    cost = sum(1.0 - op.similarity if op.kind == "changed" and op.similarity >= NEAR
               else SWAP_COST + 1.0 - op.similarity if op.kind == "swapped"
               else 0.0 if op.kind == "same" else 1.0 for op in ops)
    return max(0.0, 1.0 - cost / quote_len)


def describe(op: Op, quote: Sequence[Token], quote_words: Sequence[str], spoken: Sequence[Token],
             spoken_words: Sequence[str]) -> str:
    """A user-facing line for one difference, in the words as typed and as spoken."""
    q = _words(quote, quote_words, op.quote)
    s = _words(spoken, spoken_words, op.spoken)
    if op.kind == "swapped" and op.quote is not None and op.spoken is not None:
        q2, s2 = _words(quote, quote_words, op.quote + 1), _words(spoken, spoken_words, op.spoken + 1)
        return f"'{q} {q2}' was said in the other order: '{s} {s2}'"
    if op.kind == "changed":
        return f"'{q}' was said as '{s}'"
    if op.kind == "missing":
        return f"'{q}' was not said"
    return f"'{s}' was said but is not in the quote"


def _words(tokens: Sequence[Token], words: Sequence[str], index: int | None) -> str:
    if index is None:
        return ""
    tok = tokens[index]
    return " ".join(w.strip().strip(_STRIP) or w.strip() for w in words[tok.first:tok.last + 1])


def locate(quote: str, words: Sequence[Word], language: str | None = None) -> Match | None:
    """Where in `words` the quote was said (best span), with its times, score and differences."""
    return locate_in(quote, [w.text for w in words], [(w.start, w.end) for w in words], language)


def locate_in(quote: str, texts: Sequence[str], times: Sequence[Sequence[float]], language: str | None = None,
              spoken: Sequence[Token] | None = None) -> Match | None:
    """`locate` on plain word texts and (start, end) pairs; `spoken` may pass tokenize(texts, language)."""
    qtokens = tokenize_text(quote, language)
    spoken = tokenize(texts, language) if spoken is None else spoken
    found = align(qtokens, spoken)
    if found is None:
        return None
    first, last = spoken[found.first].first, spoken[found.last].last
    matched = sorted({w for op in found.ops if op.spoken is not None and op.similarity >= NEAR
                      for w in range(spoken[op.spoken].first, spoken[op.spoken + (op.kind == "swapped")].last + 1)})
    diffs = tuple(describe(op, qtokens, quote.split(), spoken, texts) for op in found.ops if op.kind != "same")
    text = " ".join(t.strip() for t in texts[first:last + 1])
    return Match(first, last, times[first][0], times[last][1], found.score, text, tuple(matched), diffs)


SNIPPET_CONTEXT, SNIPPET_WORDS = 10, 60


def highlight(words: Sequence[str], marked: Iterable[int], first: int, last: int) -> str:
    """HTML snippet: the escaped words around first..last, runs of `marked` word indices inside <mark>...</mark>."""
    marks = set(marked)
    lo = max(0, first - SNIPPET_CONTEXT)
    hi = min(len(words), lo + SNIPPET_WORDS, max(last + 1 + SNIPPET_CONTEXT, lo + 2 * SNIPPET_CONTEXT))
    parts = []
    for i in range(lo, hi):
        w = html.escape(words[i].strip())
        if i in marks and (i == lo or i - 1 not in marks):
            w = "<mark>" + w
        if i in marks and (i == hi - 1 or i + 1 not in marks):
            w += "</mark>"
        parts.append(w)
    return ("\u2026 " if lo else "") + " ".join(parts) + (" \u2026" if hi < len(words) else "")
